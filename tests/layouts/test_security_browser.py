"""Headless Chromium as an analyst granted three sectors and as a leader: what each sees (issue 9)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ioc.auth import accounts
from tests.layouts.browser_helpers import CHROMIUM, CHROMIUM_ARGS, SignedInBrowser, login_cookie, screenshot

playwright = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANALYST = ("phan-tich-trinh-duyet", "mat-khau-phan-tich-2026")
GRANTED = ["TTHC", "DVC", "MT"]


@pytest.fixture(scope="module")
def analyst_cookie(dash_app, dash_db) -> dict:
    database, _ = dash_db
    with database.connection() as conn:
        exists = conn.execute("SELECT 1 FROM app_user WHERE username = %s", (ANALYST[0],)).fetchone()
    if not exists:
        accounts.create_user(database, ANALYST[0], ANALYST[1], role="analyst", sectors=GRANTED)
    return login_cookie(dash_app.server, *ANALYST)


@pytest.fixture(scope="module")
def chromium_raw() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _open(browser, cookie: dict, url: str):
    page = SignedInBrowser(browser, cookie).new_page(viewport={"width": 1920, "height": 1080})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def test_analyst_sees_only_granted_sectors_and_a_refusal_panel(chromium_raw, analyst_cookie, dash_url: str) -> None:
    page = _open(chromium_raw, analyst_cookie, dash_url + "/")
    page.wait_for_selector(".sector-card")
    cards = page.locator(".sector-card").count()
    assert cards == 3, f"an analyst granted 3 sectors sees {cards} sector cards"
    alerts = page.inner_text("#alert-list")
    assert "tai nạn giao thông" not in alerts and page.locator(".alert-ack").count() == 0
    screenshot(page, "security-analyst-overview")
    page.goto(dash_url + "/indicator/GT_ACCIDENT")
    page.wait_for_selector("#ind-denied")
    text = page.inner_text("#ind-head")
    assert "Bạn không có quyền xem chỉ số này" in text and "You may not view this indicator" in text
    assert "Số vụ tai nạn giao thông" not in page.inner_text("body")
    screenshot(page, "security-analyst-indicator-denied")
    page.context.close()


def test_leader_acknowledges_an_alert_from_the_overview(chromium_raw, auth_cookie, dash_url: str, dash_db) -> None:
    page = _open(chromium_raw, auth_cookie, dash_url + "/")
    page.wait_for_selector(".alert-ack")
    page.fill("#alert-ack-note", "đã cử tổ xử lý")
    page.locator(".alert-ack").first.click()
    page.wait_for_selector("text=Đã xác nhận: lanh-dao-kiem-thu")
    screenshot(page, "security-leader-ack")
    database, _ = dash_db
    with database.connection() as conn:
        row = conn.execute("SELECT acked_by, ack_note FROM alert WHERE state = 'acknowledged' "
                           "ORDER BY acked_at DESC LIMIT 1").fetchone()
        conn.execute("UPDATE alert SET state = 'open', acked_by = NULL, acked_at = NULL, ack_note = NULL "
                     "WHERE state = 'acknowledged'")  # leave the shared data set as the other tests expect it
    assert row == ("lanh-dao-kiem-thu", "đã cử tổ xử lý")
    page.context.close()
