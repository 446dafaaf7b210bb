"""Digital addresses (địa chỉ số): the demo set and the H3 cells of every address.

The demo set reproduces phase 1 of Bình Dương's programme: 286,947 objects
(households, agency offices, businesses, schools, health facilities ...) placed
inside the commune polygons, denser where more people live. It is generated
deterministically at load time (a few seconds), so no large file is shipped.
Reading and writing address files is :mod:`geo.address_files`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from typing import Any

import h3
import numpy as np
import shapely
from shapely.geometry import shape

from ioc.storage.addresses import AddressRecord
from ioc.storage.areas import AreaRecord

__all__ = [
    "DEMO_ADDRESS_COUNT",
    "CATEGORIES",
    "generate_demo_addresses",
    "with_h3",
]

logger = logging.getLogger(__name__)

DEMO_ADDRESS_COUNT = 286_947

# category -> (share of the demo set, Vietnamese label used in demo names)
CATEGORIES: dict[str, tuple[float, str]] = {
    "household": (0.850, "Hộ gia đình"),
    "business": (0.090, "Cơ sở kinh doanh"),
    "agency": (0.015, "Cơ quan"),
    "religious": (0.015, "Cơ sở tôn giáo"),
    "school": (0.012, "Trường học"),
    "health": (0.008, "Cơ sở y tế"),
    "market": (0.005, "Chợ"),
    "factory": (0.005, "Nhà xưởng"),
}
_URBAN_FACTOR = {"Phường": 1.25, "Thị trấn": 1.1, "Xã": 0.8}
_STREETS = (
    "Đại lộ Bình Dương", "Quốc lộ 13", "Quốc lộ 1K", "ĐT741", "ĐT742", "ĐT743", "ĐT744", "ĐT746",
    "ĐT747", "ĐT748", "ĐT749", "Mỹ Phước – Tân Vạn", "Huỳnh Văn Lũy", "Nguyễn Văn Tiết",
    "Cách Mạng Tháng Tám", "Yersin", "Phú Lợi", "Lê Hồng Phong", "Nguyễn An Ninh", "Trần Hưng Đạo",
    "Hùng Vương", "Nguyễn Du", "Lý Thường Kiệt", "Lê Lợi", "Nguyễn Trãi", "Võ Văn Kiệt",
)


def _allocate(weights: np.ndarray, n: int) -> np.ndarray:
    """Split ``n`` in proportion to ``weights`` exactly (largest remainders)."""
    exact = weights / weights.sum() * n
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def _sample_in(polygon: Any, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points inside ``polygon``: 70% around a few settlement cores, the rest spread out."""
    shapely.prepare(polygon)
    minx, miny, maxx, maxy = polygon.bounds
    scale = math.sqrt(polygon.area)
    cores_x, cores_y = _uniform_in(polygon, max(2, min(12, count // 400 + 2)), rng, (minx, miny, maxx, maxy))
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    while have < count:
        batch = max(256, (count - have) * 2)
        core = rng.integers(0, len(cores_x), batch)
        clustered = rng.random(batch) < 0.7
        x = np.where(clustered, cores_x[core] + rng.normal(0, scale * 0.12, batch), rng.uniform(minx, maxx, batch))
        y = np.where(clustered, cores_y[core] + rng.normal(0, scale * 0.12, batch), rng.uniform(miny, maxy, batch))
        inside = shapely.contains_xy(polygon, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:count], np.concatenate(ys)[:count]


def _uniform_in(
    polygon: Any, count: int, rng: np.random.Generator, bounds: tuple[float, ...]
) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = bounds
    xs: list[float] = []
    ys: list[float] = []
    while len(xs) < count:
        x, y = rng.uniform(minx, maxx, 64), rng.uniform(miny, maxy, 64)
        keep = shapely.contains_xy(polygon, x, y)
        xs += list(x[keep])
        ys += list(y[keep])
    return np.array(xs[:count]), np.array(ys[:count])


def generate_demo_addresses(
    areas: Sequence[AreaRecord], n: int = DEMO_ADDRESS_COUNT, *, seed: int = 2022
) -> list[AddressRecord]:
    """``n`` addresses inside the leaf areas (communes), weighted by population and urban-ness.

    Deterministic for a given ``areas``, ``n`` and ``seed``. Codes look like
    ``BD-724-25942-000123`` (district, commune, sequence within the commune).
    """
    parents = {a.parent_code for a in areas if a.parent_code}
    leaves = sorted((a for a in areas if a.code not in parents and a.geometry), key=lambda a: a.code)
    if not leaves:
        raise ValueError("no leaf areas with geometry to place addresses in; load the areas first")
    weights = np.array([(a.population or 1) * _URBAN_FACTOR.get(a.unit_type or "", 1.0) for a in leaves], float)
    counts = _allocate(weights, n)
    rng = np.random.default_rng(seed)
    records: list[AddressRecord] = []
    for area, count in zip(leaves, counts):
        if count:
            records += _area_addresses(area, int(count), rng)
    logger.info("generated %s demo addresses in %s areas (seed %s)", len(records), len(leaves), seed)
    return with_h3(records)


def _area_addresses(area: AreaRecord, count: int, rng: np.random.Generator) -> list[AddressRecord]:
    """``count`` demo addresses of one commune, numbered 1..count in its code."""
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][0] for c in names])
    xs, ys = _sample_in(shape(area.geometry), count, rng)
    kinds = rng.choice(len(names), size=count, p=shares / shares.sum())
    numbers = rng.integers(1, 400, count)
    streets = rng.integers(0, len(_STREETS), count)
    prefix = f"BD-{area.parent_code or area.code}-{area.code}-"
    records = []
    for i in range(count):
        category = names[kinds[i]]
        name = None if category == "household" else f"{CATEGORIES[category][1]} {area.name_vi} {i + 1}"
        records.append(AddressRecord(
            code=f"{prefix}{i + 1:06d}", category=category, name=name,
            street=f"{numbers[i]} {_STREETS[streets[i]]}", area_code=area.code,
            lon=round(float(xs[i]), 6), lat=round(float(ys[i]), 6),
        ))
    return records


def with_h3(records: Iterable[Sequence[Any]]) -> list[AddressRecord]:
    """Address records (from records or 7-field tuples) with H3 cells at resolutions 7 and 9."""
    cell = h3.latlng_to_cell
    # positional construction: NamedTuple._replace is several times slower at this volume
    return [AddressRecord(c, k, n, s, a, x, y, cell(y, x, 7), cell(y, x, 9))
            for c, k, n, s, a, x, y, *_ in records]
