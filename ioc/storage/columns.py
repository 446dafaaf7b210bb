"""A batch of observations as three numpy columns: binary COPY bytes and hourly aggregates.

The ingest hot path writes tens of thousands of readings per second from one
Python process. Per-row work in Python (psycopg's ``write_row``, a per-row
GROUP BY in SQL over a staging table) was most of its cost; with the rows held
as ``int64`` / ``int64`` / ``float64`` columns, the PostgreSQL binary COPY
payload and the per-(series, hour) aggregates that feed the rollups are both
built by vectorised numpy code.

Times are microseconds since the Unix epoch (UTC); naive datetimes are taken as UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np

__all__ = ["ObservationColumns", "HourlyAggregates", "US_PER_HOUR", "epoch_seconds"]

US_PER_HOUR = 3_600_000_000
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z, the zero of PostgreSQL's binary timestamptz

# One binary COPY tuple: field count, then (length, value) for int8, timestamptz, float8; big-endian.
_TUPLE = np.dtype(
    [("nf", ">i2"), ("l1", ">i4"), ("sid", ">i8"), ("l2", ">i4"), ("ts", ">i8"), ("l3", ">i4"), ("v", ">f8")]
)
_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_TRAILER = b"\xff\xff"


def epoch_seconds(ts: datetime) -> float:
    """Seconds since the Unix epoch of an aware datetime, or of a naive one taken as UTC."""
    return (ts if ts.tzinfo is not None else ts.replace(tzinfo=timezone.utc)).timestamp()


@dataclass(frozen=True, slots=True)
class HourlyAggregates:
    """Per (series, hour) of a batch: count, sum, min, max and the last value with its time."""

    series_id: np.ndarray
    bucket_us: np.ndarray
    n: np.ndarray
    sum: np.ndarray
    min: np.ndarray
    max: np.ndarray
    last: np.ndarray
    last_us: np.ndarray

    def __len__(self) -> int:
        return len(self.series_id)

    def as_params(self) -> dict[str, list]:
        """Plain lists for a query's array parameters."""
        return {name: getattr(self, name).tolist() for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class ObservationColumns:
    """(series_id, ts, value) rows as columns."""

    series_id: np.ndarray  # int64
    ts_us: np.ndarray  # int64, microseconds since 1970-01-01 UTC
    value: np.ndarray  # float64

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, datetime, float]]) -> ObservationColumns:
        """Columns of (series_id, timezone-aware or UTC-naive datetime, value) rows."""
        rows = rows if isinstance(rows, list) else list(rows)
        n = len(rows)
        sids = np.fromiter((r[0] for r in rows), np.int64, n)
        # datetime.timestamp() is correctly rounded: ×1e6 and rint gives back the exact microsecond.
        seconds = np.fromiter((epoch_seconds(r[1]) for r in rows), np.float64, n)
        values = np.fromiter((r[2] for r in rows), np.float64, n)
        return cls(sids, np.rint(seconds * 1e6).astype(np.int64), values)

    @classmethod
    def from_columns(
        cls, series_ids: list[int] | np.ndarray, seconds: list[float], values: list[float]
    ) -> ObservationColumns:
        """Columns from parallel lists: series ids, epoch seconds (as ``datetime.timestamp()``), values."""
        stamps = np.rint(np.array(seconds, dtype=np.float64) * 1e6).astype(np.int64)
        return cls(np.array(series_ids, dtype=np.int64), stamps, np.array(values, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.series_id)

    def copy_payload(self) -> bytes:
        """The whole ``COPY ... FROM STDIN (FORMAT BINARY)`` stream for these rows."""
        out = np.empty(len(self), dtype=_TUPLE)
        out["nf"], out["l1"], out["l2"], out["l3"] = 3, 8, 8, 8
        out["sid"] = self.series_id
        out["ts"] = self.ts_us - _PG_EPOCH_US
        out["v"] = self.value
        return _HEADER + out.tobytes() + _TRAILER

    def hourly(self) -> HourlyAggregates:
        """Aggregates per (series, hour bucket); ``last`` is the value at the latest time."""
        hour = self.ts_us // US_PER_HOUR
        order = np.lexsort((self.ts_us, hour, self.series_id))
        sid, hour, ts, value = self.series_id[order], hour[order], self.ts_us[order], self.value[order]
        n = len(sid)
        if not n:
            empty_i, empty_f = np.empty(0, np.int64), np.empty(0, np.float64)
            return HourlyAggregates(empty_i, empty_i, empty_i, empty_f, empty_f, empty_f, empty_f, empty_i)
        new_group = np.empty(n, dtype=bool)
        new_group[0] = True
        np.not_equal(sid[1:], sid[:-1], out=new_group[1:])
        new_group[1:] |= hour[1:] != hour[:-1]
        starts = np.flatnonzero(new_group)
        ends = np.append(starts[1:], n) - 1
        return HourlyAggregates(
            series_id=sid[starts],
            bucket_us=hour[starts] * US_PER_HOUR,
            n=np.diff(np.append(starts, n)),
            sum=np.add.reduceat(value, starts),
            min=np.minimum.reduceat(value, starts),
            max=np.maximum.reduceat(value, starts),
            last=value[ends],
            last_us=ts[ends],
        )
