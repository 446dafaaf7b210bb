"""A small, realistic dashboard data set for tests: 25 sectors, 100 indicators, 9 districts.

Inserted with plain rows and the storage layer's own writers (areas, readings,
alerts); it never loads the full catalog. Values are chosen so every status
(good, warning, critical, stale) appears.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from shapely.geometry import box, mapping, shape

from ioc.catalog.models import fold_text
from ioc.model import Reading, SeriesKey
from ioc.storage.alerts import AlertDraft, open_or_update
from ioc.storage.areas import AreaRecord, upsert_areas
from ioc.storage.db import Database
from ioc.storage.observations import write_readings
from ioc.storage.series import resolve_series

SECTORS = [
    ("CCHC", "Cải cách hành chính", "Administrative reform"),
    ("TTHC", "Thủ tục hành chính", "Administrative procedures"),
    ("DVC", "Dịch vụ công trực tuyến", "Online public services"),
    ("KTTH", "Kinh tế tổng hợp", "Macro-economy"),
    ("DTU", "Đầu tư", "Investment"),
    ("DN", "Doanh nghiệp", "Enterprises"),
    ("CN", "Công nghiệp", "Industry"),
    ("KCN", "Khu công nghiệp", "Industrial parks"),
    ("TM", "Thương mại và xuất nhập khẩu", "Trade and foreign trade"),
    ("DL", "Du lịch", "Tourism"),
    ("NN", "Nông nghiệp", "Agriculture"),
    ("TCNS", "Tài chính - ngân sách", "Finance and budget"),
    ("THUE", "Thuế", "Taxation"),
    ("NL", "Năng lượng", "Energy"),
    ("KHCN", "Khoa học và công nghệ", "Science and technology"),
    ("XD", "Quy hoạch và xây dựng", "Planning and construction"),
    ("GT", "Giao thông vận tải", "Transport and traffic"),
    ("TNDD", "Tài nguyên và đất đai", "Land and natural resources"),
    ("MT", "Môi trường", "Environment"),
    ("NUOC", "Tài nguyên nước", "Water resources"),
    ("GD", "Giáo dục và đào tạo", "Education and training"),
    ("YT", "Y tế", "Health"),
    ("LD", "Lao động và việc làm", "Labour and employment"),
    ("ASXH", "An sinh xã hội", "Social protection"),
    ("VHTT", "Văn hóa và thể thao", "Culture and sports"),
]

# (code, sector, name_vi, name_en, unit, direction, warning, critical, target, level, decimals, agg)
HEADLINE = [
    ("TTHC_ONTIME", "TTHC", "Tỷ lệ hồ sơ giải quyết đúng hạn", "Dossiers settled on time", "%",
     "higher_better", 90, 80, 95, 93.4, 1, "mean"),
    ("CCHC_766", "CCHC", "Điểm Bộ chỉ số 766 của tỉnh", "Province score of index 766", "điểm",
     "higher_better", 75, 65, 80, 77.84, 2, "last"),
    ("DVC_ONLINE", "DVC", "Tỷ lệ hồ sơ nộp trực tuyến", "Dossiers filed online", "%",
     "higher_better", 50, 40, 60, 44.2, 1, "mean"),
    ("DN_NEW", "DN", "Doanh nghiệp thành lập mới", "New enterprises", "doanh nghiệp",
     "higher_better", 20, 10, 30, 34, 0, "sum"),
    ("TCNS_REV", "TCNS", "Thu ngân sách trong ngày", "Budget revenue today", "tỷ đồng",
     "higher_better", 150, 100, 200, 186.5, 1, "sum"),
    ("GT_ACCIDENT", "GT", "Số vụ tai nạn giao thông", "Traffic accidents", "vụ",
     "lower_better", 3, 6, 2, 7, 0, "sum"),
    ("MT_AQI", "MT", "Chỉ số chất lượng không khí (AQI)", "Air quality index (AQI)", "AQI",
     "lower_better", 100, 150, 50, 68, 0, "mean"),
    ("YT_DENGUE", "YT", "Ca sốt xuất huyết mới", "New dengue cases", "ca",
     "lower_better", 40, 80, 20, 52, 0, "sum"),
]

PROVINCE = "74"
DISTRICT_NAMES = {
    "718": "Thủ Dầu Một", "719": "Bàu Bàng", "720": "Dầu Tiếng", "721": "Bến Cát", "722": "Phú Giáo",
    "723": "Tân Uyên", "724": "Dĩ An", "725": "Thuận An", "726": "Bắc Tân Uyên",
}
COMMUNE_NAMES = {
    "718": ["Phú Cường", "Hiệp Thành", "Chánh Nghĩa"],
    "724": ["Dĩ An", "Tân Bình", "Đông Hòa"],
}
MAIN = "TTHC_ONTIME"


@dataclass(frozen=True)
class Seeded:
    """What the seed wrote, for assertions."""

    indicators: int
    sectors: int
    main_indicator: str
    province: str
    district: str
    communes: list[str]
    series_points_30d: int


def _district_geometries(geo_dir: Path | None) -> dict[str, dict]:
    if geo_dir is not None and (geo_dir / "binhduong_districts.geojson").exists():
        features = json.loads((geo_dir / "binhduong_districts.geojson").read_text(encoding="utf-8"))["features"]
        return {f["properties"]["code"]: f["geometry"] for f in features}
    return {code: mapping(box(106.3 + 0.07 * n, 11.0, 106.37 + 0.07 * n, 11.1)) for n, code in enumerate(DISTRICT_NAMES)}


def seed_areas(db: Database, geo_dir: Path | None) -> list[AreaRecord]:
    """Province, 9 districts (real boundaries when the test data is there), communes of two districts."""
    geoms = _district_geometries(geo_dir)
    records = [AreaRecord(PROVINCE, "Bình Dương", "province", name_en="Binh Duong", depth=0)]
    for code, name in DISTRICT_NAMES.items():
        poly = shape(geoms[code])
        point = poly.representative_point()
        records.append(AreaRecord(code, name, "district", parent_code=PROVINCE, depth=1, geometry=mapping(poly),
                                  centroid_lon=point.x, centroid_lat=point.y))
        for n, commune in enumerate(COMMUNE_NAMES.get(code, [])):
            west, south, east, north = poly.bounds
            step = (east - west) / 3
            part = poly.intersection(box(west + n * step, south, west + (n + 1) * step, north))
            rp = part.representative_point()
            records.append(AreaRecord(f"{code}{n + 1:02d}", commune, "commune", parent_code=code, depth=2,
                                      geometry=mapping(part), centroid_lon=rp.x, centroid_lat=rp.y))
    with db.connection() as conn:
        upsert_areas(conn, records)
    return records


def seed_catalog(db: Database) -> list[tuple]:
    """25 sectors, 3 departments, 8 headline indicators and 92 more (4 per sector)."""
    indicators = []
    for code, sector, vi, en, unit, direction, warning, critical, target, _level, decimals, agg in HEADLINE:
        indicators.append((code, vi, en, sector, "STTTT" if sector in ("CCHC", "TTHC", "DVC") else "SKHDT", unit,
                           "daily", agg, direction, warning, critical, target, decimals))
    for n, (sector, vi, en) in enumerate(SECTORS):
        for k in range(1, 5 if sector not in {h[1] for h in HEADLINE} else 4):
            indicators.append((f"{sector}_{k:02d}", f"{vi}: chỉ tiêu {k}", f"{en}: indicator {k}", sector, "SNV",
                               "%", "daily", "mean", "higher_better", 70.0, 50.0, None, 1))
    with db.connection() as conn:
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO sector (code, name_vi, name_en, sort_order) VALUES (%s, %s, %s, %s)",
                            [(c, vi, en, n) for n, (c, vi, en) in enumerate(SECTORS)])
            cur.executemany("INSERT INTO department (code, name_vi, name_en, short_name) VALUES (%s, %s, %s, %s)",
                            [("STTTT", "Sở Thông tin và Truyền thông", "Department of Information and Communications", "TT&TT"),
                             ("SKHDT", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment", "KH&ĐT"),
                             ("SNV", "Sở Nội vụ", "Department of Home Affairs", "Nội vụ")])
            cur.executemany(
                "INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency,"
                " agg_time, agg_area, direction, warning, critical, target, decimals, source, search_text, levels)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'mean', %s, %s, %s, %s, %s, 'upload', %s,"
                " '{province,district,commune}')",
                [(*row, fold_text(row[0], row[1], row[2])) for row in indicators],
            )
    return indicators


def _wave(day: int, base: float, amplitude: float) -> float:
    return base + amplitude * math.sin(day / 9.0) + amplitude * 0.3 * math.cos(day / 2.3)


def _cap(unit: str, value: float) -> float:
    """Percentages stay below 100."""
    return round(min(value, 99.6) if unit == "%" else value, 2)


def seed_values(db: Database, indicators: list[tuple], now: datetime) -> int:
    """A year of daily history for headline KPIs, district/commune values, 2 days of hourly raw data."""
    today = now.replace(minute=0, second=0, microsecond=0)
    readings: list[Reading] = []
    for code, _s, _vi, _en, unit, _d, _w, _c, _t, level, _dec, _agg in HEADLINE:
        amplitude = max(abs(level) * 0.04, 1.0)
        for day in range(365, 0, -1):
            readings.append(Reading(SeriesKey.for_indicator(code, PROVINCE), today - timedelta(days=day),
                                    _cap(unit, _wave(day, level, amplitude))))
        readings.append(Reading(SeriesKey.for_indicator(code, PROVINCE), today - timedelta(minutes=5), level))
        for n, district in enumerate(DISTRICT_NAMES):
            district_level = level * (0.88 + 0.03 * n) if unit != "%" else min(level * (0.88 + 0.03 * n), 99.5)
            for day in range(30, 0, -1):
                readings.append(Reading(SeriesKey.for_indicator(code, district), today - timedelta(days=day),
                                        _cap(unit, _wave(day + n, district_level, amplitude))))
            readings.append(Reading(SeriesKey.for_indicator(code, district), today - timedelta(minutes=5),
                                    round(district_level, 2)))
            for k, _name in enumerate(COMMUNE_NAMES.get(district, [])):
                readings.append(Reading(SeriesKey.for_indicator(code, f"{district}{k + 1:02d}"),
                                        today - timedelta(minutes=5), _cap(unit, district_level * (0.94 + 0.03 * k))))
    for hour in range(47, 0, -1):
        readings.append(Reading(SeriesKey.for_indicator(MAIN, PROVINCE), today - timedelta(hours=hour),
                                round(_wave(hour, 93.0, 1.5), 2)))
    latest: list[Reading] = []
    for n, row in enumerate(indicators[len(HEADLINE):]):
        code = row[0]
        value = (95.0, 62.0, 41.0, 88.0)[n % 4]  # good, warning, critical, good
        age = timedelta(days=9) if n % 7 == 3 else timedelta(hours=2)  # some stale
        readings.append(Reading(SeriesKey.for_indicator(code, PROVINCE), now - age - timedelta(days=1), value - 2))
        latest.append(Reading(SeriesKey.for_indicator(code, PROVINCE), now - age, value))
    with db.connection() as conn:
        # Two batches, so latest_value keeps the previous value for "change vs previous".
        written = write_readings(conn, [r for r in readings if r.ts < today - timedelta(minutes=10)])
        written += write_readings(conn, [r for r in readings if r.ts >= today - timedelta(minutes=10)] + latest)
    return written


def seed_alerts(db: Database) -> int:
    """Three open alerts on headline indicators."""
    drafts = [
        ("GT_ACCIDENT", "critical", "Số vụ tai nạn giao thông vượt ngưỡng nghiêm trọng: 7 vụ",
         "Traffic accidents above the critical threshold: 7"),
        ("DVC_ONLINE", "warning", "Tỷ lệ hồ sơ nộp trực tuyến dưới ngưỡng cảnh báo: 44,2%",
         "Share of dossiers filed online below warning: 44.2%"),
        ("YT_DENGUE", "warning", "Ca sốt xuất huyết mới vượt ngưỡng cảnh báo: 52 ca",
         "New dengue cases above warning: 52"),
    ]
    with db.connection() as conn:
        ids = resolve_series(conn, [SeriesKey.for_indicator(code, PROVINCE) for code, *_ in drafts])
        for code, severity, vi, en in drafts:
            open_or_update(conn, AlertDraft(rule="threshold", severity=severity, message_vi=vi, message_en=en,
                                            series_id=ids[SeriesKey.for_indicator(code, PROVINCE)]))
    return len(drafts)


def seed_dashboard(db: Database, *, geo_dir: Path | None = None, now: datetime | None = None) -> Seeded:
    """Write the whole test data set into an empty migrated database."""
    now = now or datetime.now(timezone.utc)
    seed_areas(db, geo_dir)
    indicators = seed_catalog(db)
    seed_values(db, indicators, now)
    seed_alerts(db)
    return Seeded(indicators=len(indicators), sectors=len(SECTORS), main_indicator=MAIN, province=PROVINCE,
                  district="724", communes=["72401", "72402", "72403"], series_points_30d=0)
