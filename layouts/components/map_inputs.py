"""What the map callbacks accept from the browser: the values the map page writes, nothing else.

Dash hands a callback whatever JSON was posted to ``/_dash-update-component``. The map's
callbacks read their inputs through :class:`MapInputs`, which keeps a value of the shape the
page writes (a code as text, a list of known layers, a viewport of finite numbers, a plotly
click or map event) and hands anything else to :func:`layouts.inputs.refused` (one log line
naming the callback, the input and the value) and drops it; ``ok`` then tells the callback to
answer with a notice or with no update instead of an HTTP 500.
"""

from __future__ import annotations

import math
from typing import Any

from geo.layers import Viewport
from layouts import map_build as mb
from layouts import map_figures as mf
from layouts.inputs import refused, texts
from layouts.prefs import current_lang, current_theme

__all__ = ["MapInputs"]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class MapInputs:
    """One callback's map inputs as the page writes them; anything else is logged and dropped (``ok`` False)."""

    def __init__(self, callback: str) -> None:
        self.callback = callback
        self.ok = True

    def _refuse(self, name: str, value: Any, expected: str) -> None:
        refused(self.callback, name, value, expected)
        self.ok = False

    def text(self, value: Any, name: str) -> str | None:
        """A dropdown's or store's text (a code), None when empty."""
        if value is None or isinstance(value, str):
            return value or None
        self._refuse(name, value, "text")
        return None

    def names(self, value: Any, name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        """The values of a checklist or multi-select among ``allowed``."""
        kept = tuple(v for v in texts(value) if v in allowed)
        if value is not None and (not isinstance(value, list) or len(kept) != len(value)):
            self._refuse(name, value, f"a list of {', '.join(allowed)}")
        return kept

    def state(self, layers: Any, level: Any, indicator: Any, categories: Any, area: Any, *,
              tile_url: str | None = None) -> mb.MapState:
        """The map state from the toolbar and the drilled-area store (``tile_url``: the base map's)."""
        return mb.MapState(
            layers=frozenset(self.names(layers, "iocmap-layers.value", mb.LAYERS)),
            level=self.text(level, "iocmap-level.value"), area_code=self.text(area, "iocmap-area.data"),
            indicator=self.text(indicator, "iocmap-indicator.value"),
            categories=tuple(sorted(self.names(categories, "iocmap-categories.value", tuple(mf.CATEGORY_COLOURS)))),
            lang=current_lang(), theme=current_theme(), tile_url=tile_url,
        )

    def viewport(self, value: Any) -> tuple[Viewport | None, str | None]:
        """(viewport, revision) kept in the view store; (None, None) when empty or malformed."""
        view = mb.viewport_from_store(value)
        if view is None and value:
            self._refuse("iocmap-view.data", value, "a viewport {lon, lat, zoom, bbox: [4 numbers]}")
            return None, None
        rev = value.get("rev") if view is not None else None
        return view, rev if isinstance(rev, str) and rev else None

    def size(self, value: Any) -> tuple[int, int]:
        """The graph's size in pixels as the browser measured it; (1280, 720) when unknown."""
        if value is None:
            return (1280, 720)
        if isinstance(value, list) and len(value) == 2 and all(_finite(v) and 1 <= v <= 20_000 for v in value):
            return (int(value[0]), int(value[1]))
        self._refuse("iocmap-size.data", value, "[width, height] in pixels")
        return (1280, 720)

    def relayout(self, value: Any) -> dict[str, Any] | None:
        """A ``relayoutData`` event whose centre, zoom and corners are numbers, else None."""
        if not value:
            return None
        if isinstance(value, dict):
            center, zoom, derived = value.get("map.center"), value.get("map.zoom"), value.get("map._derived")
            corners = derived.get("coordinates") if isinstance(derived, dict) else None
            if ((center is None or (isinstance(center, dict) and _finite(center.get("lon"))
                                    and _finite(center.get("lat")) and abs(center["lat"]) <= 90))
                    and (zoom is None or (_finite(zoom) and 0 <= zoom <= mb.MAX_ZOOM))
                    and (derived is None or isinstance(derived, dict))
                    and (corners is None or (isinstance(corners, list) and all(
                        isinstance(c, list) and len(c) == 2 and all(_finite(x) for x in c) for c in corners)))):
                return value
        self._refuse("iocmap-graph.relayoutData", value, "a map event {map.center: {lon, lat}, map.zoom: number}")
        return None

    def point(self, value: Any) -> dict[str, Any] | None:
        """The first clicked point of a ``clickData`` event, with scalar custom data; else None."""
        points = value.get("points") if isinstance(value, dict) else None
        point = points[0] if isinstance(points, list) and points else None
        if isinstance(point, dict):
            trace, custom = point.get("curveNumber"), point.get("customdata")
            scalar = (str, int, float, type(None))
            if (isinstance(trace, int) and not isinstance(trace, bool)
                    and (custom is None or isinstance(custom, scalar)
                         or (isinstance(custom, list) and all(isinstance(c, scalar) for c in custom)))
                    and isinstance(point.get("location"), (str, type(None)))
                    and isinstance(point.get("text"), (str, type(None)))):
                return point
        self._refuse("iocmap-graph.clickData", value, "a click {points: [{curveNumber, customdata, location}]}")
        return None
