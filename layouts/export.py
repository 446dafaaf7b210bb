"""Tables of what a view shows, for CSV and Excel export (pure: records in, DataFrames out)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import pandas as pd

from ioc.formatting import LOCAL_TZ
from ioc.i18n import t
from ioc.storage.timeseries import AreaValue, Point

__all__ = ["series_table", "breakdown_table", "to_csv_bytes", "to_excel_bytes"]


def series_table(series: Mapping[str, Sequence[Point]], names: Mapping[str, str], lang: str) -> pd.DataFrame:
    """One row per (area, time) point: area code, area name, local time, value."""
    rows = [
        (code, names.get(code, code), p.ts.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"), p.value)
        for code, points in series.items()
        for p in points
    ]
    columns = [t("export.area_code", lang), t("export.area", lang), t("export.time", lang), t("export.value", lang)]
    return pd.DataFrame(rows, columns=columns)


def breakdown_table(values: Sequence[AreaValue], lang: str) -> pd.DataFrame:
    """One row per child area: code, name, latest value and its time."""
    rows = [
        (v.code, v.name_vi if lang == "vi" else v.name_en or v.name_vi, v.value,
         v.ts.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if v.ts else "")
        for v in values
    ]
    columns = [t("export.area_code", lang), t("export.area", lang), t("export.value", lang), t("export.time", lang)]
    return pd.DataFrame(rows, columns=columns)


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese names correctly."""
    return table.to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An .xlsx workbook with one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for name, table in sheets.items():
            table.to_excel(writer, sheet_name=name[:31], index=False)
            writer.sheets[name[:31]].set_column(0, len(table.columns) - 1, 20)
    return buffer.getvalue()
