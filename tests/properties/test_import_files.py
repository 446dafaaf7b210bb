"""Property tests of import files (file drop CSV/.xlsx, address CSV/GeoJSON): refused whole, with reasons.

Files are generated with good rows and rows spoiled in one known cell. A file
with a spoiled row is refused whole: nothing is written, and the problems name
exactly the spoiled rows, each with a reason. A file of good rows is taken
whole. Arbitrary bytes never raise anything but the refusal.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from tempfile import TemporaryDirectory

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.pull.base import PullContext
from collectors.pull.config import SourceConfig
from collectors.pull.file_drop import validate_file
from collectors.scheduler import PullScheduler
from geo.address_files import FILE_COLUMNS, read_addresses
from geo.loading import import_address_file
from ioc.errors import ImportRefused
from ioc.storage.addresses import count_addresses

from tests.collectors.pull._support import AREAS, INDICATORS, count_observations, seed_reference_data

CTX = PullContext(indicators=frozenset(code for code, *_ in INDICATORS), areas=frozenset(a.code for a in AREAS))
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
WITH_DB = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
T0 = datetime(2026, 11, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))

# A spoiled cell: (column, a value that is certainly wrong there).
SPOILERS = {
    "indicator_code": st.sampled_from(["NOPE", "", "test.air_pm25", "TEST.AIR_PM25 X"]),
    "area_code": st.sampled_from(["999", "", "72 4", "Dĩ An"]),
    "ts": st.sampled_from(["31/02/2026", "hôm qua", "", "2026-13-01", "25:61"]),
    "value": st.sampled_from(["abc", "", "1,2,3", "nan", "--5", "12 kg"]),
}
spoils = st.sampled_from(sorted(SPOILERS)).flatmap(lambda col: SPOILERS[col].map(lambda v: (col, v)))


@st.composite
def drop_tables(draw, *, spoiled: bool) -> tuple[list[dict], set[int]]:
    """Rows of a file-drop table and the file row numbers (header = 1) that are spoiled."""
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for i in range(n):
        value = draw(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3)))
        rows.append({"indicator_code": draw(st.sampled_from(sorted(CTX.indicators))),
                     "area_code": draw(st.sampled_from(sorted(CTX.areas))),
                     "ts": (T0 + timedelta(hours=i)).isoformat(), "value": repr(value)})
    bad: set[int] = set()
    if spoiled:
        for index in draw(st.sets(st.integers(min_value=0, max_value=n - 1), min_size=1)):
            column, wrong = draw(spoils)
            rows[index][column] = wrong
            bad.add(index + 2)
    return rows, bad


def _write(folder: Path, name: str, rows: list[dict]) -> Path:
    path = folder / name
    header = ["indicator_code", "area_code", "ts", "value", "ghi_chu"]
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(header)
        for row in rows:
            sheet.append([row[c] for c in header[:4]] + ["ghi chú"])
        book.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for row in rows:
                writer.writerow([row[c] for c in header[:4]] + ["ghi chú"])
    return path


@FAST
@given(table=st.booleans().flatmap(lambda s: drop_tables(spoiled=s)), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_file_drop_validation_names_exactly_the_spoiled_rows(table, suffix):
    rows, bad = table
    with TemporaryDirectory() as folder:
        readings, problems = validate_file(_write(Path(folder), f"bao-cao{suffix}", rows), CTX)
    assert all(p.reason.strip() for p in problems), "every problem has a reason"
    assert {p.row for p in problems} == bad
    if not bad:
        assert len(readings) == len(rows)


@FAST
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_file_drop_validation_of_arbitrary_bytes_never_raises(content, suffix):
    with TemporaryDirectory() as folder:
        path = Path(folder) / f"rac{suffix}"
        path.write_bytes(content)
        readings, problems = validate_file(path, CTX)
    assert problems or readings, "a file is either usable or refused with problems"
    assert all(p.reason.strip() for p in problems)


@pytest.fixture
def pull_db(empty_db):
    seed_reference_data(empty_db)
    return empty_db


@WITH_DB
@given(table=drop_tables(spoiled=True), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_refused_drop_file_writes_nothing_and_records_why(pull_db, table, suffix):
    rows, bad = table
    with TemporaryDirectory() as folder:
        folder = Path(folder)
        _write(folder, f"so-nganh{suffix}", rows)
        scheduler = PullScheduler(pull_db, workers=1)
        scheduler.add_source(SourceConfig(name="drop", kind="file_drop", interval=60, retries=0,
                                          options={"folder": str(folder), "settle_seconds": 0}))
        try:
            report = scheduler.run_source("drop")
        finally:
            scheduler.shutdown(wait=False)
        reason = (folder / "rejected" / f"so-nganh{suffix}.reason.txt").read_text(encoding="utf-8")
        assert (folder / "rejected" / f"so-nganh{suffix}").exists() and not (folder / "done").exists()
    assert count_observations(pull_db) == 0, "not even the good rows of a refused file"
    assert report.rows == 0 and len(report.rejected) == 1 and report.rejected[0].startswith(f"so-nganh{suffix}, row ")
    for row in bad:
        assert f"so-nganh{suffix}, row {row}, column " in reason


# -- address files -------------------------------------------------------------------------------

ADDRESS_SPOILERS = {
    "code": st.just(""),
    "category": st.just(""),
    "area_code": st.sampled_from(["", "00000", "Tân Bình"]),
    "lon": st.sampled_from(["", "abc", "200", "-181.5"]),
    "lat": st.sampled_from(["x", "95", "-90.01"]),
}
address_spoils = st.sampled_from(sorted(ADDRESS_SPOILERS)).flatmap(
    lambda col: ADDRESS_SPOILERS[col].map(lambda v: (col, v)))


@st.composite
def address_tables(draw, *, spoiled: bool) -> tuple[list[dict], set[int]]:
    """Address rows and the row numbers (CSV: header = 1; GeoJSON: first feature = 1 → +1 later) spoiled."""
    n = draw(st.integers(min_value=1, max_value=10))
    rows = [{"code": f"BD{i:06d}", "category": draw(st.sampled_from(["nha_o", "co_quan", "truong_hoc"])),
             "name": draw(st.text(max_size=12).map(lambda s: s.replace("\x00", ""))),
             "street": "Đại lộ Bình Dương",
             "area_code": "25942", "lon": f"{106.7 + i * 0.001:.6f}", "lat": f"{10.9 + i * 0.001:.6f}"}
            for i in range(n)]
    bad: set[int] = set()
    if spoiled:
        for index in draw(st.sets(st.integers(min_value=0, max_value=n - 1), min_size=1)):
            column, wrong = draw(address_spoils)
            rows[index][column] = wrong
            bad.add(index)
        if n > 1 and 0 not in bad and draw(st.booleans()):  # a duplicate code: the later row is the bad one
            rows[n - 1]["code"] = rows[0]["code"]
            bad.add(n - 1)
    return rows, bad


def _address_file(folder: Path, rows: list[dict], geojson: bool) -> Path:
    if geojson:
        features = []
        for r in rows:
            try:
                coords = [float(r["lon"]), float(r["lat"])]
            except ValueError:
                coords = [r["lon"], r["lat"]]
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": coords},
                             "properties": {c: r[c] for c in ("code", "category", "name", "street", "area_code")}})
        path = folder / "dia-chi.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")
        return path
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FILE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "dia-chi.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@FAST
@given(table=st.booleans().flatmap(lambda s: address_tables(spoiled=s)), geojson=st.booleans())
def test_address_file_refusal_names_exactly_the_spoiled_rows(table, geojson):
    rows, bad = table
    first = 1 if geojson else 2  # GeoJSON counts features from 1, CSV rows from the header's 1
    with TemporaryDirectory() as folder:
        path = _address_file(Path(folder), rows, geojson)
        if not bad:
            records = read_addresses(path, known_areas={"25942"})
            assert [(r.code, r.name) for r in records] == [(r["code"], _one_line(r["name"])) for r in rows]
            return
        with pytest.raises(ImportRefused) as refused:
            read_addresses(path, known_areas={"25942"})
    problems = refused.value.problems
    assert all(str(p.reason).strip() for p in problems)
    assert {p.row for p in problems} == {i + first for i in bad}


def _one_line(name: str) -> str | None:
    """A name as the reader keeps it: trimmed, each run of line breaks one space, empty → None."""
    return re.sub(r"\s*[\r\n]+\s*", " ", name.strip()) or None


def test_unquoted_carriage_return_in_a_csv_cell(tmp_path):
    """What the property above found: csv.writer(lineterminator="\\n") leaves a CR in a name unquoted."""
    rows = [{"code": "BD000001", "category": "nha_o", "name": "Nhà\rvăn hoá", "street": "", "area_code": "25942",
             "lon": "106.7", "lat": "10.9"},
            {"code": "BD000002", "category": "nha_o", "name": "", "street": "", "area_code": "25942",
             "lon": "106.71", "lat": "10.91"}]
    path = _address_file(tmp_path, rows, geojson=False)
    assert b"Nh\xc3\xa0\rv" in path.read_bytes(), "the CR is written bare, not quoted"
    records = read_addresses(path, known_areas={"25942"})
    assert [(r.code, r.name) for r in records] == [("BD000001", "Nhà văn hoá"), ("BD000002", None)]


HEADER = "code,category,name,street,area_code,lon,lat"


@pytest.mark.parametrize("eol", ["\r\n", "\n"], ids=["crlf-file", "lf-file"])
def test_line_breaks_in_quoted_cells_are_kept_as_one_space(tmp_path, eol):
    lines = [HEADER,
             'BD000001,nha_o,"Nhà văn hoá\r\nkhu phố 3","Đường 30/4\rPhú Hoà",25942,106.7,10.9',
             'BD000002,co_quan,"UBND\n\nphường Tân Bình ",,25942,106.71,10.91',
             "BD000003,nha_o,Nhà\rsố 5,,25942,106.72,10.92"]
    path = tmp_path / "dia-chi.csv"
    path.write_bytes((eol.join(lines) + eol).encode("utf-8"))
    records = read_addresses(path, known_areas={"25942"})
    assert [(r.code, r.name, r.street) for r in records] == [
        ("BD000001", "Nhà văn hoá khu phố 3", "Đường 30/4 Phú Hoà"),
        ("BD000002", "UBND phường Tân Bình", None),
        ("BD000003", "Nhà số 5", None)]


def test_classic_mac_file_ends_rows_with_cr(tmp_path):
    """A file without any LF is CR-terminated; a quoted CR is still a line break inside the cell."""
    path = tmp_path / "dia-chi.csv"
    path.write_bytes("\r".join([HEADER, 'BD000001,nha_o,"Nhà\rvăn hoá",,25942,106.7,10.9',
                                 "BD000002,nha_o,Chợ,,25942,106.71,10.91", ""]).encode("utf-8"))
    records = read_addresses(path, known_areas={"25942"})
    assert [(r.code, r.name) for r in records] == [("BD000001", "Nhà văn hoá"), ("BD000002", "Chợ")]


def test_refusal_gives_the_spreadsheet_row_and_the_line_of_the_text_file(tmp_path):
    """Rows count as a spreadsheet shows them; a row pushed down by multi-line cells also names its line."""
    lines = [HEADER,                                                     # line 1, row 1
             'BD000001,nha_o,"Nhà văn hoá\r\nkhu phố 3",,25942,106.7,10.9',  # lines 2-3, row 2
             "",                                                         # line 4, row 3: skipped, counted
             "BD000002,,Chợ,,25942,106.71,10.91",                        # line 5, row 4: empty category
             ",,,,,,",                                                   # line 6, row 5: skipped, counted
             '"BD\n000003",nha_o,,,25942,106.72,10.92']                   # lines 7-8, row 6: break in code
    path = tmp_path / "dia-chi.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    with pytest.raises(ImportRefused) as refused:
        read_addresses(path, known_areas={"25942"})
    assert [(p.row, p.reason) for p in refused.value.problems] == [
        (4, "empty category (line 5 of the file)"),
        (6, "line break in code 'BD\\n000003'; a code is one line (line 7 of the file)")]
    assert str(refused.value).startswith(f"{path}, row 4: empty category (line 5 of the file)")


def test_row_without_line_breaks_above_it_names_no_line(tmp_path):
    path = tmp_path / "dia-chi.csv"
    path.write_text(f"{HEADER}\nBD000001,nha_o,,,00000,106.7,10.9\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        read_addresses(path, known_areas={"25942"})
    assert [(p.row, p.reason) for p in refused.value.problems] == [
        (2, "unknown commune 00000 for BD000001; import the areas first or fix the area_code")]


@FAST
@given(content=st.binary(max_size=300) | st.text(max_size=300).map(str.encode), geojson=st.booleans())
def test_address_file_of_arbitrary_bytes_is_refused_or_read(content, geojson):
    with TemporaryDirectory() as folder:
        path = Path(folder) / ("x.geojson" if geojson else "x.csv")
        path.write_bytes(content)
        try:
            read_addresses(path, known_areas={"25942"})
        except ImportRefused as exc:
            assert exc.reason.strip() or exc.problems


@WITH_DB
@given(table=address_tables(spoiled=True), geojson=st.booleans())
def test_refused_address_import_writes_nothing(empty_db, table, geojson):
    from ioc.storage.areas import upsert_areas

    with empty_db.connection() as conn:
        upsert_areas(conn, AREAS)
    rows, _ = table
    with TemporaryDirectory() as folder:
        path = _address_file(Path(folder), rows, geojson)
        with pytest.raises(ImportRefused):
            import_address_file(empty_db, path)
    with empty_db.connection() as conn:
        assert count_addresses(conn) == 0
