"""Exported address CSV files read back right in any CSV reader, line breaks inside cells included."""

from __future__ import annotations

import csv

from geo.address_files import FILE_COLUMNS, read_addresses, write_addresses
from ioc.storage.addresses import AddressRecord


def test_cells_with_line_breaks_are_quoted_for_any_csv_reader(tmp_path):
    records = [
        AddressRecord("BD-724-00001", "household", "Nhà\rông Ba", "Đường\r\nsố 1", "724", 106.76, 10.90),
        AddressRecord("BD-724-00002", "school", "Trường\nTiểu học", None, "724", 106.77, 10.91),
        AddressRecord("BD-724-00003", "clinic", "Trạm y tế", "Lê Lợi", "724", 106.78, 10.92),
    ]
    path = tmp_path / "out.csv"
    assert write_addresses(path, records) == 3
    with path.open(encoding="utf-8", newline="") as f:  # the standard library's reader, default dialect
        rows = list(csv.reader(f))
    assert rows[0] == list(FILE_COLUMNS)
    assert [row[2] for row in rows[1:]] == ["Nhà\rông Ba", "Trường\nTiểu học", "Trạm y tế"]
    assert rows[1][3] == "Đường\r\nsố 1" and len(rows) == 4
    back = read_addresses(path)  # our own import turns a break inside a name into a space
    assert [r.name for r in back] == ["Nhà ông Ba", "Trường Tiểu học", "Trạm y tế"]
    assert [r.code for r in back] == [r.code for r in records]
