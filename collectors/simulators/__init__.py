"""Demo simulators: the device fleet, live MQTT publishing and the history backfill.

- :mod:`~collectors.simulators.fleet` — the deterministic demo fleet (``ioc/data/devices/fleet.csv``);
- :mod:`~collectors.simulators.live` — :class:`SimulatorService` publishing telemetry, incidents,
  outages and scheduled indicators over MQTT (``ioc simulate live``);
- :mod:`~collectors.simulators.history` — :func:`backfill` of N days of every series (``ioc simulate history``);
- :mod:`~collectors.simulators.seed` — :func:`load_demo` for ``ioc up``.

Values come from :mod:`~collectors.simulators.signals` (devices) and
:mod:`~collectors.simulators.indicators` (indicators), calibrated by ``ioc/data/simulation/profiles.csv``.
"""
