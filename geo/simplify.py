"""Simplified area GeoJSON for maps: fewer vertices at low zoom, shared borders kept shared.

Neighbouring areas are simplified together as one coverage
(``shapely.coverage_simplify``), so simplification never opens gaps or overlaps
between them. The map helper caches the results per zoom.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import shapely
from shapely.geometry import mapping, shape

__all__ = ["tolerance_for_zoom", "simplify_collection"]

logger = logging.getLogger(__name__)

_PIXELS = 0.5  # tolerated error, in screen pixels at the given zoom


def tolerance_for_zoom(zoom: float) -> float:
    """Simplification tolerance in degrees: about half a screen pixel at web-map ``zoom``."""
    if zoom < 0:
        raise ValueError(f"zoom must be >= 0, got {zoom}")
    return _PIXELS * 360.0 / (256 * 2**zoom)


def simplify_collection(collection: dict[str, Any], *, zoom: float | None = None,
                        tolerance: float | None = None) -> dict[str, Any]:
    """A copy of a GeoJSON FeatureCollection with polygon features simplified as one coverage.

    Give ``zoom`` (web-map zoom level) or ``tolerance`` (degrees). Features
    without polygonal geometry are passed through unchanged.
    """
    if tolerance is None:
        if zoom is None:
            raise ValueError("give zoom or tolerance")
        tolerance = tolerance_for_zoom(zoom)
    result = copy.deepcopy(collection)
    features = [f for f in result.get("features", [])
                if f.get("geometry") and f["geometry"]["type"] in ("Polygon", "MultiPolygon")]
    if not features:
        return result
    geometries = [shape(f["geometry"]) for f in features]
    try:
        simplified = shapely.coverage_simplify(geometries, tolerance, simplify_boundary=True)
    except shapely.errors.GEOSException as exc:
        # Not a clean coverage (overlapping imports): simplify one by one instead.
        logger.warning("areas are not a clean coverage (%s); simplifying each separately", exc)
        simplified = shapely.simplify(geometries, tolerance, preserve_topology=True)
    before = sum(shapely.get_num_coordinates(geometries))
    for feature, geometry in zip(features, simplified):
        feature["geometry"] = mapping(geometry)
    after = int(sum(shapely.get_num_coordinates(list(simplified))))
    logger.debug("simplified %s feature(s): %s -> %s vertices (tolerance %.6f°)",
                 len(features), before, after, tolerance)
    return result
