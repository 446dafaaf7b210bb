"""Helpers writing a small, valid catalog folder, for tests that break one file at a time."""

from __future__ import annotations

from pathlib import Path

from ioc.catalog.expand import INDICATOR_COLUMNS
from ioc.errors import DataFileError

FILES = {
    "sectors.csv": """code,name_vi,name_en,pillar,sort_order
TTHC,Thủ tục hành chính,Administrative procedures,admin_reform,1
MT,Môi trường,Environment,environment,2
""",
    "departments.csv": """code,name_vi,name_en,short_name
VPUBND,Văn phòng Ủy ban nhân dân tỉnh,Office of the Provincial People's Committee,VP UBND
STNMT,Sở Tài nguyên và Môi trường,Department of Natural Resources and Environment,Sở TN&MT
""",
    "units.csv": """code,name_vi,name_en
%,phần trăm,per cent
hồ sơ,hồ sơ,dossiers
µg/m³,microgam trên mét khối,micrograms per cubic metre
điểm,điểm,points
""",
    "levels.csv": """code,name_vi,name_en
province,Cấp tỉnh,Province
district,Cấp huyện,District
commune,Cấp xã,Commune
""",
    "device_metrics.csv": """device_kind,metric,unit,name_vi,name_en,min,max
air,pm25,µg/m³,Bụi mịn PM2.5,PM2.5,0,1000
""",
    "score766_groups.csv": """# two groups are enough to test the sums
code,name_vi,name_en,max_points,parent_code
A,Nhóm A,Group A,60,
B,Nhóm B,Group B,40,
""",
    "score766_criteria.csv": """code,group_code,name_vi,name_en,max_points,full_marks_at,rate_indicator,formula_vi,formula_en
C1,A,Tiêu chí 1,Criterion 1,60,80,TTHC.TL_DUNGHAN,,
C2,B,Tiêu chí 2,Criterion 2,40,,,,
""",
}

HEADER = ",".join(INDICATOR_COLUMNS)
INDICATORS = [
    # line 2
    "TTHC.HS_TIEPNHAN,Số hồ sơ TTHC tiếp nhận,Dossiers received,TTHC,VPUBND,hồ sơ,daily,sum,sum,,,neutral,,,,"
    "province|district|commune,pull,,,0,,",
    # line 3
    "TTHC.HS_DUNGHAN,Số hồ sơ TTHC giải quyết đúng hạn,Dossiers settled on time,TTHC,VPUBND,hồ sơ,daily,sum,sum,,,"
    "higher_better,,,,province|district|commune,pull,,,0,,",
    # line 4
    "TTHC.TL_DUNGHAN,Tỷ lệ hồ sơ TTHC giải quyết đúng hạn,On-time dossier rate,TTHC,VPUBND,%,daily,ratio,ratio,"
    "TTHC.HS_DUNGHAN,TTHC.HS_TIEPNHAN,higher_better,95,90,98,province|district|commune,derived,,,1,,",
    # line 5
    "MT.PM25,Chỉ số PM2.5 trung bình,Mean PM2.5,MT,STNMT,µg/m³,hourly,mean,mean,,,lower_better,50,150,25,"
    "province|district,mqtt,air,pm25,1,,",
]


def write_catalog(folder: Path, indicators: list[str] | None = None, **overrides: str) -> Path:
    """Write the small catalog to ``folder``; ``overrides`` replace whole files (dots as underscores)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(FILES)
    files["indicators.csv"] = HEADER + "\n" + "\n".join(indicators if indicators is not None else INDICATORS) + "\n"
    for name, text in overrides.items():
        files[name.replace("_csv", ".csv")] = text
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems(exc: DataFileError) -> list[tuple[str, int | None, str]]:
    """(file name, row, reason) of every problem an error lists."""
    found = getattr(exc, "problems", [exc])
    return [(Path(p.path).name, p.row, p.reason) for p in found]
