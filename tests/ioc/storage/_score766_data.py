"""Small reference data shared by the 766 / procedures storage tests (areas, one sector, indicators)."""

from __future__ import annotations

from ioc.storage.areas import AreaRecord, upsert_areas

AREAS = [
    AreaRecord("74", "Bình Dương", "province"),
    AreaRecord("725", "Dĩ An", "district", parent_code="74", depth=1),
    AreaRecord("718", "Thủ Dầu Một", "district", parent_code="74", depth=1),
    AreaRecord("724", "Thuận An", "district", parent_code="74", depth=1),
    AreaRecord("25942", "Tân Bình", "commune", parent_code="725", depth=2),
    AreaRecord("25945", "Dĩ An", "commune", parent_code="725", depth=2),
    AreaRecord("25747", "Phú Cường", "commune", parent_code="718", depth=2),
]


def seed_reference(conn, indicator_codes, *, unit="điểm", agg="last", frequency="weekly"):
    """Insert the areas, one sector/department and the given indicators (minimal rows)."""
    upsert_areas(conn, AREAS)
    conn.execute("INSERT INTO sector (code, name_vi, name_en) VALUES ('CCHC', 'Cải cách hành chính', 'Admin reform') ON CONFLICT DO NOTHING")
    conn.execute("INSERT INTO department (code, name_vi, name_en) VALUES ('VPUB', 'Văn phòng UBND tỉnh', 'Office') ON CONFLICT DO NOTHING")
    for code in indicator_codes:
        conn.execute(
            "INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency,"
            " agg_time, agg_area, direction, source) VALUES (%s, %s, %s, 'CCHC', 'VPUB', %s, %s, %s, %s,"
            " 'higher_better', 'pull') ON CONFLICT DO NOTHING",
            (code, code, code, unit, frequency, agg, agg),
        )
