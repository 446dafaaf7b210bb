"""Per-sector filtering in SQL: what an analyst granted some sectors may read (issue 9)."""

from __future__ import annotations

from ioc.storage import alerts, catalog, devices, kpis, map_layers, timeseries
from ioc.storage.alerts import AlertDraft, open_or_update
from ioc.storage.db import Database
from ioc.storage.devices import Device, upsert_devices
from tests.layouts.fixtures_data import PROVINCE, seed_dashboard

GRANTED = ["TTHC", "DVC", "MT"]


def _sectors_of(codes) -> set[str]:
    return {code.split("_")[0] for code in codes}


def test_every_storage_read_keeps_to_the_granted_sectors(empty_db: Database) -> None:
    seed_dashboard(empty_db)
    with empty_db.connection() as conn:
        conn.execute("UPDATE indicator SET device_kind = 'camera' WHERE code = 'GT_ACCIDENT'")
        conn.execute("UPDATE indicator SET device_kind = 'air' WHERE code = 'MT_AQI'")
        upsert_devices(conn, [Device("cam-1", "camera", "Camera 1", area_code=PROVINCE, lon=106.65, lat=11.0),
                              Device("air-1", "air", "Trạm không khí 1", area_code=PROVINCE, lon=106.66, lat=11.0)])
        open_or_update(conn, AlertDraft(rule="camera_offline", severity="warning", message_vi="Camera mất tín hiệu",
                                        message_en="Camera offline", device_id="cam-1"))
        open_or_update(conn, AlertDraft(rule="sensor_offline", severity="warning", message_vi="Trạm mất tín hiệu",
                                        message_en="Sensor offline", device_id="air-1"))

        statuses = kpis.indicator_statuses(conn, sectors=GRANTED)
        assert statuses and {s.sector_code for s in statuses} == set(GRANTED)
        assert kpis.indicator_statuses(conn, codes=["GT_ACCIDENT"], sectors=GRANTED) == []
        assert [s.code for s in kpis.sector_summaries(conn, sectors=GRANTED)] == GRANTED  # display order
        assert len(kpis.sector_summaries(conn)) == 25
        headline = kpis.headline_kpis(conn, sectors=GRANTED)
        assert headline and {h.sector_code for h in headline} <= set(GRANTED)
        assert _sectors_of(r.code for r in catalog.search_indicators(conn, "chi tieu", 200, sectors=GRANTED)) \
            == set(GRANTED)
        assert catalog.search_indicators(conn, "tai nan", 50, sectors=GRANTED) == []
        assert catalog.search_indicators(conn, "tai nan", 50)  # unrestricted finds it
        assert _sectors_of(c for c, _vi, _en in timeseries.indicators_at_depth(conn, 1, GRANTED)) <= set(GRANTED)
        assert _sectors_of(m.code for m in map_layers.mapped_indicators(conn, GRANTED)) <= set(GRANTED)
        assert catalog.device_kind_sectors(conn) == {"air": ("MT",), "camera": ("GT",)}

        scoped = alerts.list_open_alerts(conn, sectors=GRANTED)
        assert {a.indicator_code for a in scoped if a.indicator_code} == {"DVC_ONLINE"}
        assert {a.device_id for a in scoped if a.device_id} == {"air-1"}  # air feeds MT; the camera feeds GT
        assert len(alerts.list_open_alerts(conn)) == 5
        assert [d.id for d in devices.list_devices(conn, sectors=GRANTED)] == ["air-1"]
        assert [d.id for d in devices.list_devices(conn, sectors=[])] == []
        located = map_layers.located_open_alerts(conn, sectors=GRANTED)
        assert {a.device_id for a in located if a.device_id} == {"air-1"}
        assert all(a.device_id or "tai nạn" not in a.message_vi for a in located)
