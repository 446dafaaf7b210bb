"""Property tests of the MQTT message parser: never raises, refuses whole, always says why.

Any topic and any bytes go in; out comes a delivery that is either accepted
(readings, events or a status, and no dead letter) or refused (exactly one
dead letter with a non-empty reason, and nothing else) — never an exception.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.metric import load_metric_rules
from collectors.mqtt.parse import MessageParser
from collectors.mqtt.registry import Registry
from ioc.storage.devices import Device, upsert_devices

PREFIX = "ioc-prop/ioc/v1"
DEVICES = {"air-p1": "air", "cam-p1": "camera"}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def parser(empty_db) -> MessageParser:
    """A parser over a registry holding one area, one indicator and two devices."""
    with empty_db.connection() as conn:
        conn.execute("INSERT INTO area (code, name_vi, level) VALUES ('74', 'Bình Dương', 'province')")
        conn.execute("INSERT INTO sector (code, name_vi, name_en) VALUES ('cchc', 'Cải cách hành chính', 'Reform')")
        conn.execute("INSERT INTO department (code, name_vi, name_en) VALUES ('vp', 'Văn phòng', 'Office')")
        conn.execute(
            "INSERT INTO indicator (code, name_vi, name_en, sector_code, department_code, unit, frequency, agg_time,"
            " agg_area, direction, source) VALUES ('dvc_rate', 'Tỷ lệ', 'Rate', 'cchc', 'vp', '%', 'daily', 'mean',"
            " 'mean', 'higher_better', 'mqtt')"
        )
        upsert_devices(conn, [Device(d, kind, d) for d, kind in DEVICES.items()])
    registry = Registry(empty_db, refresh_every=3600.0)  # no reload per unknown id while fuzzing
    registry.refresh()
    return MessageParser(PREFIX, load_metric_rules(), registry)


subjects = st.sampled_from([*DEVICES, "ghost-device", "", "a/b", "+", "#"]) | st.text(max_size=12)
topics = st.one_of(
    st.builds(lambda s, c: f"{PREFIX}/devices/{s}/{c}", subjects, st.sampled_from(["telemetry", "events", "status", "x"])),
    st.builds(lambda s: f"{PREFIX}/indicators/{s}", st.sampled_from(["dvc_rate", "nope"]) | st.text(max_size=12)),
    st.text(max_size=60),
)
now = time.time()
times = st.one_of(
    st.floats(min_value=now - 40 * 86400, max_value=now + 3600).map(
        lambda x: datetime.fromtimestamp(x, timezone.utc).isoformat()),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["2026-11-30T06:05:00", "30/11/2026", "", "now", "2026-13-45T99:00:00Z"]),
    st.integers(min_value=-(2**70), max_value=2**70),
)
values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from(["35.2", True, None, [], {}, "NaN"]),
)
metrics = st.sampled_from(["pm25", "pm10", "humidity", "vehicles_total", "count_car", "bogus"]) | st.text(max_size=70)
json_leaf = st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=20)
any_json = st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                        max_leaves=12)
reading = st.fixed_dictionaries({"metric": metrics, "value": values, "ts": times},
                                optional={"unit": st.sampled_from(["µg/m³", "ug/m3", "%", "xe", "kg"]), "extra": any_json})
shaped = st.one_of(
    reading,
    st.fixed_dictionaries({"readings": st.lists(reading, max_size=5)}),
    st.fixed_dictionaries({"ts": times, "values": st.dictionaries(metrics, values, max_size=4)}),
    st.fixed_dictionaries({"kind": st.sampled_from(["accident", "fire", "bad kind!"]), "ts": times},
                          optional={"severity": st.sampled_from(["info", "warning", "critical", "panic"]),
                                    "area": st.sampled_from(["74", "99"]), "details": any_json}),
    st.fixed_dictionaries({"area": st.sampled_from(["74", "99", ""]), "value": values, "ts": times},
                          optional={"unit": st.sampled_from(["%", "điểm"])}),
    st.fixed_dictionaries({"status": st.sampled_from(["online", "offline", "gone"])}, optional={"ts": times}),
    st.fixed_dictionaries({"type": st.sampled_from(["AirQualityObserved", "TrafficFlowObserved", "Nope"]),
                           "id": st.text(max_size=10), "dateObserved": times},
                          optional={"pm25": values, "intensity": values, "location": any_json}),
    any_json,
)
payloads = st.one_of(
    shaped.map(lambda d: json.dumps(d, allow_nan=True).encode()),
    st.binary(max_size=200),
    st.sampled_from([b"online", b"offline", b"", b"null", b"[]", b"{", b"\xff\xfe", b'{"metric":"pm25","value":1e999}']),
)


def _check(parser: MessageParser, topic: str, payload: bytes) -> None:
    before = parser.rejected
    delivery = parser.parse(topic, payload, token="t")
    assert delivery.token == "t"
    if delivery.dead:
        assert len(delivery.dead) == 1 and parser.rejected == before + 1
        letter = delivery.dead[0]
        assert letter.reason and letter.reason.strip(), "every rejection names its reason"
        assert letter.topic == topic and letter.payload == payload
        assert not delivery.rows and not delivery.events and delivery.status is None, "a refused message writes nothing"
    else:
        assert parser.rejected == before
        assert delivery.rows or delivery.events or delivery.status is not None
        for _key, ts, value in delivery.rows:
            assert isinstance(value, float) and math.isfinite(value) and ts.tzinfo is not None


@SETTINGS
@given(topic=topics, payload=payloads)
def test_any_message_is_accepted_or_refused_with_a_reason(parser, topic, payload):
    _check(parser, topic, payload)


@SETTINGS
@given(device=st.sampled_from(sorted(DEVICES)), payload=payloads)
def test_any_payload_of_a_known_device(parser, device, payload):
    for channel in ("telemetry", "events", "status"):
        _check(parser, f"{PREFIX}/devices/{device}/{channel}", payload)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(good=st.lists(st.floats(min_value=0, max_value=1000), min_size=1, max_size=6),
       bad_value=st.floats(min_value=1000.5, max_value=1e9) | st.floats(max_value=-0.5, min_value=-1e9),
       position=st.integers(min_value=0, max_value=6))
def test_one_bad_reading_refuses_the_whole_batch(parser, good, bad_value, position):
    base = datetime.now(timezone.utc) - timedelta(minutes=5)
    items = [{"metric": "pm25", "value": v, "ts": (base + timedelta(seconds=i)).isoformat()} for i, v in enumerate(good)]
    position = min(position, len(items))
    items.insert(position, {"metric": "pm25", "value": bad_value, "ts": (base - timedelta(seconds=1)).isoformat()})
    delivery = parser.parse(f"{PREFIX}/devices/air-p1/telemetry", json.dumps({"readings": items}).encode())
    assert not delivery.rows and len(delivery.dead) == 1
    assert f"readings.{position}: pm25" in delivery.dead[0].reason and "outside [0, 1000]" in delivery.dead[0].reason


def test_a_good_batch_is_accepted_whole(parser):
    base = datetime.now(timezone.utc) - timedelta(minutes=5)
    items = [{"metric": "pm25", "value": float(i), "ts": (base + timedelta(seconds=i)).isoformat()} for i in range(5)]
    delivery = parser.parse(f"{PREFIX}/devices/air-p1/telemetry", json.dumps({"readings": items}).encode())
    assert len(delivery.rows) == 5 and not delivery.dead


# -- the orjson fast path accepts only what the schemas accept, with the same readings -------

near = time.time()
plain_times = st.one_of(
    st.floats(min_value=near - 3600, max_value=near + 300).map(lambda x: datetime.fromtimestamp(x, timezone.utc).isoformat()),
    st.floats(min_value=near - 3600, max_value=near + 300).map(
        lambda x: datetime.fromtimestamp(x, timezone(timedelta(hours=7))).isoformat().replace("+07:00", "+0700")),
    st.floats(min_value=near - 3600, max_value=near).map(
        lambda x: datetime.fromtimestamp(x, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.floats(min_value=near - 3600, max_value=near).map(lambda x: datetime.fromtimestamp(x).isoformat()),  # naive
    st.floats(min_value=near - 3600, max_value=near),  # epoch seconds
    st.sampled_from(["2026-11-30 06:05:00+00:00", "2026-11-30T06:05+07", "20261130T060500Z", ""]),
)
plain_values = st.one_of(
    st.floats(min_value=-10, max_value=1100), st.integers(min_value=-10, max_value=1100),
    st.sampled_from([True, False, "5", None, 2**64, -(2**63)]),
)
plain_reading = st.fixed_dictionaries(
    {"metric": st.sampled_from(["pm25", "pm25", "pm10", "bogus", "pm 25", ""]), "value": plain_values, "ts": plain_times},
    optional={"unit": st.sampled_from(["µg/m³", "ug/m3", "kg"]), "extra": st.integers()},
)
plain_payloads = st.one_of(
    plain_reading,
    st.fixed_dictionaries({"readings": st.lists(plain_reading, min_size=0, max_size=6)}),
    st.fixed_dictionaries({"readings": st.lists(plain_reading, min_size=1, max_size=3)}, optional={"metric": st.just("pm25")}),
).map(lambda d: json.dumps(d).encode())


def _readings(delivery):
    return [(key, ts, float(value)) for key, ts, value in delivery.rows], delivery.stamps, delivery.seen


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=plain_payloads)
def test_fast_path_accepts_only_what_the_schemas_accept(parser, payload):
    topic = f"{PREFIX}/devices/air-p1/telemetry"
    fast = parser._fast("air-p1", payload, None)
    strict = MessageParser(PREFIX, parser.rules, parser.registry)
    strict._fast = lambda *args: None  # the schemas' path only
    expected = strict.parse(topic, payload)
    if fast is None:
        return  # not a plain shape: the schemas decide (and word a refusal)
    assert not expected.dead, f"fast path accepted what the schemas refuse: {expected.dead[0].reason}"
    assert _readings(fast) == _readings(expected)
    assert parser.parse(topic, payload).rows == fast.rows


def test_fast_path_takes_the_common_shapes(parser):
    """The plain shapes do go the fast way (else the test above would prove nothing)."""
    ts = datetime.now(timezone.utc).isoformat()
    single = json.dumps({"metric": "pm25", "value": 12, "ts": ts}).encode()
    batch = json.dumps({"readings": [{"metric": "pm25", "value": 1.5, "ts": ts}] * 3}).encode()
    assert parser._fast("air-p1", single, None).rows[0][2] == 12.0
    assert parser._fast("air-p1", batch, None).run is not None
    for other in (b'{"metric":"pm25","value":12,"ts":1764489600}', b'{"metric":"pm25","value":true,"ts":"%s"}' % ts.encode()):
        assert parser._fast("air-p1", other, None) is None
