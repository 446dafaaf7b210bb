"""The file-drop source: good CSV/.xlsx files are written whole; bad files are refused whole and moved aside."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from collectors.pull.base import LOCAL_TZ
from collectors.pull.config import SourceConfig
from collectors.scheduler import PullScheduler
from ioc.storage.dead_letters import list_dead_letters
from ioc.storage.sources import get_source
from tests.collectors.pull._support import count_observations


def _scheduler(db, folder: Path, **options: object) -> PullScheduler:
    scheduler = PullScheduler(db, workers=2)
    scheduler.add_source(SourceConfig(name="drop", kind="file_drop", interval=60, retries=0,
                                      options={"folder": str(folder), "settle_seconds": 0, **options}))
    return scheduler


def _run(db, folder: Path, **options: object):
    scheduler = _scheduler(db, folder, **options)
    try:
        return scheduler.run_source("drop")
    finally:
        scheduler.shutdown(wait=False)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_good_csv_is_written_and_moved_to_done(pull_db, tmp_path):
    (tmp_path / "so-tnmt.csv").write_bytes(
        "\ufeffIndicator_Code;area_code;ts;value;ghi_chu\n"
        "TEST.AIR_PM25;724;24/11/2026 08:00;31,5;trạm 1\n"
        "TEST.AIR_PM25;725;2026-11-24T08:00:00+07:00;28.4;\n"
        "\n"
        "TEST.DOSSIER_ON_TIME_RATE;724;2026-11-24;96,1;\n".encode("utf-8")
    )
    report = _run(pull_db, tmp_path)
    assert report.ok and report.rows == 3 and report.rejected == ()
    assert count_observations(pull_db) == 3
    assert (tmp_path / "done" / "so-tnmt.csv").exists() and not (tmp_path / "so-tnmt.csv").exists()
    with pull_db.connection() as conn:
        ts = conn.execute("SELECT min(ts) FROM observation").fetchone()[0]
        status = get_source(conn, "drop")
    assert ts == datetime(2026, 11, 24, 0, 0, tzinfo=LOCAL_TZ)
    assert status.status == "ok" and status.rows_taken == 3


def test_good_xlsx_is_written_and_moved_to_done(pull_db, tmp_path):
    _xlsx(tmp_path / "bao-cao.xlsx", [
        ["indicator_code", "area_code", "period", "value", "ten_chi_tieu"],
        ["TEST.DOSSIER_ON_TIME_RATE", "724", datetime(2026, 11, 1), 95.2, "Tỷ lệ đúng hạn"],
        ["TEST.DOSSIER_ON_TIME_RATE", "725", "2026-11", 91, None],
        [None, None, None, None, None],
    ])
    report = _run(pull_db, tmp_path)
    assert report.ok and report.rows == 2
    assert (tmp_path / "done" / "bao-cao.xlsx").exists()


def test_bad_csv_is_refused_whole_with_row_column_and_reason(pull_db, tmp_path):
    (tmp_path / "bad.csv").write_text(
        "indicator_code,area_code,ts,value\n"
        "TEST.AIR_PM25,724,2026-11-24T08:00:00+07:00,31.5\n"
        "TEST.AIR_PM25,725,2026-11-24T08:00:00+07:00,abc\n"
        "TEST.AIR_PM25,999,2026-11-24T08:00:00+07:00,20\n"
        "NOPE,724,31/02/2026,20\n",
        encoding="utf-8",
    )
    report = _run(pull_db, tmp_path)
    assert report.ok and report.rows == 0 and len(report.rejected) == 1
    assert count_observations(pull_db) == 0  # not even the good row 2
    moved = tmp_path / "rejected" / "bad.csv"
    assert moved.exists() and not (tmp_path / "bad.csv").exists() and not (tmp_path / "done").exists()
    reason = (tmp_path / "rejected" / "bad.csv.reason.txt").read_text(encoding="utf-8")
    assert "bad.csv, row 3, column value: 'abc' is not a number" in reason
    assert "bad.csv, row 4, column area_code: unknown area '999'" in reason
    assert "bad.csv, row 5, column indicator_code: unknown indicator 'NOPE'" in reason
    assert "bad.csv, row 5, column ts: '31/02/2026' is not a valid date" in reason
    assert "Nothing of this file was written" in reason
    with pull_db.connection() as conn:
        [letter] = list_dead_letters(conn, source="file")
    assert letter.topic == "drop" and letter.reason.startswith("bad.csv, row 3, column value")


def test_bad_xlsx_is_refused_and_good_file_beside_it_is_taken(pull_db, tmp_path):
    _xlsx(tmp_path / "a-bad.xlsx", [
        ["indicator_code", "area_code", "ts", "value"],
        ["TEST.AIR_PM25", "724", datetime(2026, 11, 24, 8), 30],
        ["TEST.AIR_PM25", "724", "hôm qua", 31],
    ])
    (tmp_path / "b-good.csv").write_text(
        "indicator_code,area_code,ts,value\nTEST.AIR_PM25,725,2026-11-24T09:00:00+07:00,12\n", encoding="utf-8"
    )
    report = _run(pull_db, tmp_path)
    assert report.ok and report.rows == 1 and report.rejected[0].startswith("a-bad.xlsx, row 3, column ts")
    assert count_observations(pull_db) == 1
    assert (tmp_path / "rejected" / "a-bad.xlsx").exists() and (tmp_path / "done" / "b-good.csv").exists()
    assert "row 3, column ts" in (tmp_path / "rejected" / "a-bad.xlsx.reason.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("nohead.csv", "indicator_code,area_code,value\nTEST.AIR_PM25,724,1\n", "row 1, column ts: a 'ts' or 'period'"),
        ("dupe.csv", "indicator_code,area_code,ts,value\nTEST.AIR_PM25,724,2026-11-24,1\nTEST.AIR_PM25,724,24/11/2026,2\n",
         "row 3, column ts: duplicates row 2"),
        ("empty.csv", "indicator_code,area_code,ts,value\n", "the file has no data rows"),
        ("old.xls", "not really excel", "unsupported file type '.xls'"),
        ("latin1.csv", "indicator_code,area_code,ts,value\nTEST.AIR_PM25,724,2026-11-24,\xe9\n".encode("latin-1"),
         "is not UTF-8 text"),
    ],
)
def test_malformed_files_are_refused(pull_db, tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    report = _run(pull_db, tmp_path)
    assert report.rows == 0 and count_observations(pull_db) == 0
    assert expected in (tmp_path / "rejected" / f"{name}.reason.txt").read_text(encoding="utf-8")


def test_file_still_being_copied_is_left_alone(pull_db, tmp_path):
    path = tmp_path / "copying.csv"
    path.write_text("indicator_code,area_code,ts,value\nTEST.AIR_PM25,724,2026-11-24,1\n", encoding="utf-8")
    report = _run(pull_db, tmp_path, settle_seconds=60)
    assert report.ok and report.rows == 0 and path.exists()
    old = time.time() - 120
    os.utime(path, (old, old))
    assert _run(pull_db, tmp_path, settle_seconds=60).rows == 1


def test_same_file_name_dropped_twice_keeps_both_in_done(pull_db, tmp_path):
    line = "indicator_code,area_code,ts,value\nTEST.AIR_PM25,724,2026-11-2{},1\n"
    scheduler = _scheduler(pull_db, tmp_path)
    try:
        (tmp_path / "daily.csv").write_text(line.format(4), encoding="utf-8")
        scheduler.run_source("drop")
        (tmp_path / "daily.csv").write_text(line.format(5), encoding="utf-8")
        scheduler.run_source("drop")
    finally:
        scheduler.shutdown(wait=False)
    assert len(list((tmp_path / "done").iterdir())) == 2 and count_observations(pull_db) == 2
