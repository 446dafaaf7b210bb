"""Several collectors on one $share group split the stream and store every message once."""

from __future__ import annotations

import pytest

from collectors.service import CollectorService

from tests.collectors.conftest import Stream, stored_per_series, wait_for


@pytest.mark.slow
def test_two_collectors_store_every_message_exactly_once(ingest_db, ingest_settings, mqtt_url):
    group = f"ioc-{ingest_settings.mqtt_client_id}"
    services = [
        CollectorService(
            ingest_settings.model_copy(update={"mqtt_shared_group": group,
                                               "mqtt_client_id": f"{ingest_settings.mqtt_client_id}-{k}"}),
            ingest_db, session_expiry=30,
        )
        for k in range(2)
    ]
    for service in services:
        service.start()
    try:
        stream = Stream(mqtt_url, ingest_settings.mqtt_topic_prefix, messages=1200, per_message=5, rate=2000).start()
        stream.finish()
        wait_for(lambda: sum(s.status()["received"] for s in services) >= 1200, timeout=15)
        wait_for(lambda: sum(s.status()["persisted"] for s in services) >= 6000, timeout=15)
        statuses = [s.status() for s in services]
    finally:
        for service in services:
            service.stop()
    assert all(st["received"] > 0 for st in statuses), "both collectors must take a share"
    assert sum(st["received"] for st in statuses) == 1200
    assert sum(st["duplicates"] for st in statuses) == 0
    assert stored_per_series(ingest_db) == stream.expected
