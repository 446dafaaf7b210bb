"""Built callback outputs kept in the shared cache, as the JSON data Dash sends.

The read functions of :mod:`layouts.data` cache query results; building Dash
components and plotly figures from them costs as much again (plotly's
validation, one component object per cell, serialisation). A function decorated
with :func:`rendered` returns its output already turned into plain JSON data
(dicts, lists, strings, numbers) and memoized in the shared cache, keyed by every
argument it is given: the data inputs, the viewer's scope, the language and the
theme. So the second viewer of a view, in any gunicorn worker, costs one cache
read. Entries expire like the data they were built from (``SHORT``) and the cache
warmer renews them (:func:`ioc.cache.refresh`, see :mod:`layouts.warm`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

import orjson
from plotly.io.json import to_json_plotly

from ioc.cache import SHORT, memoize

__all__ = ["rendered", "as_json", "plain"]

F = TypeVar("F", bound=Callable[..., Any])


def as_json(output: Any) -> Any:
    """A callback output (components, figures, tuples of them) as the plain JSON data Dash would send."""
    return json.loads(to_json_plotly(output))


def _component(obj: Any) -> Any:
    to_plotly_json = getattr(obj, "to_plotly_json", None)
    if to_plotly_json is None:
        raise TypeError(f"{type(obj).__name__} is not JSON data")
    return to_plotly_json()


def plain(layout: Any) -> Any:
    """A page layout (components around built views) as plain JSON data, for the page router to return.

    Dash encodes a response with plotly's orjson engine, which sends plain data straight to
    orjson but walks a tree holding components, every dict and list of it, in Python: for the
    overview's 220 KB, most of them the built views read from the cache, that walk cost more
    than the rest of the request. Turned to plain data here by orjson itself (components
    through their ``to_plotly_json``), the response is encoded in one pass.
    """
    return orjson.loads(orjson.dumps(layout, default=_component, option=orjson.OPT_SERIALIZE_NUMPY))


def rendered(timeout: int = SHORT) -> Callable[[F], F]:
    """Memoize a builder of callback output in the shared cache, storing what it builds as JSON data."""

    def decorate(build: F) -> F:
        @functools.wraps(build)
        def built(*args: Any, **kwargs: Any) -> Any:
            return as_json(build(*args, **kwargs))

        return memoize(timeout)(built)  # type: ignore[return-value]

    return decorate
