from tests.layouts.test_browser import *  # noqa
from tests.layouts.test_browser import _bar_labels, _click_bar

def test_dbg(page):
    page.open("/indicator/TTHC_ONTIME")
    page.page.wait_for_selector("#ind-breakdown .bars path")
    page.settle(); print("load", page.errors)
    _click_bar(page, _bar_labels(page).index("Dĩ An"))
    page.page.wait_for_timeout(3000); print("drill", page.errors)
