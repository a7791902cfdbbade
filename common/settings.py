"""Every setting in one place: ``KBSEARCH_*`` environment variables over an optional TOML file.

The file is named by ``KBSEARCH_CONFIG``; its keys are the settings' names in
lower case without the prefix (``index_dir = "/srv/kbsearch"``). Values are
checked when the app starts, and a wrong one stops it with a message that
names the setting, where it came from and what it must be.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.errors import SettingsError

PREFIX = "KBSEARCH_"
_RATE = re.compile(r"\d+\s*(/|per)\s*(second|minute|hour|day)s?", re.IGNORECASE)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high}")
        return number

    return parse


def _text(value: Any) -> str:
    return str(value).strip()


def _optional_path(value: Any) -> str | None:
    return str(value) if str(value).strip() else None


def _rate(value: Any) -> str:
    text = str(value).strip()
    if text and not _RATE.fullmatch(text):
        raise ValueError("must look like 120/minute (or be empty for no limit)")
    return text


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    secret: bool = False


SETTINGS = (
    Setting("INDEX_DIR", "var/index", _text, "index directory"),
    Setting("SITE_URL", "", lambda v: _text(v).rstrip("/"), "prefix that makes article links absolute"),
    Setting("SITE_NAME", "kbsearch", _text, "name shown in the page header and title"),
    Setting("CACHE_MB", 256, _integer(16, 65536), "memory per worker for scored terms"),
    Setting("SYNONYMS", None, _optional_path, "synonyms file (default: the bundled one)"),
    Setting("ALLOWED_ORIGINS", "*", _text, "origins whose pages may call /api/*"),
    Setting("RATE_LIMIT", "", _rate, "per-client limit on /api/*, e.g. 120/minute"),
    Setting("ANALYTICS", True, _boolean, "record searches and clicks"),
    Setting("ANALYTICS_DAYS", 90, _integer(1, 3650), "days of analytics kept"),
    Setting("ADMIN_TOKEN", "", _text, "token that opens /admin/analytics", secret=True),
    Setting("LOG_FORMAT", "json", lambda v: _choice(v, ("json", "text")), "json or text request logs"),
)
NAMES = {setting.name for setting in SETTINGS}


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    text = str(value).strip().lower()
    if text not in choices:
        raise ValueError("must be one of " + ", ".join(choices))
    return text


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{PREFIX}CONFIG: cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(key for key in data if key.upper() not in NAMES)
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(NAMES))}")
    return {key.upper(): value for key, value in data.items()}


def load(environ: Mapping[str, str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The effective settings, and where each came from (``default``, the file, or the variable)."""
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    origin = {setting.name: "default" for setting in SETTINGS}
    config_file = environ.get(PREFIX + "CONFIG")
    if config_file:
        for name, value in _from_file(Path(config_file)).items():
            raw[name], origin[name] = value, config_file
    for setting in SETTINGS:
        if PREFIX + setting.name in environ:
            raw[setting.name], origin[setting.name] = environ[PREFIX + setting.name], PREFIX + setting.name
    return check(raw, origin), origin


def check(raw: Mapping[str, Any], origin: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults filled in and every value parsed; ``SettingsError`` for the first that is wrong."""
    values = {}
    for setting in SETTINGS:
        if setting.name not in raw or raw[setting.name] is None:
            values[setting.name] = setting.default
            continue
        try:
            values[setting.name] = setting.parse(raw[setting.name])
        except (TypeError, ValueError) as exc:
            where = (origin or {}).get(setting.name, "config")
            shown = "(hidden)" if setting.secret else repr(raw[setting.name])
            raise SettingsError(f"{PREFIX}{setting.name} = {shown} (from {where}): {exc}") from None
    unknown = sorted(set(raw) - NAMES)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    return values


def describe(values: Mapping[str, Any], origin: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(name, value, origin)`` rows for ``kbsearch config``, secrets masked."""
    rows = []
    for setting in SETTINGS:
        value = values[setting.name]
        shown = "********" if setting.secret and value else ("" if value is None else str(value))
        rows.append((PREFIX + setting.name, shown, origin.get(setting.name, "default")))
    return rows
