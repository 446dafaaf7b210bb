"""The deterministic demo fleet: AI traffic cameras and environmental sensors of Bình Dương.

Devices are placed from two data files in ``ioc/data/devices/``:
``corridors.csv`` (polylines of roads and rivers, vertices labelled with the
crossing street or place) and ``sites.csv`` (industrial parks, flood-prone
points). Commune seats come from the area hierarchy. The same inputs always give
the same fleet, written to ``fleet.csv`` by :func:`write_fleet` (``ioc simulate fleet``).

Placement rules:
- cameras at every labelled road vertex and every ``spacing_km`` between them;
  the provincial administrative centre (kind ``urban``) gets one camera per approach;
- water level on the rivers every ``spacing_km`` and at flood-prone points;
- water quality on the rivers every second gauge and at each industrial park's outfall;
- air quality at every commune seat, two per industrial park and at major road crossings;
- noise at every labelled road crossing.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from collectors.simulators.locator import AreaLocator
from ioc.errors import DataFileError
from ioc.storage.devices import Device

__all__ = [
    "DEVICE_KINDS",
    "Corridor",
    "Site",
    "load_corridors",
    "load_sites",
    "build_fleet",
    "write_fleet",
    "read_fleet",
    "default_fleet_path",
]

#: kind → id prefix
DEVICE_KINDS = {"camera": "cam", "air": "air", "water_level": "wl", "water_quality": "wq", "noise": "noise"}

_DATA = Path(str(resources.files("ioc") / "data" / "devices"))
_CORRIDOR_KINDS = {"road", "urban", "river"}
_SITE_KINDS = {"industrial_park", "flood_point"}
_APPROACHES = ("hướng Bắc", "hướng Nam", "hướng Đông", "hướng Tây")
_TIDAL_RIVERS = {"sai_gon", "dong_nai"}
_MAJOR_ROADS = {"ql13", "ql1a", "ql1k", "dt743", "mptv"}
_FLEET_COLUMNS = ("id", "kind", "name", "area_code", "lon", "lat", "properties")


def default_fleet_path() -> Path:
    """The committed fleet file, ``ioc/data/devices/fleet.csv``."""
    return _DATA / "fleet.csv"


@dataclass(frozen=True, slots=True)
class Vertex:
    """A polyline vertex with the name of the crossing or place there."""

    lon: float
    lat: float
    label: str


@dataclass(frozen=True, slots=True)
class Corridor:
    """A road or river as a polyline of labelled vertices."""

    code: str
    kind: str
    name_vi: str
    lanes: int | None
    spacing_km: float
    vertices: tuple[Vertex, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """A point of interest: an industrial park or a flood-prone point."""

    code: str
    kind: str
    name_vi: str
    lon: float
    lat: float


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise DataFileError(path, 1, f"missing column(s) {', '.join(missing)}")
            for row_no, row in enumerate(reader, start=2):
                yield row_no, row
    except FileNotFoundError:
        raise DataFileError(path, None, "file not found") from None


def _coord(path: Path, row_no: int, row: dict[str, str]) -> tuple[float, float]:
    try:
        lon, lat = float(row["lon"]), float(row["lat"])
    except ValueError:
        raise DataFileError(path, row_no, f"lon/lat must be numbers (got {row['lon']!r}, {row['lat']!r})") from None
    if not (102 <= lon <= 110 and 8 <= lat <= 24):
        raise DataFileError(path, row_no, f"({lon}, {lat}) is not in Vietnam: lon first, then lat, in degrees")
    return lon, lat


def load_corridors(path: Path | None = None) -> list[Corridor]:
    """Read and validate ``corridors.csv``; vertices ordered by ``seq``, corridors in file order."""
    path = path or _DATA / "corridors.csv"
    groups: dict[str, dict] = {}
    for row_no, row in _rows(path, ("corridor", "kind", "name_vi", "lanes", "spacing_km", "seq", "lon", "lat", "label")):
        if row["kind"] not in _CORRIDOR_KINDS:
            raise DataFileError(path, row_no, f"kind must be one of {sorted(_CORRIDOR_KINDS)} (got {row['kind']!r})")
        lon, lat = _coord(path, row_no, row)
        try:
            seq, spacing = int(row["seq"]), float(row["spacing_km"])
            lanes = int(row["lanes"]) if row["lanes"] else None
        except ValueError:
            raise DataFileError(path, row_no, "seq, lanes and spacing_km must be numbers") from None
        if spacing <= 0:
            raise DataFileError(path, row_no, f"spacing_km must be positive (got {spacing})")
        group = groups.setdefault(row["corridor"], {"head": (row["kind"], row["name_vi"], lanes, spacing), "vertices": []})
        if group["head"] != (row["kind"], row["name_vi"], lanes, spacing):
            raise DataFileError(path, row_no, f"corridor {row['corridor']}: kind, name_vi, lanes, spacing_km differ from its first row")
        group["vertices"].append((seq, Vertex(lon, lat, row["label"].strip())))
    corridors = []
    for code, group in groups.items():
        seqs = [s for s, _ in group["vertices"]]
        if len(seqs) < 2 or len(set(seqs)) != len(seqs):
            raise DataFileError(path, None, f"corridor {code} needs at least two vertices with distinct seq")
        vertices = tuple(v for _, v in sorted(group["vertices"], key=lambda item: item[0]))
        corridors.append(Corridor(code, *group["head"], vertices))
    return corridors


def load_sites(path: Path | None = None) -> list[Site]:
    """Read and validate ``sites.csv``."""
    path = path or _DATA / "sites.csv"
    sites = []
    for row_no, row in _rows(path, ("site", "kind", "name_vi", "lon", "lat")):
        if row["kind"] not in _SITE_KINDS:
            raise DataFileError(path, row_no, f"kind must be one of {sorted(_SITE_KINDS)} (got {row['kind']!r})")
        sites.append(Site(row["site"], row["kind"], row["name_vi"], *_coord(path, row_no, row)))
    return sites


def _km(a: Vertex, b: Vertex) -> float:
    k = math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot((b.lon - a.lon) * k, b.lat - a.lat) * 111.32


def _stations(corridor: Corridor, spacing_km: float) -> Iterator[tuple[float, float, float, str | None]]:
    """(lon, lat, km from start, label or None) at each vertex and every ``spacing_km`` between."""
    start = 0.0
    for a, b in zip(corridor.vertices, corridor.vertices[1:]):
        yield a.lon, a.lat, start, a.label
        length = _km(a, b)
        n = int(length // spacing_km)
        for i in range(1, n + 1):
            f = i * spacing_km / length
            if f < 0.97:  # not on top of the next vertex
                yield a.lon + (b.lon - a.lon) * f, a.lat + (b.lat - a.lat) * f, start + length * f, None
        start += length
    last = corridor.vertices[-1]
    yield last.lon, last.lat, start, last.label


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _km_mark(km: float) -> str:
    metres = round(km * 1000)
    return f"Km {metres // 1000}+{metres % 1000:03d}"


class _Builder:
    """Accumulates devices, numbering each kind from 1 and locating each one."""

    def __init__(self, locator: AreaLocator) -> None:
        self.locator = locator
        self.devices: list[Device] = []
        self.counts = dict.fromkeys(DEVICE_KINDS, 0)

    def add(self, kind: str, name: str, lon: float, lat: float, **properties: object) -> None:
        lon, lat = self.locator.inside(lon, lat)
        lon, lat = round(lon, 5), round(lat, 5)
        self.counts[kind] += 1
        device_id = f"{DEVICE_KINDS[kind]}-{self.counts[kind]:04d}"
        self.devices.append(Device(device_id, kind, name, self.locator.locate(lon, lat), lon, lat, dict(properties)))


def _add_cameras(build: _Builder, corridors: list[Corridor]) -> None:
    for c in corridors:
        if c.kind == "urban":
            for v in c.vertices:
                for approach in _APPROACHES:
                    build.add("camera", f"Camera {c.name_vi} – nút {v.label} ({approach})", v.lon, v.lat,
                              corridor=c.code, road=c.name_vi, lanes=c.lanes, approach=approach, site="ttht")
        elif c.kind == "road":
            for lon, lat, km, label in _stations(c, c.spacing_km):
                name = f"Camera nút giao {c.name_vi} – {label}" if label else f"Camera {c.name_vi} – {_km_mark(km)}"
                build.add("camera", name, lon, lat, corridor=c.code, road=c.name_vi, lanes=c.lanes, km=round(km, 2))


def _add_water(build: _Builder, corridors: list[Corridor], sites: list[Site]) -> None:
    for c in (c for c in corridors if c.kind == "river"):
        total_km = sum(_km(a, b) for a, b in zip(c.vertices, c.vertices[1:]))
        for i, (lon, lat, km, label) in enumerate(_stations(c, c.spacing_km)):
            where = label or _km_mark(km)
            # polylines run downstream: the tide is felt more the closer a gauge is to the estuary
            tide_weight = round(km / total_km, 2) if c.code in _TIDAL_RIVERS else 0.0
            build.add("water_level", f"Trạm đo mực nước {_lower_first(c.name_vi)} – {where}", lon, lat,
                      river=c.name_vi, corridor=c.code, km=round(km, 2), tide_weight=tide_weight)
            if i % 2 == 0:
                build.add("water_quality", f"Trạm quan trắc nước {_lower_first(c.name_vi)} – {where}", lon + 0.002, lat,
                          river=c.name_vi, corridor=c.code, km=round(km, 2), source="surface")
    for s in sites:
        if s.kind == "flood_point":
            build.add("water_level", f"Cảm biến ngập – {s.name_vi.removeprefix('Điểm ngập ')}", s.lon, s.lat,
                      site=s.code, flood_point=True)
        else:
            build.add("water_quality", f"Quan trắc nước thải {s.name_vi}", s.lon + 0.003, s.lat - 0.002,
                      site=s.code, source="wastewater")


def _add_air_and_noise(build: _Builder, corridors: list[Corridor], sites: list[Site]) -> None:
    for seat in build.locator.seats:
        build.add("air", f"Trạm quan trắc không khí {seat.unit_type.lower()} {seat.name_vi}".replace("  ", " "),
                  seat.lon + 0.0015, seat.lat + 0.001, setting="urban")
    for s in (s for s in sites if s.kind == "industrial_park"):
        build.add("air", f"Trạm quan trắc không khí {s.name_vi} – cổng chính", s.lon - 0.003, s.lat + 0.002,
                  setting="industrial", site=s.code)
        build.add("air", f"Trạm quan trắc không khí {s.name_vi} – khu xử lý", s.lon + 0.004, s.lat - 0.003,
                  setting="industrial", site=s.code)
    for c in corridors:
        if c.kind == "river":
            continue
        for v in c.vertices:
            if c.code in _MAJOR_ROADS:
                build.add("air", f"Trạm quan trắc không khí {c.name_vi} – {v.label}", v.lon + 0.001, v.lat - 0.001,
                          setting="roadside", corridor=c.code)
            build.add("noise", f"Cảm biến tiếng ồn {c.name_vi} – {v.label}", v.lon - 0.001, v.lat + 0.001,
                      corridor=c.code, setting="urban" if c.kind == "urban" else "roadside")


def build_fleet(
    corridors: list[Corridor] | None = None,
    sites: list[Site] | None = None,
    locator: AreaLocator | None = None,
) -> list[Device]:
    """The whole demo fleet, deterministic for the given inputs (the shipped data files by default)."""
    corridors = corridors if corridors is not None else load_corridors()
    sites = sites if sites is not None else load_sites()
    build = _Builder(locator or AreaLocator())
    _add_cameras(build, corridors)
    _add_water(build, corridors, sites)
    _add_air_and_noise(build, corridors, sites)
    return build.devices


def write_fleet(devices: Iterable[Device], path: Path | None = None) -> Path:
    """Write devices as CSV (properties as compact JSON); return the path."""
    path = path or default_fleet_path()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(_FLEET_COLUMNS)
        for d in devices:
            props = json.dumps(dict(d.properties), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            writer.writerow((d.id, d.kind, d.name, d.area_code, f"{d.lon:.5f}", f"{d.lat:.5f}", props))
    return path


def read_fleet(path: Path | None = None) -> list[Device]:
    """Read and validate a fleet CSV written by :func:`write_fleet`."""
    path = path or default_fleet_path()
    devices, seen = [], set()
    for row_no, row in _rows(path, _FLEET_COLUMNS):
        if row["kind"] not in DEVICE_KINDS:
            raise DataFileError(path, row_no, f"kind must be one of {sorted(DEVICE_KINDS)} (got {row['kind']!r})")
        if row["id"] in seen:
            raise DataFileError(path, row_no, f"duplicate device id {row['id']}")
        seen.add(row["id"])
        try:
            props = json.loads(row["properties"] or "{}")
        except ValueError as exc:
            raise DataFileError(path, row_no, f"properties is not JSON: {exc}") from None
        lon, lat = _coord(path, row_no, row)
        devices.append(Device(row["id"], row["kind"], row["name"], row["area_code"] or None, lon, lat, props))
    return devices
