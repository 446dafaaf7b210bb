"""Observation batches as columns: the binary COPY stream and the hourly aggregates."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from ioc.model import SeriesKey
from ioc.storage.columns import ObservationColumns
from ioc.storage.observations import copy_observations
from ioc.storage.series import resolve_series

T0 = datetime(2026, 11, 30, 7, 59, 59, 999_999, tzinfo=timezone.utc)

rows_strategy = st.lists(
    st.tuples(
        st.integers(1, 4),
        st.integers(0, 3 * 86_400_000_000).map(lambda us: T0 + timedelta(microseconds=us)),
        st.floats(-1e6, 1e6, allow_nan=False),
    ),
    min_size=1,
    max_size=200,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=200, deadline=None)
@given(rows_strategy)
def test_hourly_aggregates_match_a_plain_group_by(rows):
    groups = defaultdict(list)
    for sid, ts, value in rows:
        groups[(sid, ts.replace(minute=0, second=0, microsecond=0))].append((ts, value))
    agg = ObservationColumns.from_rows(rows).hourly()
    got = {}
    for i in range(len(agg)):
        bucket = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=int(agg.bucket_us[i]))
        got[(int(agg.series_id[i]), bucket)] = (
            int(agg.n[i]), float(agg.min[i]), float(agg.max[i]), float(agg.last[i]),
            datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=int(agg.last_us[i])),
        )
    want = {}
    for key, items in groups.items():
        values = [v for _, v in items]
        last_ts, last = max(items)
        want[key] = (len(items), min(values), max(values), last, last_ts)
    assert got == want
    assert abs(float(agg.sum.sum()) - sum(v for _, _, v in rows)) <= 1e-6 * max(1.0, sum(abs(v) for *_, v in rows))


def test_times_keep_their_microsecond_and_naive_times_are_utc():
    aware = datetime(2026, 11, 30, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=7)))
    naive = datetime(2026, 11, 30, 16, 59, 59, 999_999)
    cols = ObservationColumns.from_rows([(1, aware, 1.0), (2, naive, 2.0)])
    assert cols.ts_us[0] == cols.ts_us[1] == int(aware.timestamp()) * 1_000_000 + 999_999


def test_binary_copy_round_trips_through_postgresql(empty_db):
    key = SeriesKey.for_device("cam-1", "pm25")
    with empty_db.connection() as conn:
        conn.execute("INSERT INTO device (id, kind, name) VALUES ('cam-1', 'air', 'Air 1')")
        sid = resolve_series(conn, [key])[key]
        rows = [(sid, T0 + timedelta(days=i, microseconds=7 * i), (-1) ** i * i / 3) for i in range(500)]
        assert copy_observations(conn, rows) == 500
        stored = conn.execute("SELECT series_id, ts, value FROM observation ORDER BY ts").fetchall()
    assert stored == rows
