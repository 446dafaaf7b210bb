"""The public-administration page in a real browser: 766 ranking, unit detail, weekly notice, dossiers."""

from __future__ import annotations

import pytest

from tests.layouts.browser_helpers import chromium, screenshot  # noqa: F401
from tests.layouts.ops_fixtures import ops_components, ops_data  # noqa: F401

pytestmark = [pytest.mark.browser]


def test_scorecard_ranking_and_detail(dash_url, ops_data, chromium):  # noqa: F811
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{dash_url}/hanh-chinh-cong")
        page.wait_for_selector("#admin-ranking-table tbody tr", timeout=20_000)
        rows = page.locator("#admin-ranking-table tbody tr")
        assert rows.count() == 9
        first = rows.nth(0).inner_text()
        assert first.startswith("1/9") and "Dĩ An" in first and "Tốt" in first
        ranks = [rows.nth(i).inner_text().split("\t")[0].strip() for i in range(3)]
        assert ranks == ["1/9", "2/9", "2/9"], ranks  # two districts tied
        assert "10 tuần liên tiếp dẫn đầu" in first
        page.wait_for_function("() => document.querySelector('#admin-streak')?.innerText.includes('10 tuần')",
                               timeout=15_000)
        assert "Đang dẫn đầu" in page.inner_text("#admin-gap")
        assert page.locator("#admin-losses-list li").count() >= 1
        screenshot(page, "public_admin_766")

        rows.nth(3).click()  # a district behind: detail shows its gap to the next rank
        page.wait_for_function("() => document.querySelector('#admin-gap')?.innerText.includes('Cách hạng trên')",
                               timeout=15_000)
        assert "/18" in page.inner_text("#admin-components")

        with page.expect_download(timeout=30_000) as info:
            page.click("#admin-notice-html")
        html = open(info.value.path(), encoding="utf-8").read()
        assert "THÔNG BÁO" in html.upper() and "Xếp hạng các huyện" in html and "Công khai, minh bạch" in html

        with page.expect_download(timeout=60_000) as info:
            page.click("#admin-notice-pdf")
        assert info.value.suggested_filename.endswith(".pdf")
        assert open(info.value.path(), "rb").read(5) == b"%PDF-"
    finally:
        page.close()


def test_dossier_tab(dash_url, ops_data, chromium):  # noqa: F811
    page = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(f"{dash_url}/hanh-chinh-cong?tab=dossiers")
        page.wait_for_selector("#dossier-stats-table tbody tr", timeout=20_000)
        text = page.inner_text("#dossier-stats-table")
        assert "Tổng cộng" in text and "Bắc Tân Uyên" in text and "%" in text
        assert page.locator("#dossier-stats-table tbody tr").count() == 10  # 9 districts and the total
        screenshot(page, "public_admin_dossiers")
    finally:
        page.close()
