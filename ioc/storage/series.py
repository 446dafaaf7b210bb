"""Series identities: (indicator, area) or (device, metric) → a small integer id.

The observation table refers to series by id; :func:`resolve_series` maps keys to
ids, creating the missing rows in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from ioc.model import SeriesKey

__all__ = ["resolve_series", "series_keys"]

_COLUMNS = ("indicator_code", "area_code", "device_id", "metric")

_INSERT = """
INSERT INTO series (indicator_code, area_code, device_id, metric)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[])
ON CONFLICT ON CONSTRAINT series_identity DO NOTHING
"""

# coalesce() lets the planner hash-join keys whose parts may be NULL.
_SELECT = """
SELECT s.id, s.indicator_code, s.area_code, s.device_id, s.metric
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[]) AS k(i, a, d, m)
JOIN series s
  ON coalesce(s.indicator_code, '') = coalesce(k.i, '')
 AND coalesce(s.area_code, '') = coalesce(k.a, '')
 AND coalesce(s.device_id, '') = coalesce(k.d, '')
 AND coalesce(s.metric, '') = coalesce(k.m, '')
"""


def _order(key: SeriesKey) -> tuple[str, ...]:
    return tuple(getattr(key, col) or "" for col in _COLUMNS)


def _arrays(keys: list[SeriesKey]) -> tuple[list[str | None], ...]:
    return tuple([getattr(k, col) for k in keys] for col in _COLUMNS)


def resolve_series(conn: psycopg.Connection, keys: Iterable[SeriesKey], *, create: bool = True) -> dict[SeriesKey, int]:
    """Ids of the given series keys; missing series are created unless ``create`` is false.

    A key that names an unknown indicator, area or device raises the database's
    foreign-key error: validate before calling.
    """
    # In key order: two writers creating the same new series wait for each other, never deadlock.
    unique = sorted(dict.fromkeys(keys), key=_order)
    if not unique:
        return {}
    arrays = _arrays(unique)
    if create:
        conn.execute(_INSERT, arrays)
    return {SeriesKey(*row[1:]): row[0] for row in conn.execute(_SELECT, arrays)}


def series_keys(conn: psycopg.Connection, ids: Iterable[int]) -> dict[int, SeriesKey]:
    """The keys of the given series ids."""
    rows = conn.execute(
        "SELECT id, indicator_code, area_code, device_id, metric FROM series WHERE id = ANY(%s)", (list(ids),)
    )
    return {row[0]: SeriesKey(*row[1:]) for row in rows}
