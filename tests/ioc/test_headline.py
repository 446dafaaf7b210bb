"""The packaged headline KPI list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ioc.catalog import load_catalog
from ioc.errors import DataFileError
from ioc.headline import headline_codes, load_headline_codes


def test_packaged_headline_codes_exist_in_the_catalog() -> None:
    codes = headline_codes()
    known = {indicator.code for indicator in load_catalog().indicators}
    assert 1 <= len(codes) <= 8
    assert set(codes) <= known, f"unknown headline codes: {sorted(set(codes) - known)}"


def test_duplicates_and_bad_headers_are_refused_with_the_row(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("# comment\ncode\nA.B\nA.B\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="row 3: duplicate code 'A.B'"):
        load_headline_codes(path)
    path.write_text("codes\nA\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="header must be 'code'"):
        load_headline_codes(path)
