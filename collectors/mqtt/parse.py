"""From one MQTT message to one :class:`~collectors.accumulator.Delivery`, never raising.

Checks, in order: the topic scheme, the payload shape (schemas), the subject
(known device, indicator and area — unknown ones are refused: devices are
registered by the fleet loader, see docs/mqtt.md), each metric against the
device-metric catalog (name, unit, range) and each time against the clock
(not more than ``max_future`` ahead nor ``max_age`` behind). A message is
all-or-nothing: one bad reading refuses the whole message into the dead letters.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone

from collectors.accumulator import Delivery, Row
from collectors.metric import MetricRule, MetricRules
from collectors.mqtt import const, fastpath, schemas
from collectors.mqtt.fiware import map_fiware
from collectors.mqtt.registry import Registry
from ioc.errors import PayloadRejected
from ioc.model import Event, SeriesKey
from ioc.storage.dead_letters import DeadLetter

__all__ = ["MessageParser", "same_unit"]

logger = logging.getLogger(__name__)

_ROUTE_CACHE = 100_000  # topics remembered (one per device and channel in practice)
_UNIT_ALIASES = {"ug/m3": "µg/m³", "µg/m3": "µg/m³", "mg/m3": "mg/m³", "degC": "°C", "deg C": "°C", "C": "°C", "uS/cm": "µS/cm"}


def same_unit(given: str, expected: str) -> bool:
    """Whether a payload's unit names the catalog unit (common ASCII spellings accepted)."""
    return _UNIT_ALIASES.get(given, given) == _UNIT_ALIASES.get(expected, expected)


class MessageParser:
    """Validates messages of one topic prefix against the registry and the metric rules."""

    def __init__(
        self,
        prefix: str,
        rules: MetricRules,
        registry: Registry,
        *,
        max_future: float = 10 * 60.0,
        max_age: float = 30 * 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.prefix = prefix
        self.rules = rules
        self.registry = registry
        self.max_future = max_future
        self.max_age = max_age
        self.clock = clock
        self._keys: dict[tuple[str, str], SeriesKey] = {}
        self._routes: dict[str, const.Route] = {}  # topic → channel and subject, for known-good topics
        self.rejected = 0
        self._handlers = {
            const.TELEMETRY: self._telemetry,
            const.EVENTS: self._events,
            const.STATUS: self._status,
            const.INDICATOR: self._indicator,
        }

    def parse(self, topic: str, payload: bytes, *, token: object = None) -> Delivery:
        """The delivery for one message: its readings/events/status, or one dead letter."""
        try:
            where = self._routes.get(topic)
            if where is None:
                where = const.route(self.prefix, topic)
                if where is not None and len(self._routes) < _ROUTE_CACHE:
                    self._routes[topic] = where
            if where is None:
                raise PayloadRejected(f"topic is not in the scheme under {self.prefix}/ (see docs/mqtt.md)")
            if where.channel == const.TELEMETRY:
                delivery = self._fast(where.subject, payload, token)
                if delivery is not None:
                    return delivery
            delivery = self._handlers[where.channel](where.subject, payload)
        except PayloadRejected as exc:
            return self.reject(topic, payload, exc.reason, token=token)
        except schemas.ValidationError as exc:
            return self.reject(topic, payload, schemas.describe_error(exc), token=token)
        delivery.token = token
        return delivery

    def reject(self, topic: str, payload: bytes, reason: str, *, token: object = None) -> Delivery:
        """A delivery holding only the dead letter for a refused message."""
        self.rejected += 1
        logger.info("refused message on %s: %s", topic, reason)
        letter = DeadLetter(topic, bytes(payload), reason, datetime.now(timezone.utc))
        return Delivery(dead=[letter], token=token)

    # -- checks shared by the channels -------------------------------------------------

    def _check_time(self, ts: datetime, where: str) -> None:
        now = self.clock()
        stamp = ts.timestamp()
        if stamp > now + self.max_future:
            raise PayloadRejected(f"{where}ts {ts.isoformat()} is in the future (clock ahead by {stamp - now:.0f} s)")
        if stamp < now - self.max_age:
            raise PayloadRejected(f"{where}ts {ts.isoformat()} is older than {self.max_age / 86400:.0f} days")

    def _device_kind(self, device_id: str) -> str:
        kind = self.registry.device_kind(device_id)
        if kind is None:
            raise PayloadRejected(f"unknown device {device_id!r}: register it in the device table first")
        return kind

    def _key(self, device_id: str, metric: str) -> SeriesKey:
        key = self._keys.get((device_id, metric))
        if key is None:
            key = self._keys[(device_id, metric)] = SeriesKey.for_device(device_id, metric)
        return key

    def _rule(self, kind: str, metric: str, where: str) -> MetricRule:
        rule = self.rules.get(kind, metric)
        if rule is None:
            known = ", ".join(self.rules.metrics(kind)) or "none"
            raise PayloadRejected(f"{where}metric {metric!r} is not reported by {kind} devices (known: {known})")
        return rule

    def _device_rows(
        self, device_id: str, kind: str, items: list[tuple], labels: Callable[[int], str]
    ) -> tuple[list[Row], list[float]]:
        """Check (metric, value, ts, unit) items; return the rows and their epoch seconds.

        ``labels(i)`` names item i in a refusal.
        """
        now = self.clock()
        lo, hi = now - self.max_age, now + self.max_future
        rules: dict[str, tuple[MetricRule, SeriesKey]] = {}
        rows: list[Row] = []
        stamps: list[float] = []
        append, append_stamp = rows.append, stamps.append
        for i, (metric, value, ts, unit) in enumerate(items):
            known = rules.get(metric)
            if known is None:
                known = rules[metric] = (self._rule(kind, metric, labels(i)), self._key(device_id, metric))
            rule = known[0]
            if not rule.min <= value <= rule.max:
                raise PayloadRejected(f"{labels(i)}{metric} = {value:g} is outside [{rule.min:g}, {rule.max:g}] {rule.unit}")
            if unit is not None and not same_unit(unit, rule.unit):
                raise PayloadRejected(f"{labels(i)}unit {unit!r} for {metric}, expected {rule.unit!r}")
            stamp = ts.timestamp()
            if stamp > hi or stamp < lo:
                self._check_time(ts, labels(i))
            append((known[1], ts, value))
            append_stamp(stamp)
        return rows, stamps

    def _batch(self, device_id: str, kind: str, readings: list[dict]) -> Delivery:
        """The delivery of a validated ``readings`` batch: whole-batch checks, item by item only to name a refusal."""
        first = readings[0]["metric"]
        if all(r["metric"] == first for r in readings) and not any("unit" in r for r in readings):
            run = self._run(device_id, kind, first, [r["value"] for r in readings], [r["ts"] for r in readings])
            if run is not None:
                return run
        items = [(r["metric"], r["value"], r["ts"], r.get("unit")) for r in readings]
        return self._readings(device_id, *self._device_rows(device_id, kind, items, lambda i: f"readings.{i}: "))

    def _run(self, device_id: str, kind: str, metric: str, values: list[float], times: list[datetime]) -> Delivery | None:
        """A batch of one metric checked with a few C-level passes and min/max; None when a check fails.

        A fraction of the per-item loop's cost at 100 readings a message. The caller
        then checks item by item (:meth:`_device_rows`) to name the first bad one.
        """
        rule = self.rules.get(kind, metric)
        if rule is None:
            return None
        stamps = list(map(datetime.timestamp, times))
        now = self.clock()
        newest = max(stamps)
        if (
            rule.min <= min(values)
            and max(values) <= rule.max
            and now - self.max_age <= min(stamps)
            and newest <= now + self.max_future
        ):
            return Delivery(
                run=(self._key(device_id, metric), times, values), stamps=stamps,
                seen=(device_id, times[stamps.index(newest)]),
            )
        return None

    def _fast(self, device_id: str, payload: bytes, token: object) -> Delivery | None:
        """The delivery of a plain single reading or one-metric batch (see :mod:`.fastpath`), or None.

        Every check of the schema path, written out in one place for the single reading
        because this runs for every message: a few microseconds per message are a
        large share of what the collector can take. None sends the message through
        the schemas, which also word a refusal.
        """
        kind = self.registry.device_kind(device_id)
        if kind is None:
            return None
        data = fastpath.decode(payload)
        if type(data) is not dict:
            return None
        if "readings" in data:
            batch = fastpath.one_metric_batch(data, schemas.MAX_BATCH)
            delivery = None if batch is None else self._run(device_id, kind, *batch)
            if delivery is not None:
                delivery.token = token
            return delivery
        single = fastpath.single_reading(data)
        if single is None:
            return None
        metric, value, ts = single
        rule = self.rules.get(kind, metric)
        if rule is None or not rule.min <= value <= rule.max:
            return None
        stamp = ts.timestamp()
        now = self.clock()
        if stamp > now + self.max_future or stamp < now - self.max_age:
            return None
        key = self._keys.get((device_id, metric)) or self._key(device_id, metric)
        return Delivery.reading(key, ts, value, stamp, device_id, token)

    # -- channels --------------------------------------------------------------------------

    def _telemetry(self, device_id: str, payload: bytes) -> Delivery:
        kind = self._device_kind(device_id)
        data = schemas.TELEMETRY.validate_json(payload)
        if "metric" in data and "value" in data and "ts" in data and (len(data) == 3 or len(data) == 4 and "unit" in data):
            return self._one_reading(device_id, kind, data)  # the most frequent message, kept short
        if "type" in data:
            ts, pairs = map_fiware(json.loads(payload), device_kind=kind, unit_of=self._unit_of(kind))
            items = [(m, v, ts, None) for m, v in pairs]
            rows, stamps = self._device_rows(device_id, kind, items, lambda i: f"FIWARE {items[i][0]}: ")
        elif "readings" in data:
            if "metric" in data or "values" in data:
                raise PayloadRejected("give either readings, values or metric/value, not several")
            return self._batch(device_id, kind, data["readings"])
        elif "values" in data:
            if "metric" in data or "ts" not in data:
                raise PayloadRejected("a values snapshot needs ts and no metric")
            ts = data["ts"]
            items = [(m, v, ts, None) for m, v in data["values"].items()]
            rows, stamps = self._device_rows(device_id, kind, items, lambda i: f"values.{items[i][0]}: ")
        elif "metric" in data:
            missing = [k for k in ("value", "ts") if k not in data]
            if missing:
                raise PayloadRejected(f"a reading needs {' and '.join(missing)}")
            items = [(data["metric"], data["value"], data["ts"], data.get("unit"))]
            rows, stamps = self._device_rows(device_id, kind, items, lambda i: "")
        else:
            raise PayloadRejected("no reading: expected metric/value/ts, values, readings or a FIWARE type")
        return self._readings(device_id, rows, stamps)

    @staticmethod
    def _readings(device_id: str, rows: list[Row], stamps: list[float]) -> Delivery:
        newest = rows[0][1] if len(rows) == 1 else rows[stamps.index(max(stamps))][1]
        return Delivery(rows, stamps=stamps, seen=(device_id, newest))

    def _one_reading(self, device_id: str, kind: str, data: dict) -> Delivery:
        """A validated single ``{"metric", "value", "ts"[, "unit"]}`` reading: the checks of :meth:`_device_rows`."""
        metric, value, ts = data["metric"], data["value"], data["ts"]
        rule = self._rule(kind, metric, "")
        if not rule.min <= value <= rule.max:
            raise PayloadRejected(f"{metric} = {value:g} is outside [{rule.min:g}, {rule.max:g}] {rule.unit}")
        unit = data.get("unit")
        if unit is not None and not same_unit(unit, rule.unit):
            raise PayloadRejected(f"unit {unit!r} for {metric}, expected {rule.unit!r}")
        stamp = ts.timestamp()
        now = self.clock()
        if stamp > now + self.max_future or stamp < now - self.max_age:
            self._check_time(ts, "")
        return Delivery([(self._key(device_id, metric), ts, value)], stamps=[stamp], seen=(device_id, ts))

    def _unit_of(self, kind: str) -> Callable[[str], str | None]:
        def unit_of(metric: str) -> str | None:
            rule = self.rules.get(kind, metric)
            return rule.unit if rule else None

        return unit_of

    def _events(self, device_id: str, payload: bytes) -> Delivery:
        self._device_kind(device_id)
        data = schemas.EVENTS.validate_json(payload)
        if "events" in data:
            if "kind" in data:
                raise PayloadRejected("give either events or one event's kind/ts, not both")
            items = data["events"]
        elif "kind" in data and "ts" in data:
            items = [data]
        else:
            raise PayloadRejected("an event needs kind and ts (or a list under events)")
        events = []
        for i, item in enumerate(items):
            where = f"events.{i}: " if "events" in data else ""
            area = item.get("area")
            if area is not None and not self.registry.has_area(area):
                raise PayloadRejected(f"{where}unknown area {area!r}")
            self._check_time(item["ts"], where)
            events.append(
                Event(item["ts"], item["kind"], device_id, area, item.get("severity", "info"), item.get("details", {}))
            )
        return Delivery(events=events, seen=(device_id, max(e.ts for e in events)))

    def _status(self, device_id: str, payload: bytes) -> Delivery:
        self._device_kind(device_id)
        text = bytes(payload).strip()
        if text in (b"online", b"offline"):
            status, ts = text.decode(), datetime.now(timezone.utc)
        else:
            data = schemas.STATUS.validate_json(payload)
            status, ts = data["status"], data.get("ts") or datetime.now(timezone.utc)
        return Delivery(status=(device_id, status, ts))

    def _indicator(self, code: str, payload: bytes) -> Delivery:
        unit = self.registry.indicator_unit(code)
        if unit is None:
            raise PayloadRejected(f"unknown indicator {code!r}: load the catalog first")
        data = schemas.INDICATOR.validate_json(payload)
        if "readings" in data:
            if "value" in data:
                raise PayloadRejected("give either readings or one value, not both")
            items, batch = data["readings"], True
        elif all(k in data for k in ("area", "value", "ts")):
            items, batch = [data], False
        else:
            raise PayloadRejected("an indicator value needs area, value and ts (or a list under readings)")
        rows: list[Row] = []
        for i, item in enumerate(items):
            where = f"readings.{i}: " if batch else ""
            if not self.registry.has_area(item["area"]):
                raise PayloadRejected(f"{where}unknown area {item['area']!r}")
            if "unit" in item and not same_unit(item["unit"], unit):
                raise PayloadRejected(f"{where}unit {item['unit']!r} for {code}, expected {unit!r}")
            self._check_time(item["ts"], where)
            rows.append((SeriesKey.for_indicator(code, item["area"]), item["ts"], item["value"]))
        return Delivery(rows)
