"""History backfill: a year (or N days) of every indicator × area and every device metric.

Values come from the same generators as the live simulator
(:class:`~collectors.simulators.signals.DeviceSignals`,
:class:`~collectors.simulators.indicators.IndicatorSignals`), vectorised per
series, and are written with a bare COPY (:func:`ioc.storage.observations.copy_observations`)
in chunks, each chunk with its hourly and daily rollups in one transaction;
latest values are merged at the end from the last two values written per series.

Resolution (keeps a year within minutes on a small machine, see the README
for measured times): device readings every ``step_s`` (3 hours), hourly over
the last ``hourly_days`` (30), every ``recent_step_s`` (10 minutes) over the
last ``recent_days`` (2); realtime device-fed indicators (area aggregates of
each step's readings) exist only over the recent days; hourly and daily
device-fed ones are computed from each chunk's stored readings by the query of
the live aggregation job (:func:`ioc.storage.aggregation.device_indicator_values`):
one value per hour with readings, one per whole Vietnam day; scheduled indicators
at their own frequency
(hourly, daily at 00:00, weekly on Monday 00:00, monthly on the 1st … Vietnam time).

Camera incidents of the last ``incident_days`` go to the event table
(idempotent: the same hours always give the same incidents).

Running it again is safe and skips what is there: for each series, only
instants before its first or after its last observation inside the window are
written, so a re-run writes nothing new and a backfill after live data fills
the time before it. Gaps *between* existing observations are left as they are.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import compress, repeat

import numpy as np

from collectors.simulators.calendar import period_start
from collectors.simulators.incidents import past_incidents
from collectors.simulators.indicators import IndicatorSignals
from collectors.simulators.patterns import UTC_OFFSET_HOURS
from collectors.simulators.profiles import Profiles, load_profiles
from collectors.simulators.progress import Progress
from collectors.simulators.signals import DeviceSignals
from ioc.model import SeriesKey
from ioc.storage.aggregation import device_indicator_values
from ioc.storage.areas import list_areas
from ioc.storage.db import Database
from ioc.storage.devices import list_devices
from ioc.storage.events import write_events
from ioc.storage.history import analyze_observations, merge_latest, observed_spans
from ioc.storage.observations import copy_observations
from ioc.storage.rollups import refresh_rollups
from ioc.storage.series import resolve_series

__all__ = ["BackfillResult", "backfill", "device_chunks", "district_map"]

logger = logging.getLogger(__name__)

_Spans = dict[int, tuple[datetime, datetime]]


@dataclass(frozen=True)
class BackfillResult:
    """What a backfill did: window, series, rows written, series that had data already, incidents, seconds."""

    since: datetime
    until: datetime
    series: int
    rows: int
    skipped_series: int
    seconds: float
    events: int = 0


def district_map(areas: Sequence) -> dict[str, str]:
    """Each area code → its ancestor just below the root (the district), the root → itself."""
    parent = {a.code: a.parent_code for a in areas}
    out: dict[str, str] = {}
    for code in parent:
        node = code
        while parent.get(node) and parent.get(parent[node]):
            node = parent[node]
        out[code] = node
    return out


def device_chunks(since: datetime, until: datetime, tiers: Sequence[tuple[float, int]],
                  chunk_days: int = 10) -> list[tuple[np.ndarray, int]]:
    """Epoch-second grids for [since, until), coarse to fine: ``tiers`` are (days back, step seconds).

    ``((365, 10800), (30, 3600), (2, 600))``: every 3 hours, hourly over the last
    30 days, every 10 minutes over the last 2. Each finer tier starts at a local
    midnight, and chunks end at local midnight, so a day's aggregates come from
    one chunk.
    """
    start, end = since.timestamp(), until.timestamp()
    window = (end - start) / 86400
    ordered = sorted(tiers, key=lambda tier: -tier[0])

    def bound(days: float) -> float:
        if days >= window:
            return start  # the tier covers the whole window: coarser ones get nothing
        return max(start, period_start("daily", end - days * 86400)) if days > 0 else end

    bounds = [start, *(bound(days) for days, _ in ordered[1:]), end]
    chunks: list[tuple[np.ndarray, int]] = []
    for (lo, hi), (_, step) in zip(zip(bounds, bounds[1:]), ordered):
        grid = np.arange(lo, hi, step, dtype=np.float64)
        if not len(grid):
            continue
        day = (grid + UTC_OFFSET_HOURS * 3600) // 86400
        block = (day - day[0]) // chunk_days
        cuts = np.flatnonzero(np.diff(block)) + 1
        chunks.extend((part, step) for part in np.split(grid, cuts))
    return chunks


def _datetimes(epoch: np.ndarray) -> list[datetime]:
    return [datetime.fromtimestamp(e, timezone.utc) for e in epoch.tolist()]


class _Batch:
    """Rows of one transaction: lazy per-series row iterators, touched series, last two values of each."""

    def __init__(self, spans: _Spans, tails: dict[int, tuple]) -> None:
        self.spans, self.tails = spans, tails
        self.parts: list[Iterator[tuple]] = []
        self.series: list[int] = []

    def add(self, sid: int, epoch: np.ndarray, stamps: list[datetime], values: np.ndarray) -> None:
        span = self.spans.get(sid)
        if span is not None:
            keep = (epoch < span[0].timestamp()) | (epoch > span[1].timestamp())
            if not keep.any():
                return
            stamps, values = list(compress(stamps, keep.tolist())), values[keep]
        if not len(values):
            return
        self.parts.append(zip(repeat(sid), stamps, values.tolist()))
        self.series.append(sid)
        last = (stamps[-1], float(values[-1]))
        prev = (stamps[-2], float(values[-2])) if len(values) > 1 else self.tails.get(sid, (None, None, None, None))[:2]
        self.tails[sid] = (*last, *prev)

    def rows(self) -> Iterator[tuple]:
        for part in self.parts:
            yield from part


class _Writer:
    """Copies batches of rows with their rollups, counting into one progress bar."""

    def __init__(self, db: Database, progress: Progress) -> None:
        self.db, self.progress, self.rows = db, progress, 0
        self._analyzed_at = 0

    def write(self, batch: _Batch, *, since: datetime, until: datetime) -> int:
        if not batch.parts:
            return 0
        with self.db.connection() as conn:
            n = copy_observations(conn, batch.rows())
            if self.rows + n > 2 * self._analyzed_at + 200_000:
                # fresh statistics let the planner find this chunk through the BRIN index on ts
                analyze_observations(conn)
                self._analyzed_at = self.rows + n
            refresh_rollups(conn, since=since, until=until - timedelta(microseconds=1), series_ids=batch.series)
        self.rows += n
        self.progress.update(n)
        return n

    def aggregates(self, codes: list[str], ids: dict[SeriesKey, int], *, since: datetime,
                   until: datetime) -> dict[int, tuple[np.ndarray, list[datetime], np.ndarray]]:
        """Hourly and daily device-fed values of the whole periods in [since, until) from the stored readings.

        Per series id: (epoch seconds, instants, values), oldest first, ready for :meth:`_Batch.add`.
        """
        if not codes:
            return {}
        with self.db.connection() as conn:
            rows = device_indicator_values(conn, since=since, until=until, indicator_codes=codes)
            missing = {SeriesKey.for_indicator(c, a) for c, a, _, _ in rows} - ids.keys()
            if missing:  # a device placed where the fleet map did not expect it
                ids.update(resolve_series(conn, missing))
        per_series: dict[int, list[tuple[datetime, float]]] = {}
        for code, area, ts, value in sorted(rows, key=lambda r: r[2]):
            per_series.setdefault(ids[SeriesKey.for_indicator(code, area)], []).append((ts, value))
        return {sid: (np.array([ts.timestamp() for ts, _ in points]), [ts for ts, _ in points],
                      np.array([v for _, v in points])) for sid, points in per_series.items()}


def _indicator_pass(writer: _Writer, signals: IndicatorSignals, ids: dict[SeriesKey, int], spans: _Spans,
                    tails: dict, since: datetime, until: datetime, per_batch: int = 400) -> None:
    plans = signals.scheduled()
    for start in range(0, len(plans), per_batch):
        batch = _Batch(spans, tails)
        for plan in plans[start : start + per_batch]:
            epoch, by_area = signals.generate(plan, since, until)
            stamps = _datetimes(epoch)
            for area, values in by_area.items():
                batch.add(ids[SeriesKey.for_indicator(plan.code, area)], epoch, stamps, values)
        writer.write(batch, since=since, until=until)


def _device_pass(writer: _Writer, devices: DeviceSignals, signals: IndicatorSignals, ids: dict[SeriesKey, int],
                 spans: _Spans, tails: dict, chunks: list[tuple[np.ndarray, int]], recent_step_s: int) -> None:
    aggregated = [plan.code for plan in signals.aggregated()]
    for epoch, step in chunks:
        values = devices.generate(epoch, step)
        stamps = _datetimes(epoch)
        batch = _Batch(spans, tails)
        for kind, metrics in values.items():
            group = devices.kinds[kind]
            for metric, matrix in metrics.items():
                for j, device_id in enumerate(group.ids):
                    batch.add(ids[SeriesKey.for_device(device_id, metric)], epoch, stamps, matrix[:, j])
        # realtime indicators are kept only where readings are live-like (the recent, finer steps)
        if step <= recent_step_s:
            for code, area, series in signals.realtime_values(values):
                batch.add(ids[SeriesKey.for_indicator(code, area)], epoch, stamps, series)
        lo = datetime.fromtimestamp(epoch[0], timezone.utc)
        hi = datetime.fromtimestamp(epoch[-1] + step, timezone.utc)
        if not writer.write(batch, since=lo, until=hi):
            continue  # no new readings: their hourly and daily aggregates are there already
        # hourly and daily indicators: the live job's query over the readings just written
        areas = _Batch(spans, tails)
        for sid, (instants, times, values) in writer.aggregates(aggregated, ids, since=lo, until=hi).items():
            areas.add(sid, instants, times, values)
        writer.write(areas, since=lo, until=hi)


def _estimate(grid: np.ndarray, keys: list[SeriesKey], ids: dict[SeriesKey, int], spans: _Spans) -> int:
    """Rows a grid gives for these series, leaving out the instants inside each one's existing span."""
    total = len(grid) * len(keys)
    for key in keys:
        span = spans.get(ids[key])
        if span is not None:
            total -= int(np.searchsorted(grid, span[1].timestamp(), "right") - np.searchsorted(grid, span[0].timestamp()))
    return total


def _device_rows(chunks: list[tuple[np.ndarray, int]], keys: list[SeriesKey], frequency: dict[SeriesKey, str],
                 ids: dict[SeriesKey, int], spans: _Spans, recent_step_s: int) -> int:
    """Rows the device pass will write: readings per step, realtime indicators over the recent steps,
    hourly indicators per hour with readings, daily ones per day (whole or not: an estimate)."""
    steps = np.concatenate([c[0] for c in chunks])
    grids = {
        "step": steps,
        "realtime": np.concatenate([c[0] for c in chunks if c[1] <= recent_step_s] or [np.empty(0)]),
        "hourly": np.unique(steps // 3600 * 3600),
        "daily": np.unique((steps + UTC_OFFSET_HOURS * 3600) // 86400 * 86400 - UTC_OFFSET_HOURS * 3600),
    }
    groups: dict[str, list[SeriesKey]] = {}
    for key in keys:
        groups.setdefault(frequency.get(key, "step"), []).append(key)
    return sum(_estimate(grids[g], group, ids, spans) for g, group in groups.items())


def _incidents(db: Database, fleet: Sequence, since: datetime, until: datetime, days: float) -> int:
    cameras = [d for d in fleet if d.kind == "camera"]
    with db.connection() as conn:
        return write_events(conn, past_incidents(cameras, max(since, until - timedelta(days=days)), until))


def backfill(
    db: Database,
    *,
    days: float = 365,
    until: datetime | None = None,
    devices: bool = True,
    indicators: bool = True,
    step_s: int = 3 * 3600,
    hourly_days: float = 30,
    recent_step_s: int = 600,
    recent_days: float = 2,
    profiles: Profiles | None = None,
    catalog: object | None = None,
    seed: int = 766,
    incident_days: float = 30,
    tty: bool | None = None,
) -> BackfillResult:
    """Backfill ``days`` of history up to ``until`` (default: now, to the hour); see the module doc."""
    started = time.monotonic()
    until = until or datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    since = until - timedelta(days=days)
    profiles = profiles or load_profiles()
    with db.connection() as conn:
        areas = list_areas(conn)
        fleet = list_devices(conn)  # also without devices: it tells which indicators the devices feed
    districts = district_map(areas)
    dev = DeviceSignals(fleet if devices else [], profiles, districts, seed=seed)
    ind = IndicatorSignals(areas, profiles, catalog=catalog, seed=seed, devices=fleet, districts=districts)
    scheduled = [SeriesKey.for_indicator(p.code, a) for p in ind.scheduled() for a in p.areas] if indicators else []
    device_keys: list[SeriesKey] = []
    if devices:
        device_keys += [SeriesKey.for_device(d, m) for kind, g in dev.kinds.items() for d in g.ids for m in dev.metrics(kind)]
        device_keys += [SeriesKey.for_indicator(code, a) for code, a in ind.realtime_series()]
        device_keys += [SeriesKey.for_indicator(code, a) for code, a in ind.aggregated_series()]
    with db.connection() as conn:
        ids = resolve_series(conn, scheduled + device_keys)
        spans = observed_spans(conn, list(ids.values()), since=since, until=until)
    chunks = device_chunks(since, until, ((float("inf"), step_s), (hourly_days, 3600), (recent_days, recent_step_s)))
    total = ind.row_estimate(since, until) if indicators else 0
    if devices and chunks:
        frequency = {k: ind.by_code[k.indicator_code].frequency for k in device_keys if k.indicator_code}
        total += _device_rows(chunks, device_keys, frequency, ids, spans, recent_step_s)
    logger.info("backfill %s → %s: %d series (%d with data already), about %d rows",
                since.isoformat(), until.isoformat(), len(ids), len(spans), total)
    tails: dict[int, tuple] = {}
    with Progress(total, what="history backfill", tty=tty) as progress:
        writer = _Writer(db, progress)
        if indicators:
            _indicator_pass(writer, ind, ids, spans, tails, since, until)
        if devices:
            _device_pass(writer, dev, ind, ids, spans, tails, chunks, recent_step_s)
    events = _incidents(db, fleet, since, until, incident_days) if devices and incident_days > 0 else 0
    with db.connection() as conn:
        merge_latest(conn, [(sid, *tail) for sid, tail in tails.items()])
        analyze_observations(conn)
    if events:
        logger.info("backfill: %d camera incidents stored", events)
    return BackfillResult(since, until, len(ids), writer.rows, len(spans), time.monotonic() - started, events)
