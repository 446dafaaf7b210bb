"""The data-freshness marker: "Cập nhật lúc 08:15 24/11/2026"."""

from __future__ import annotations

from datetime import datetime

from ioc.formatting import format_datetime
from ioc.i18n import t

__all__ = ["freshness_text"]


def freshness_text(moment: datetime | None, lang: str) -> str:
    """When the newest value arrived, in words; says so when nothing has arrived yet."""
    if moment is None:
        return t("freshness.none", lang)
    return t("freshness.at", lang, when=format_datetime(moment, lang))
