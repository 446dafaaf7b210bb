"""The view → sectors mapping that scopes the 766 and dossier views for analysts."""

from __future__ import annotations

import pytest

from ioc.auth.view_sectors import load_view_sectors, may_read_view, view_sectors
from ioc.errors import DataFileError


def test_packaged_mapping_names_existing_catalog_sectors():
    from ioc.catalog import load_catalog

    mapping = view_sectors()
    assert {"score766", "dossiers"} <= set(mapping)
    known = {sector.code for sector in load_catalog().sectors}
    assert set().union(*mapping.values()) <= known


def test_may_read_view_by_grant():
    assert may_read_view("score766", None)  # leaders, admins, walls
    assert may_read_view("dossiers", ("TTHC", "MT"))
    assert not may_read_view("score766", ("TTHC", "DVC", "MT"))
    assert not may_read_view("unknown-view", ("TTHC",))
    assert not may_read_view("dossiers", ())


def test_bad_file_names_the_line(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("# comment\nview,sector_code\nscore766,CS766\nbroken\n", encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_view_sectors(path)
    assert caught.value.row == 4 and "broken" in caught.value.reason
    path.write_text("view,sector\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="header"):
        load_view_sectors(path)
