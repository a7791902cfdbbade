"""What each setting's value must mean, not only its type.

Every parser takes the raw value (a string from the environment; a string,
number or boolean from the TOML file) and returns the value to use, or raises
``ValueError`` whose message finishes the sentence "SETTING = VALUE: …" with
what the value must be, in words a person can act on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult
from urllib.parse import urlsplit

_WHOLE = re.compile(r"[+-]?[0-9]+")
_RATE = re.compile(r"\d+\s*(/|per)\s*(second|minute|hour|day)s?", re.IGNORECASE)
_WEB_SCHEMES = ("http", "https")
MODEL_OFF = "off"
WORDLLAMA = "wordllama"
WORDLLAMA_DIMS = (256, 128, 64)


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
            value = int(value)
        # A TOML true or 1.5 is not a number of megabytes or days, though Python's int() would take it.
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return parse


def text(value: Any) -> str:
    # A TOML list or table would otherwise become its Python spelling.
    if not isinstance(value, str):
        raise ValueError("must be text (in quotes in the file)")
    return value.strip()


def folder(value: Any) -> str:
    found = text(value)
    if not found:
        raise ValueError("must name a folder")
    return found


def choice(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        found = str(value).strip().lower()
        if found not in choices:
            raise ValueError("must be one of " + ", ".join(choices))
        return found

    return parse


def rate(value: Any) -> str:
    found = text(value)
    if found and not _RATE.fullmatch(found):
        raise ValueError("must look like 120/minute (or be empty for no limit)")
    return found


def _address(value: str) -> SplitResult | None:
    """``value`` split as ``scheme://host[:port]…``, or ``None`` when it is not one."""
    if any(character.isspace() for character in value):
        return None
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 -- reading it is the check: it raises for a port that is not a number
    except ValueError:
        return None
    return parts if parts.scheme and parts.hostname and not parts.username else None


def site_url(value: Any) -> str:
    found = text(value).rstrip("/")
    if found:
        parts = _address(found)
        if parts is None or parts.scheme not in _WEB_SCHEMES or parts.query or parts.fragment:
            raise ValueError("must be an http:// or https:// address with a host, like https://example.org (or empty)")
    return found


def origins(value: Any) -> str:
    """A comma-separated list of ``scheme://host[:port]`` and ``*``, as one canonical comma-separated string."""
    found = []
    for entry in text(value).split(","):
        # Browsers send an origin without a trailing slash; one written with it means the same origin.
        entry = entry.strip().removesuffix("/")
        if not entry:
            continue
        parts = _address(entry)
        if entry != "*" and (parts is None or parts.path or parts.query or parts.fragment):
            raise ValueError(f"{entry!r} is not an origin: give scheme://host[:port] with no path, or *")
        found.append(entry)
    return ",".join(found)


def synonyms_file(value: Any) -> str | None:
    """A readable UTF-8 text file, or ``None`` for the bundled one."""
    found = text(value)
    if not found:
        return None
    path = Path(found)
    if not path.exists():
        raise ValueError("no such file")
    if not path.is_file():
        raise ValueError("must be a regular file")  # a folder, or a pipe that would block every reload
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot be read: {exc.strerror}") from None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    if b"\0" in content:
        raise ValueError("is not text (it holds NUL bytes)")
    return found


def embedding_model(value: Any) -> str:
    """``off``, ``wordllama`` or ``wordllama:DIM``, or the absolute path of a Model2Vec folder."""
    found = text(value)
    if found.lower() in (MODEL_OFF, "", "none", "false"):
        return MODEL_OFF
    if found.lower().startswith(WORDLLAMA):
        dim = found[len(WORDLLAMA) :].lstrip(":") or "256"
        if not dim.isdigit() or int(dim) not in WORDLLAMA_DIMS:
            raise ValueError(f"wordllama takes one of {', '.join(map(str, WORDLLAMA_DIMS))} dimensions")
        return WORDLLAMA if int(dim) == 256 else f"{WORDLLAMA}:{dim}"
    folder = Path(found).expanduser()
    if not folder.is_dir():
        raise ValueError("must be off, wordllama, wordllama:128, wordllama:64 or the folder of a Model2Vec model")
    if not (folder / "config.json").is_file():  # what loading it checks first: config says so before a build fails
        raise ValueError(f"{folder} is not a Model2Vec folder (no config.json)")
    return str(folder.resolve())
