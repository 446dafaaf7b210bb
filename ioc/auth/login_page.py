"""The login page: plain HTML served by Flask (no Dash, so it works before any session)."""

from __future__ import annotations

from urllib.parse import quote

from markupsafe import escape

from ioc.i18n import normalise_language, t

__all__ = ["render_login"]

_ERRORS = {
    "credentials": "login.error.credentials",
    "throttled": "login.error.throttled",
    "csrf": "login.error.csrf",
    "token": "login.error.token",
}

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
background:#0b1426;color:#e6edf7;font-family:"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}}
form{{background:#12213b;border:1px solid #22385e;border-radius:12px;padding:36px 40px;width:340px;
box-shadow:0 10px 40px rgba(0,0,0,.4)}}
h1{{font-size:20px;margin:0 0 4px}} p.sub{{margin:0 0 24px;color:#8fa3c4;font-size:13px}}
label{{display:block;font-size:13px;color:#b8c6dd;margin:14px 0 6px}}
input{{width:100%;box-sizing:border-box;padding:10px 12px;border-radius:8px;border:1px solid #2c4673;
background:#0b1426;color:#e6edf7;font-size:15px}}
button{{margin-top:24px;width:100%;padding:11px;border:0;border-radius:8px;background:#2f7cf6;color:#fff;
font-size:15px;font-weight:600;cursor:pointer}}
.error{{background:#4a1622;border:1px solid #a33b4f;color:#ffd6dd;padding:10px 12px;border-radius:8px;
font-size:13px;margin-bottom:8px}}
.lang{{margin-top:18px;font-size:12px;text-align:center}} .lang a{{color:#8fa3c4}}
</style></head>
<body><form method="post" action="/login">
<h1>{title}</h1><p class="sub">{subtitle}</p>
{error}
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="next" value="{next_path}">
<label for="username">{username_label}</label><input id="username" name="username" autocomplete="username" autofocus required>
<label for="password">{password_label}</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">{submit}</button>
<div class="lang"><a href="/login?lang=vi&amp;next={next_q}">Tiếng Việt</a> · <a href="/login?lang=en&amp;next={next_q}">English</a></div>
</form></body></html>"""


def render_login(*, lang: str, csrf: str, next_path: str, error: str | None = None) -> str:
    """The login form in ``lang``, with an error message when the last try failed."""
    lang = normalise_language(lang)
    message = _ERRORS.get(error or "")
    return _PAGE.format(
        lang=lang,
        title=escape(t("login.title", lang)),
        subtitle=escape(t("login.subtitle", lang)),
        error=f'<div class="error" role="alert">{escape(t(message, lang))}</div>' if message else "",
        csrf=escape(csrf),
        next_path=escape(next_path),
        next_q=escape(quote(next_path, safe="/")),
        username_label=escape(t("login.username", lang)),
        password_label=escape(t("login.password", lang)),
        submit=escape(t("login.submit", lang)),
    )
