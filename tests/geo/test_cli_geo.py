"""``ioc geo ...`` commands against a real database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from ioc.cli import app
from ioc.storage.addresses import count_addresses
from ioc.storage.areas import list_areas


@pytest.fixture
def run(empty_db, monkeypatch, tmp_path):
    monkeypatch.setenv("IOC_DATABASE_URL", empty_db.url)
    monkeypatch.chdir(tmp_path)  # no stray ioc.toml
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["geo", *args])

    return invoke


def test_load_demo_then_export_and_reimport(run, empty_db, tmp_path):
    result = run("load-demo", "--addresses", "2000")
    assert result.exit_code == 0, result.output
    assert "101 area(s), 2,000 address(es)" in result.output
    out = tmp_path / "addresses.csv"
    result = run("export-addresses", str(out), "--area", "724")
    assert result.exit_code == 0, result.output
    exported = out.read_text(encoding="utf-8").splitlines()
    assert exported[0] == "code,category,name,street,area_code,lon,lat"
    assert all(line.startswith("BD-724-") for line in exported[1:])
    result = run("import-addresses", str(out))
    assert result.exit_code == 0, result.output
    with empty_db.connection() as conn:
        assert count_addresses(conn) == 2000


def test_import_areas_with_fixed_parent(run, empty_db, geo_fixture_dir):
    assert run("load-demo", "--addresses", "0").exit_code == 0
    result = run("import-areas", str(geo_fixture_dir / "binhduong_districts.geojson"), "--level", "district",
                 "--code-field", "code", "--name-field", "name", "--parent", "74", "--unit-type-field", "type")
    assert result.exit_code == 0, result.output
    assert "9 district area(s) imported" in result.output
    with empty_db.connection() as conn:
        districts = list_areas(conn, level="district", with_geometry=True)
    # real geometry replaced the schematic one, the demo's population stayed
    assert len(districts) == 9 and all(d.properties["source_file"] == "binhduong_districts.geojson" for d in districts)
    assert not any(d.properties["approximate"] for d in districts)
    assert all(d.population for d in districts)


def test_broken_file_exits_with_row_and_reason(run, tmp_path):
    assert run("load-demo", "--addresses", "0").exit_code == 0
    path = tmp_path / "bad.csv"
    path.write_text("code,category,name,street,area_code,lon,lat\nBD-1,household,,,25942,106.7,north\n",
                    encoding="utf-8")
    result = run("import-addresses", str(path))
    assert result.exit_code == 2
    assert "row 2: bad coordinates for BD-1" in result.output
