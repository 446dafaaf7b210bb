"""Which commune holds a point: demo boundaries when present, else the nearest commune seat.

The fleet generator places devices by coordinates and needs each one's commune
(``area_code``) and a guarantee that it lies inside the province. The area data
files belong to the geo package (``ioc/data/areas/``); this module only reads them.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.ops import unary_union

from ioc.errors import DataFileError

__all__ = ["Seat", "AreaLocator", "default_units_path", "default_geometry_path"]

logger = logging.getLogger(__name__)


def default_units_path() -> Path:
    """The shipped area hierarchy with commune seats (``binhduong_units.csv``)."""
    return Path(str(resources.files("ioc") / "data" / "areas" / "binhduong_units.csv"))


def default_geometry_path() -> Path:
    """The shipped demo boundaries (``binhduong_demo.geojson``)."""
    return Path(str(resources.files("ioc") / "data" / "areas" / "binhduong_demo.geojson"))


@dataclass(frozen=True, slots=True)
class Seat:
    """One commune-level unit: code, name, parent and the coordinates of its seat."""

    code: str
    name_vi: str
    unit_type: str
    parent_code: str
    lon: float
    lat: float


def _read_seats(path: Path, level: str) -> list[Seat]:
    seats = []
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            for row_no, row in enumerate(csv.DictReader(fh), start=2):
                if row.get("level") != level:
                    continue
                try:
                    lon, lat = float(row["seat_lon"]), float(row["seat_lat"])
                except (KeyError, TypeError, ValueError):
                    raise DataFileError(path, row_no, f"{level} {row.get('code')} has no numeric seat_lon/seat_lat") from None
                seats.append(Seat(row["code"], row["name_vi"], row.get("unit_type") or "", row.get("parent_code") or "", lon, lat))
    except FileNotFoundError:
        raise DataFileError(path, None, "area file not found; the geo package ships it (ioc/data/areas/)") from None
    if not seats:
        raise DataFileError(path, None, f"no rows of level {level!r}: the fleet needs commune seats")
    return seats


class AreaLocator:
    """Locate points in communes; move points that fall outside the province just inside it."""

    def __init__(self, units_path: Path | None = None, geometry_path: Path | None = None, *, level: str = "commune") -> None:
        self.seats = _read_seats(units_path or default_units_path(), level)
        self.by_code = {s.code: s for s in self.seats}
        self._shapes: list = []
        self._codes: list[str] = []
        geometry_path = geometry_path or default_geometry_path()
        if geometry_path.exists():
            self._load_geometry(geometry_path)
        else:
            logger.info("no demo boundaries at %s: devices are placed in the commune of the nearest seat", geometry_path)
        self._tree = STRtree(self._shapes) if self._shapes else None
        self.province = unary_union(self._shapes).buffer(0) if self._shapes else None

    def _load_geometry(self, path: Path) -> None:
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
        except (OSError, ValueError, KeyError) as exc:
            raise DataFileError(path, None, f"not a GeoJSON FeatureCollection: {exc}") from exc
        for feature in features:
            code = str((feature.get("properties") or {}).get("code", ""))
            if code in self.by_code and feature.get("geometry"):
                self._shapes.append(shape(feature["geometry"]).buffer(0))
                self._codes.append(code)

    @property
    def has_geometry(self) -> bool:
        """Whether commune polygons were loaded (else seats decide)."""
        return self._tree is not None

    def nearest_seat(self, lon: float, lat: float) -> Seat:
        """The commune whose seat is closest (distances scaled for the latitude)."""
        k = math.cos(math.radians(lat))
        return min(self.seats, key=lambda s: ((s.lon - lon) * k) ** 2 + (s.lat - lat) ** 2)

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies inside the province (always true without boundaries)."""
        return self.province is None or self.province.contains(Point(lon, lat))

    def locate(self, lon: float, lat: float) -> str:
        """Code of the commune containing the point (nearest seat when no polygon holds it)."""
        if self._tree is not None:
            point = Point(lon, lat)
            for index in self._tree.query(point, predicate="within"):
                return self._codes[int(index)]
        return self.nearest_seat(lon, lat).code

    def inside(self, lon: float, lat: float) -> tuple[float, float]:
        """The point itself when inside the province, else moved toward the nearest seat until inside."""
        if self.contains(lon, lat):
            return lon, lat
        seat = self.nearest_seat(lon, lat)
        for step in range(1, 21):
            f = step / 20
            x, y = lon + (seat.lon - lon) * f, lat + (seat.lat - lat) * f
            if self.contains(x, y):
                # a little further in, so that rounding never puts it back on the border
                f = min(1.0, f + 0.05)
                return lon + (seat.lon - lon) * f, lat + (seat.lat - lat) * f
        return seat.lon, seat.lat
