"""``ioc bench ingest`` end to end on a short run: every phase stores all it publishes."""

from __future__ import annotations

import pytest

from collectors.bench_ingest import run_ingest_bench
from ioc.storage.ingest import count_device_readings


@pytest.mark.slow
def test_a_short_benchmark_run_loses_nothing_and_reports_ratios(settings, empty_db, topic_prefix):
    # The collector processes open the database of the settings: this test's own.
    bench_settings = settings.model_copy(update={"mqtt_topic_prefix": f"{topic_prefix}/bench", "database_url": empty_db.url})
    result = run_ingest_bench(bench_settings, empty_db, seconds=1.5, devices=5, latency_rate=200.0)

    assert result["broker_only"]["lost"] == 0 and result["broker_only"]["msgs_per_s"] > 0
    assert result["bare_copy"]["rows_per_s"] > 0 and result["bare_copy"]["series"] == 5
    for phase, per_message in (("single", 1), ("batch100", 100), ("latency", 1)):
        figures = result[phase]
        assert figures["messages"] > 0, phase
        assert figures["readings_published"] == figures["messages"] * per_message
        assert figures["lost"] == 0 and figures["readings_persisted"] == figures["readings_published"], phase
        assert figures["collector_cpu_us_per_reading"] > 0
    assert 0 < result["latency"]["latency_p50_s"] <= result["latency"]["latency_p99_s"] < 5
    assert result["ratio_to_broker"] == round(result["single"]["readings_per_s"] / result["broker_only"]["msgs_per_s"], 3)
    assert result["ratio_to_copy"] == round(result["batch100"]["readings_per_s"] / result["bare_copy"]["rows_per_s"], 3)
    with empty_db.connection() as conn:  # the benchmark's devices and readings are gone
        assert conn.execute("SELECT count(*) FROM device WHERE id LIKE 'bench-%'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM observation").fetchone()[0] == 0
