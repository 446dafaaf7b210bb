"""Pure figure builders of the public-administration page: 766 components, rank history, dossier rates."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from ioc.formatting import format_date, format_number
from ioc.i18n import pick, t
from ioc.procedures import DossierStats
from ioc.score766.components import Component
from ioc.score766.ranking import WeekRank
from ioc.score766.scorecard import UnitResult
from layouts.figures import PALETTES, STATUS_COLOURS, empty_figure

__all__ = ["components_figure", "rank_history_figure", "dossier_figure"]


def _layout(theme: str, lang: str, **extra: object) -> dict:
    p = PALETTES.get(theme, PALETTES["dark"])
    layout = {
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "Inter, 'Segoe UI', Roboto, Arial, sans-serif", "color": p["text"], "size": 13},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8}, "separators": ",." if lang == "vi" else ".,",
        "xaxis": {"gridcolor": p["grid"], "zeroline": False}, "yaxis": {"gridcolor": p["grid"], "zeroline": False},
        "showlegend": False,
    }
    layout.update(extra)
    return layout


def _share_colour(share: float) -> str:
    if share >= 0.9:
        return STATUS_COLOURS["good"]
    return STATUS_COLOURS["warning"] if share >= 0.6 else STATUS_COLOURS["critical"]


def components_figure(unit: UnitResult, components: Sequence[Component], *, lang: str = "vi",
                      theme: str = "dark") -> go.Figure:
    """Each component's points against its maximum ("17,3/18"), coloured by the share reached."""
    if unit.total is None:
        return empty_figure(t("admin.no_scores", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    items = list(reversed(components))  # first component on top
    labels = [("↳ " if c.parent_code else "") + c.label(lang) for c in items]
    scores = [unit.scores.get(c.code) or 0.0 for c in items]
    fig = go.Figure(layout=_layout(theme, lang, barmode="overlay", margin={"l": 8, "r": 70, "t": 8, "b": 8}))
    fig.add_trace(go.Bar(y=labels, x=[c.max_points for c in items], orientation="h", marker={"color": p["grid"]},
                         hoverinfo="skip"))
    fig.add_trace(go.Bar(
        y=labels, x=scores, orientation="h", width=0.55,
        marker={"color": [_share_colour(s / c.max_points) for s, c in zip(scores, items)]},
        text=[f"{format_number(s, lang, decimals=1)}/{format_number(c.max_points, lang, decimals=0)}"
              for s, c in zip(scores, items)],
        textposition="outside", cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(range=[0, max(c.max_points for c in items) * 1.05], showgrid=False, visible=False)
    fig.update_yaxes(automargin=True, showgrid=False)
    return fig


def rank_history_figure(history: Sequence[WeekRank], ranked: int, *, lang: str = "vi",
                        theme: str = "dark") -> go.Figure:
    """A unit's weekly rank (1 at the top) and total, oldest week on the left."""
    if not history:
        return empty_figure(t("admin.no_history", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    weeks = [format_date(h.week, lang) for h in history]
    fig = go.Figure(layout=_layout(theme, lang, margin={"l": 40, "r": 12, "t": 16, "b": 40}))
    fig.add_trace(go.Scatter(
        x=weeks, y=[h.rank for h in history], mode="lines+markers+text", line={"color": p["line"], "width": 3},
        marker={"size": 9}, text=[str(h.rank) for h in history], textposition="top center",
        customdata=[format_number(h.total, lang, decimals=2) for h in history],
        hovertemplate=f"%{{x}}: {t('s766.rank', lang)} %{{y}} — %{{customdata}} {t('s766.points', lang)}<extra></extra>",
    ))
    fig.update_yaxes(autorange=False, range=[max(ranked, max(h.rank for h in history)) + 0.5, 0.2], dtick=1 if ranked <= 12 else 10,
                     title={"text": t("s766.rank", lang)})
    fig.update_xaxes(type="category")
    return fig


def dossier_figure(stats: DossierStats, *, lang: str = "vi", theme: str = "dark", limit: int = 15) -> go.Figure:
    """On-time rate and online-submission share of the units with most dossiers."""
    rows = [r for r in stats.rows if r["received"]][:limit]
    if not rows:
        return empty_figure(t("admin.no_dossiers", lang), theme=theme)
    p = PALETTES.get(theme, PALETTES["dark"])
    names = [pick(lang, r.name_vi, r.name_en) or r.code for r in rows]
    fig = go.Figure(layout=_layout(theme, lang, barmode="group", showlegend=True,
                                   legend={"orientation": "h", "y": 1.08, "x": 0},
                                   margin={"l": 8, "r": 8, "t": 30, "b": 8}))
    for key, label, colour in (("on_time_rate", t("admin.on_time_rate", lang), p["series"][0]),
                               ("online_share", t("admin.online_share", lang), p["series"][1])):
        values = [getattr(r, key) for r in rows]
        fig.add_trace(go.Bar(x=names, y=values, name=label, marker={"color": colour},
                             hovertemplate=f"%{{x}}: %{{y:.1f}}%<extra>{label}</extra>"))
    fig.update_yaxes(range=[0, 100], ticksuffix="%")
    fig.update_xaxes(automargin=True)
    return fig
