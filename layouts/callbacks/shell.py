"""Shell callbacks: freshness marker, language and theme toggles."""

from __future__ import annotations

from dash import Input, Output, callback, clientside_callback

from layouts import data
from layouts.components.freshness import freshness_text
from layouts.prefs import LANG_COOKIE, THEME_COOKIE, current_lang

__all__ = ["update_freshness"]


@callback(Output("freshness", "children"), Input("tick", "n_intervals"))
def update_freshness(_tick: int | None) -> str:
    """'Cập nhật lúc …' from the newest stored indicator value."""
    return freshness_text(data.freshness(), current_lang())


# A preference is a cookie read by every layout and callback; the reload applies it everywhere.
clientside_callback(
    f"""
    function(nVi, nEn) {{
        const ctx = window.dash_clientside.callback_context;
        if (!ctx.triggered.length || !ctx.triggered[0].value) {{ return window.dash_clientside.no_update; }}
        const lang = ctx.triggered[0].prop_id.startsWith('lang-en') ? 'en' : 'vi';
        document.cookie = '{LANG_COOKIE}=' + lang + '; path=/; max-age=31536000; SameSite=Lax';
        const url = new URL(window.location.href);
        url.searchParams.delete('lang');
        window.location.replace(url.toString());
        return lang;
    }}
    """,
    Output("lang-sink", "data"),
    Input("lang-vi", "n_clicks"),
    Input("lang-en", "n_clicks"),
    prevent_initial_call=True,
)

clientside_callback(
    f"""
    function(n) {{
        if (!n) {{ return window.dash_clientside.no_update; }}
        const root = document.getElementById('app-root');
        const next = root.classList.contains('theme-dark') ? 'light' : 'dark';
        document.cookie = '{THEME_COOKIE}=' + next + '; path=/; max-age=31536000; SameSite=Lax';
        window.location.reload();
        return next;
    }}
    """,
    Output("theme-sink", "data"),
    Input("theme-toggle", "n_clicks"),
    prevent_initial_call=True,
)
