"""FIWARE Smart Data Models key-values entities mapped onto device metrics."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from collectors.metric import load_metric_rules
from collectors.mqtt.fiware import map_fiware, observed_at
from ioc.errors import PayloadRejected

RULES = load_metric_rules()


def unit_of(kind):
    return lambda metric: (RULES.get(kind, metric).unit if RULES.get(kind, metric) else None)


def test_interval_date_observed_stamps_the_end():
    ts = observed_at({"dateObserved": "2026-11-30T05:00:00Z/2026-11-30T05:15:00+07:00"})
    assert ts == datetime(2026, 11, 29, 22, 15, tzinfo=timezone.utc)


def test_traffic_flow_per_vehicle_type_and_congestion():
    entity = {"id": "urn:ngsi-ld:TrafficFlowObserved:x", "type": "TrafficFlowObserved",
              "dateObserved": "2026-11-30T05:00:00Z", "intensity": 42, "vehicleType": "lorry",
              "congested": False, "averageVehicleSpeed": 51.0, "laneDirection": "forward"}
    ts, values = map_fiware(entity, device_kind="camera", unit_of=unit_of("camera"))
    assert dict(values) == {"count_truck": 42.0, "avg_speed": 51.0, "congestion_level": 0.0}


def test_air_quality_names_and_humidity_fraction_to_percent():
    entity = {"id": "a", "type": "AirQualityObserved", "dateObserved": "2026-11-30T05:00:00Z",
              "location": {"type": "Point", "coordinates": [106.6, 11.0]}, "pm10": 60, "o3": 30.5, "co": 400,
              "so2": 5, "temperature": 31.2, "relativeHumidity": 0.7, "airQualityLevel": "moderate", "nox": 9}
    _, values = map_fiware(entity, device_kind="air", unit_of=unit_of("air"))
    assert dict(values) == pytest.approx({"pm10": 60, "o3": 30.5, "co": 400, "so2": 5, "temperature": 31.2,
                                          "humidity": 70.0})


def test_water_quality_conductivity_from_siemens_per_metre():
    entity = {"id": "w", "type": "WaterQualityObserved", "dateObserved": "2026-11-30T05:00:00Z",
              "pH": 6.8, "conductivity": 0.012, "temperature": 28, "NH4": 0.3, "NO3": 1.2, "TSS": 40}
    _, values = map_fiware(entity, device_kind="water_quality", unit_of=unit_of("water_quality"))
    assert dict(values) == pytest.approx({"ph": 6.8, "conductivity": 120.0, "water_temperature": 28, "nh4": 0.3,
                                          "tss": 40})


@pytest.mark.parametrize(
    ("entity", "kind", "reason"),
    [
        ({"type": "AirQualityObserved", "dateObserved": "2026-11-30T05:00:00Z", "location": {}}, "air", "id"),
        ({"id": "a", "type": "AirQualityObserved", "dateObserved": "2026-11-30T05:00:00Z", "pm25": 1}, "air",
         "requires location"),
        ({"id": "a", "type": "WeatherObserved", "dateObserved": "2026-11-30T05:00:00Z"}, "air", "not accepted"),
        ({"id": "a", "type": "TrafficFlowObserved", "dateObserved": "yesterday", "intensity": 1}, "camera",
         "dateObserved 'yesterday'"),
        ({"id": "a", "type": "TrafficFlowObserved", "dateObserved": "2026-11-30T05:00:00Z", "intensity": "7"},
         "camera", "intensity must be a finite number"),
        ({"id": "a", "type": "TrafficFlowObserved", "dateObserved": "2026-11-30T05:00:00Z", "intensity": 3,
          "vehicleType": "tank"}, "camera", "vehicleType 'tank'"),
        ({"id": "a", "type": "TrafficFlowObserved", "dateObserved": "2026-11-30T05:00:00Z", "laneId": 2},
         "camera", "carries no field"),
    ],
    ids=["no-id", "air-without-location", "unknown-type", "bad-date", "text-number", "unknown-vehicle", "empty"],
)
def test_invalid_entities_are_refused_with_the_field_named(entity, kind, reason):
    with pytest.raises(PayloadRejected, match=reason):
        map_fiware(entity, device_kind=kind, unit_of=unit_of(kind))
