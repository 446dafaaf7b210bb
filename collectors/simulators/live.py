"""The live simulator: the demo fleet and scheduled indicators publishing over MQTT.

:class:`SimulatorService` (``start()`` / ``stop()``) runs one paho-mqtt 2 client
in a background thread. Every ``interval`` seconds of wall time (divided by
``speed``) each online device publishes a telemetry snapshot on
``{prefix}/devices/{id}/telemetry``; cameras now and then report an incident on
``.../events``; a share of messages is deliberately broken (bad JSON, a value out
of range, an unknown device, no time) so the dead-letter path shows; now and
then a device drops off the network: it connects with a last will
(``offline``, retained, on ``.../status``), its connection dies, the broker
publishes the will, and when it comes back it says ``online``. Scheduled
indicators are published on ``{prefix}/indicators/{code}`` at their frequency,
compressed (hourly → every minute, daily → every 5 minutes ...). Device-fed area
indicators (realtime, hourly, daily: vehicles now, traffic per hour, the day's
rainfall ...) are not published: the aggregation jobs of the collector's
scheduler (:mod:`collectors.aggregation`) compute them from the stored
readings, as for real devices.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

import numpy as np
import paho.mqtt.client as mqtt

from collectors.mqtt import const
from collectors.simulators import payloads
from collectors.simulators.fleet import read_fleet
from collectors.simulators.history import district_map
from collectors.simulators.indicators import IndicatorSignals
from collectors.simulators.mqtt_client import connect_client, crash_with_will
from collectors.simulators.profiles import load_profiles
from collectors.simulators.signals import DeviceSignals
from ioc.config import Settings

__all__ = ["SimulatorOptions", "SimulatorService"]

logger = logging.getLogger(__name__)

# Wall-clock seconds between two publications of an indicator, at speed 1.
_INDICATOR_PERIODS = {"realtime": 60, "hourly": 60, "daily": 300, "weekly": 900, "monthly": 1800}
_MAX_AGE_S = 28 * 86400  # the collector refuses values older than 30 days


@dataclass(frozen=True)
class SimulatorOptions:
    """Knobs of the live simulator; each may be set as ``simulate_<name>`` on the settings."""

    interval: float = 60.0  # seconds between two readings of a device
    speed: float = 1.0  # compression: 10 = ten times more often
    malformed_rate: float = 0.005  # share of telemetry messages sent broken
    incident_rate: float = 0.03  # incidents per camera per hour
    outage_rate: float = 0.01  # outages per device per hour
    outage_ticks: tuple[int, int] = (5, 30)  # an outage lasts this many intervals
    indicators: bool = True  # publish scheduled indicators too
    seed: int = 2024

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: object) -> "SimulatorOptions":
        """Options from ``simulate_<name>`` settings when they exist, then the overrides."""
        values = {f.name: getattr(settings, f"simulate_{f.name}") for f in fields(cls) if hasattr(settings, f"simulate_{f.name}")}
        values.update(overrides)
        return cls(**values)

    @property
    def period(self) -> float:
        """Wall-clock seconds between two ticks."""
        return self.interval / self.speed


@dataclass
class _Outage:
    until_tick: int
    client: mqtt.Client | None = field(default=None, repr=False)


class SimulatorService:
    """Publishes the demo fleet's telemetry, incidents, outages and scheduled indicators."""

    def __init__(self, settings: Settings, *, options: SimulatorOptions | None = None, devices=None, catalog=None, units=None) -> None:
        self.settings = settings
        self.options = options or SimulatorOptions.from_settings(settings)
        self.prefix = settings.mqtt_topic_prefix
        self.devices = list(devices) if devices is not None else read_fleet()
        if units is None:
            from geo.units import load_units

            units = load_units()
        districts = district_map(units)
        profiles = load_profiles()
        self.signals = DeviceSignals(self.devices, profiles, districts, seed=self.options.seed)
        self.indicators = (IndicatorSignals(units, profiles, catalog=catalog, seed=766, devices=self.devices)
                           if self.options.indicators else None)
        self._limits = self._metric_limits()
        self._rng = np.random.default_rng(self.options.seed)
        self._client: mqtt.Client | None = None
        self._last: mqtt.MQTTMessageInfo | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._tick = 0
        self._outages: dict[str, _Outage] = {}
        self._incident_until: dict[str, int] = {}
        self._next_indicator: dict[str, float] = {}
        self.stats: Counter[str] = Counter()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Connect to the broker and start publishing in a background thread."""
        if self._thread is not None:
            return
        self._client = connect_client(self.settings, f"{self.settings.mqtt_client_id}-simulator")
        now = datetime.now(timezone.utc)
        for device in self.devices:
            self._publish(const.device_status_topic(self.prefix, device.id), payloads.status("online", now), retain=True)
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ioc-simulator", daemon=True)
        self._thread.start()
        logger.info("simulator publishing %d devices every %.1f s under %s/", len(self.devices), self.options.period, self.prefix)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop publishing, end running outages' connections and disconnect."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._client is not None:
            if self._last is not None and not self._last.is_published():
                try:  # let the queued messages go out before saying goodbye
                    self._last.wait_for_publish(timeout)
                except (RuntimeError, ValueError):
                    logger.warning("simulator stopped with messages not yet acknowledged by the broker")
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None
        logger.info("simulator stopped: %s", dict(self.stats))

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.tick()
            except Exception:  # a bad tick must not end the simulator
                logger.exception("simulator tick %d failed", self._tick)
            self._stop.wait(max(0.0, self.options.period - (time.monotonic() - started)))

    # -- one tick ---------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> None:
        """Publish one round: telemetry of online devices, incidents, outages, due indicators."""
        now = now or datetime.now(timezone.utc)
        self._tick += 1
        values = self.signals.generate(np.array([now.timestamp()]), self.options.interval)
        self._end_outages(now)
        for kind, metrics in values.items():
            group = self.signals.kinds[kind]
            for j, device in enumerate(group.devices):
                if device.id in self._outages:
                    continue
                reading = {m: float(a[0, j]) for m, a in metrics.items()}
                if kind == "camera":
                    self._camera_effects(device, reading, now)
                self._send_telemetry(device, reading, now)
        self._start_outages()
        if self.indicators is not None:
            self._publish_indicators(now)

    def _send_telemetry(self, device, reading: dict[str, float], now: datetime) -> None:
        if self._rng.random() < self.options.malformed_rate:
            kind = payloads.MALFORMED_KINDS[self.stats["malformed"] % len(payloads.MALFORMED_KINDS)]
            topic, body = payloads.malformed(kind, self.prefix, device.id, now, reading, self._limits.get(device.kind, {}))
            self.stats["malformed"] += 1
            self.stats[f"malformed_{kind}"] += 1
        else:
            topic, body = const.telemetry_topic(self.prefix, device.id), payloads.telemetry(now, reading)
            self.stats["telemetry"] += 1
        self._publish(topic, body)

    def _camera_effects(self, device, reading: dict[str, float], now: datetime) -> None:
        if self._incident_until.get(device.id, 0) >= self._tick:
            reading["avg_speed"] = round(reading.get("avg_speed", 30) * 0.3, 1)
            reading["occupancy"] = round(min(1.0, reading.get("occupancy", 0.3) + 0.4), 3)
            reading["congestion_level"] = round(min(1.0, reading.get("congestion_level", 0.2) + 0.5), 2)
            return
        if self._rng.random() >= self.options.incident_rate * self.options.interval / 3600:
            return
        kind = str(self._rng.choice(list(payloads.INCIDENT_KINDS)))
        details = payloads.incident(kind, self._rng, lanes=int(device.properties.get("lanes") or 4),
                                    speed=reading.get("avg_speed", 0.0))
        body = payloads.event(now, kind, severity=payloads.INCIDENT_KINDS[kind], area=device.area_code, details=details)
        self._publish(const.events_topic(self.prefix, device.id), body)
        self.stats["incidents"] += 1
        if kind in ("accident", "stalled_vehicle"):
            self._incident_until[device.id] = self._tick + int(self._rng.integers(3, 12))

    # -- outages ------------------------------------------------------------------------------

    def simulate_outage(self, device_id: str, ticks: int) -> None:
        """Take a device off the network for ``ticks`` intervals: its last will says offline."""
        client = crash_with_will(self.settings, f"{self.settings.mqtt_client_id}-sim-{device_id}",
                                 const.device_status_topic(self.prefix, device_id), b"offline")
        self._outages[device_id] = _Outage(self._tick + ticks, client)
        self.stats["outages"] += 1
        logger.info("simulated outage of %s for %d intervals", device_id, ticks)

    def _start_outages(self) -> None:
        p = self.options.outage_rate * self.options.interval / 3600
        if p <= 0:
            return
        low, high = self.options.outage_ticks
        for j in np.flatnonzero(self._rng.random(len(self.devices)) < p):
            device = self.devices[int(j)]
            if device.id not in self._outages:
                self.simulate_outage(device.id, int(self._rng.integers(low, high + 1)))

    def _end_outages(self, now: datetime) -> None:
        for device_id, outage in list(self._outages.items()):
            if outage.until_tick <= self._tick:
                del self._outages[device_id]
                self._publish(const.device_status_topic(self.prefix, device_id), payloads.status("online", now), retain=True)

    # -- indicators ---------------------------------------------------------------------------

    def _publish_indicators(self, now: datetime) -> None:
        clock = time.monotonic()
        for plan in self.indicators.scheduled():
            period = _INDICATOR_PERIODS.get(plan.frequency)
            if period is None:
                continue  # quarterly and yearly values would be older than the collector accepts
            due = self._next_indicator.get(plan.code)
            if due is None:  # stagger the first publications over one period
                due = self._next_indicator[plan.code] = clock + float(self._rng.uniform(0, period / self.options.speed))
            if due > clock:
                continue
            self._next_indicator[plan.code] = clock + period / self.options.speed
            stamp, by_area = self.indicators.values_at(plan, now.timestamp())
            if now.timestamp() - stamp > _MAX_AGE_S:
                continue
            ts = datetime.fromtimestamp(stamp, timezone.utc)
            body = payloads.indicator_batch([(a, ts, v) for a, v in by_area.items()])
            self._publish(const.indicator_topic(self.prefix, plan.code), body)
            self.stats["indicators"] += 1

    # -- plumbing -----------------------------------------------------------------------------

    def _metric_limits(self) -> dict[str, dict[str, float]]:
        limits: dict[str, dict[str, float]] = {}
        for (kind, metric), profile in self.signals.profiles.devices.items():
            limits.setdefault(kind, {})[metric] = profile.max if profile.max is not None else 1e6
        return limits

    def _publish(self, topic: str, body: bytes, *, retain: bool = False) -> None:
        if self._client is None:
            raise RuntimeError("simulator is not started: call start() first")
        self._last = self._client.publish(topic, body, qos=const.QOS, retain=retain)
