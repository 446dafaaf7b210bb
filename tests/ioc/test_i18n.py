"""The translation table: complete, validated, used by t()."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ioc.errors import DataFileError
from ioc.i18n import load_translations, normalise_language, pick, t

ROOT = Path(__file__).resolve().parents[2]


def test_lookup_in_both_languages_with_placeholders() -> None:
    assert t("nav.overview", "vi") == "Tổng quan"
    assert t("nav.overview", "en") == "Overview"
    assert t("freshness.at", "vi", when="08:15 24/11/2026") == "Cập nhật lúc 08:15 24/11/2026"


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert normalise_language("EN-us") == "en"
    assert normalise_language("fr") == "vi"
    assert t("status.good", "fr") == "Tốt"


def test_pick_prefers_the_language_and_falls_back() -> None:
    assert pick("en", "Dĩ An", "Di An") == "Di An"
    assert pick("en", "Dĩ An", None) == "Dĩ An"
    assert pick("vi", "Dĩ An", "Di An") == "Dĩ An"


def test_every_key_used_by_the_dashboard_exists() -> None:
    table = load_translations()
    used: set[str] = set()
    for path in [*ROOT.joinpath("layouts").rglob("*.py")]:
        used |= set(re.findall(r"\bt\(\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
    dynamic = {f"status.{s}" for s in ("good", "warning", "critical", "stale")} | {
        f"range.{r}" for r in ("24h", "7d", "30d", "1y", "custom")} | {f"severity.{s}" for s in ("info", "warning", "critical")}
    missing = sorted((used | dynamic) - set(table))
    assert not missing, f"keys missing from ioc/data/i18n.csv: {missing}"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("key,vi,en\na,b,c\na,d,e\n", "duplicate key 'a'"),
        ("key,vi,en\na,,c\n", "key 'a' has no vi text"),
        ("key,vi,en\na,b,c,d\n", "more than 3 columns"),
        ("key,vi\na,b\n", "header must be key,vi,en"),
    ],
)
def test_invalid_tables_name_file_row_and_reason(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "i18n.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataFileError, match=re.escape(reason)) as info:
        load_translations(path)
    assert info.value.path == str(path)
