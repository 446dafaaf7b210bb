"""Values a callback receives that no page of ours sends: logged and answered, never an HTTP 500.

Dash passes whatever JSON the browser posts to ``/_dash-update-component``: a
store emptied by hand, an id of the wrong type, an object where a string was
expected. A callback keeps the values its page writes and hands anything else
to :func:`refused`, which logs the callback, the input and (shortened) the value
received; the callback then answers with a notice or ``no_update``. The page
router belongs to Dash itself, so :func:`refuse_forged_route` is called from the
app's ``on_error`` handler instead.
"""

from __future__ import annotations

import logging
from typing import Any

import dash
from dash.exceptions import PreventUpdate, UnsupportedRelativePath

__all__ = ["refused", "text_or_none", "texts", "query_value", "refuse_forged_route"]

logger = logging.getLogger(__name__)

_SHOWN = 80  # characters of a refused value put in the log
_ROUTER_OUTPUTS = {"_pages_content", "_pages_store"}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"


def refused(callback: str, input_name: str, value: Any, expected: str) -> None:
    """Log that ``callback`` ignored ``value`` of ``input_name`` (``expected`` says what it takes)."""
    logger.warning("callback %s: refused %s=%s (expected %s)", callback, input_name, _shown(value), expected)


def text_or_none(value: Any) -> str | None:
    """``value`` when it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def texts(value: Any) -> list[str]:
    """The strings of a list input (a multi-select's value); anything else gives []."""
    return [item for item in value if isinstance(item, str) and item] if isinstance(value, (list, tuple)) else []


def query_value(value: Any) -> str | None:
    """A URL query parameter for a page layout: ``?a=1&a=2`` reaches it as a list, keep the first."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str)), None)
    return value if isinstance(value, str) else None


def refuse_forged_route(err: Exception) -> None:
    """Raise ``PreventUpdate`` when Dash's page router failed on a forged pathname or search.

    A browser's ``dcc.Location`` sends text, the pathname under the app's prefix ("/..."):
    anything else (not text, or Dash's ``UnsupportedRelativePath``) was forged. Called by the
    app-wide ``on_error`` handler; other failures of the router are left to raise (real bugs).
    """
    context = dash.callback_context
    outputs = context.outputs_list
    specs = outputs if isinstance(outputs, list) else [outputs]
    ids = [spec.get("id") if isinstance(spec, dict) else None for spec in specs]
    if not ids or not all(isinstance(i, str) and i in _ROUTER_OUTPUTS for i in ids):
        return
    sent = {item.get("property"): item.get("value") for item in context.inputs_list if isinstance(item, dict)}
    pathname, search = sent.get("pathname"), sent.get("search")
    texts_sent = isinstance(pathname, str) and (search is None or isinstance(search, str))
    if texts_sent and not isinstance(err, UnsupportedRelativePath):
        return
    logger.warning("page router: refused pathname=%s search=%s (expected a path under the app and text): %s: %s",
                   _shown(pathname), _shown(search), type(err).__name__, _shown(" ".join(str(err).split())))
    raise PreventUpdate
