"""Every setting in one place: ``KBSEARCH_*`` environment variables over an optional TOML file.

The file is named by ``KBSEARCH_CONFIG``; its keys are the settings' names in
lower case without the prefix (``index_dir = "/srv/kbsearch"``). Values are
checked for meaning (``common.values``) when the app or a command starts, and
a wrong one stops it with a message that names the setting as the user wrote
it (``KBSEARCH_CACHE_MB``, or ``cache_mb`` with the file's path), its value
and what it must be.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import values as parse
from common.errors import SettingsError

PREFIX = "KBSEARCH_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    parse: Callable[[Any], Any]
    help: str
    secret: bool = False


SETTINGS = (
    Setting("INDEX_DIR", "var/index", parse.folder, "index directory"),
    Setting("SITE_URL", "", parse.site_url, "prefix that makes article links absolute"),
    Setting("SITE_NAME", "kbsearch", parse.text, "name shown in the page header and title"),
    Setting("CACHE_MB", 192, parse.whole_number(16, 65536), "memory per worker for scored terms"),
    Setting("RESIDENT_MB", 512, parse.whole_number(64, 1048576), "resident size past which a worker unmaps pages"),
    Setting("SYNONYMS", None, parse.synonyms_file, "synonyms file (default: the bundled one)"),
    Setting("ALLOWED_ORIGINS", "*", parse.origins, "origins whose pages may call /api/*"),
    Setting("RATE_LIMIT", "", parse.rate, "per-client limit on /api/*, e.g. 120/minute"),
    Setting("ANALYTICS", True, parse.boolean, "record searches and clicks"),
    Setting("ANALYTICS_DAYS", 90, parse.whole_number(1, 3650), "days of analytics kept"),
    Setting("ADMIN_TOKEN", "", parse.text, "token that opens /admin/analytics", secret=True),
    Setting("LOG_FORMAT", "json", parse.choice("json", "text"), "json or text request logs"),
    Setting("EMBEDDING_MODEL", "wordllama", parse.embedding_model, "meaning model a build embeds with, or off"),
    Setting("SEMANTIC", True, parse.boolean, "rank by meaning too where the index has vectors"),
)
NAMES = {setting.name for setting in SETTINGS}
FILE_KEYS = {name.lower(): name for name in NAMES}


def _from_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{PREFIX}CONFIG: cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{PREFIX}CONFIG: {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(key for key in data if key not in FILE_KEYS)
    if unknown:
        known = ", ".join(sorted(FILE_KEYS))
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {known}")
    return {FILE_KEYS[key]: value for key, value in data.items()}


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


def _as_written(setting: Setting, value: Any, where: str | None) -> str:
    """``KBSEARCH_NAME = value``, or ``FILE: name = value`` for a value from the TOML file."""
    shown = "(hidden)" if setting.secret else repr(value)
    if where is None or where == PREFIX + setting.name:
        return f"{PREFIX}{setting.name} = {shown}"
    return f"{where}: {setting.name.lower()} = {shown}"


def check(raw: Mapping[str, Any], origin: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Defaults filled in and every value parsed; ``SettingsError`` for the first that is wrong.

    :param origin: where each raw value came from, as ``load`` gives it; without it, values
        are named as environment variables.
    """
    unknown = sorted(set(raw) - NAMES)
    if unknown:
        raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
    checked = {}
    for setting in SETTINGS:
        if setting.name not in raw or raw[setting.name] is None:
            checked[setting.name] = setting.default
            continue
        try:
            checked[setting.name] = setting.parse(raw[setting.name])
        except ValueError as exc:
            written = _as_written(setting, raw[setting.name], (origin or {}).get(setting.name))
            raise SettingsError(f"{written}: {exc}") from None
    return checked


def engine_options(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The ``search.engine.Engine`` arguments that come from the settings."""
    return {
        "cache_bytes": int(settings["CACHE_MB"]) * 1024 * 1024,
        "synonyms": settings["SYNONYMS"],
        "semantic": settings["SEMANTIC"],
        "resident_bytes": int(settings["RESIDENT_MB"]) * 1024 * 1024,
    }


def describe(values: Mapping[str, Any], origin: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``(name, value, origin)`` rows for ``kbsearch config``, secrets masked."""
    rows = []
    for setting in SETTINGS:
        value = values[setting.name]
        shown = "********" if setting.secret and value else ("" if value is None else str(value))
        rows.append((PREFIX + setting.name, shown, origin.get(setting.name, "default")))
    return rows
