"""The one translation table of the UI: ``ioc/data/i18n.csv`` (key, vi, en).

Vietnamese is the default language, English the second. ``t(key, lang)`` looks a
label up; ``{name}`` placeholders are filled from keyword arguments. The table is
validated on first use: a duplicate key or an empty cell is a
:class:`~ioc.errors.DataFileError` naming the file and row.
"""

from __future__ import annotations

import csv
import logging
from functools import cache
from importlib import resources
from pathlib import Path

from ioc.errors import DataFileError

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "t", "load_translations", "normalise_language", "pick"]

logger = logging.getLogger(__name__)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def _default_path() -> Path:
    return Path(str(resources.files("ioc") / "data" / "i18n.csv"))


def load_translations(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Read and validate a translation table: ``{key: {"vi": ..., "en": ...}}``."""
    path = path or _default_path()
    table: dict[str, dict[str, str]] = {}
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataFileError(str(path), None, f"cannot read the translation table: {exc}") from exc
    with handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or set(reader.fieldnames) != {"key", *LANGUAGES}:
            raise DataFileError(str(path), 1, f"header must be key,vi,en (got {reader.fieldnames})")
        for row_number, row in enumerate(reader, start=2):
            if row.get(None):
                raise DataFileError(str(path), row_number, "more than 3 columns: quote text that has a comma")
            key = (row["key"] or "").strip()
            if not key:
                raise DataFileError(str(path), row_number, "empty key")
            if key in table:
                raise DataFileError(str(path), row_number, f"duplicate key {key!r}")
            for lang in LANGUAGES:
                if not (row[lang] or "").strip():
                    raise DataFileError(str(path), row_number, f"key {key!r} has no {lang} text")
            table[key] = {lang: row[lang].strip() for lang in LANGUAGES}
    return table


@cache
def _table() -> dict[str, dict[str, str]]:
    return load_translations()


def normalise_language(lang: str | None) -> str:
    """``'en'``/``'EN'``/``'en-US'`` → ``'en'``; anything unknown → Vietnamese."""
    code = (lang or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The label ``key`` in ``lang``; a missing key is logged and shown as the key itself."""
    entry = _table().get(key)
    if entry is None:
        logger.warning("translation key %s missing from i18n.csv", key)
        return key
    text = entry[normalise_language(lang)]
    return text.format(**values) if values else text


def pick(lang: str, vi: str | None, en: str | None) -> str:
    """Choose between a record's ``name_vi`` and ``name_en`` (falling back to Vietnamese)."""
    if normalise_language(lang) == "en" and en:
        return en
    return vi or en or ""
