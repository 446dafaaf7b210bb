"""What the map page builds for its first view: the indicator picker's options and the shared map figure.

Both were part of the first load's cost (docs/map.md, "Benchmark"): the picker handed the
browser every mapped indicator at once, and every view rebuilt the map's whole figure.
Runs on the dashboard test database (real district boundaries, indicators with values).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ioc.auth.principal import act_as
from ioc.auth.roles import Principal, Role
from ioc.catalog import fold_text
from ioc.storage.catalog import get_indicator
from ioc.storage.db import get_database


@pytest.fixture
def as_leader(dash_app) -> Iterator[object]:
    """A request context of a leader (every sector), with an empty cache."""
    from ioc.cache import cache

    with dash_app.server.app_context(), dash_app.server.test_request_context("/"):
        act_as(Principal(name="lanh-dao-thu", role=Role.LEADER))
        cache.clear()
        yield dash_app


def test_picker_opens_with_a_few_indicators_and_finds_the_others_by_name(as_leader) -> None:
    from layouts import map_build as mb

    every = mb.indicator_options(None)
    assert len(every) > mb.FIRST_CHOICES, "the test data set maps fewer indicators than the picker shows first"
    first = mb.indicator_choices(None, "vi")
    assert [o["value"] for o in first] == [m.code for m in every[: mb.FIRST_CHOICES]]

    last = every[-1]  # not among the first ones: found by typing part of its name, without diacritics
    words = fold_text(last.name_vi).split()
    typed = " ".join(words[:2])
    found = mb.indicator_choices(None, "vi", typed)
    assert last.code in [o["value"] for o in found]
    assert all(all(w in fold_text(f"{o['value']} {o['label']}") or w in fold_text(m.name_en)
                   for w in typed.split())
               for o in found for m in every if m.code == o["value"])
    english = mb.indicator_choices(None, "en", last.code.lower())[0]
    assert (english["label"], english["value"]) == (last.name_en, last.code)
    # what the dropdown's own filter matches: the label, and it without diacritics, in both languages
    assert fold_text(last.name_vi) in english["search"] and english["search"].startswith(last.name_en)
    assert typed in found[[o["value"] for o in found].index(last.code)]["search"]

    # The chosen indicator (from ?indicator=) is always among the options, so the dropdown shows its name.
    assert last.code in [o["value"] for o in mb.indicator_choices(None, "vi", selected=last.code)]
    assert mb.indicator_choices(None, "vi", "không-có-chỉ-số-nào-như-thế") == []


def test_picker_of_an_analyst_never_offers_another_sectors_indicator(as_leader) -> None:
    from layouts import map_build as mb

    every = mb.indicator_options(None)
    with get_database().connection() as conn:
        sector = get_indicator(conn, every[0].code).sector_code
    own = mb.indicator_options((sector,))
    foreign = next(m for m in every if m.code not in {o.code for o in own})
    offered = mb.indicator_choices((sector,), "vi", foreign.name_vi, selected=foreign.code)
    offered += mb.indicator_choices((sector,), "vi", foreign.code, selected=foreign.code)
    assert foreign.code not in [o["value"] for o in offered]


def test_the_map_figure_is_built_once_and_shared_by_later_views(as_leader, monkeypatch) -> None:
    from layouts import map_build as mb

    builds = []
    real = mb.build_map
    monkeypatch.setattr(mb, "build_map", lambda *a, **k: builds.append(a) or real(*a, **k))
    state = mb.MapState()
    first = mb.shared_map(state, uirevision="view-1", size_px=(1371, 780))
    second = mb.shared_map(state, uirevision="view-2", size_px=(1371, 780))
    assert len(builds) == 1
    assert first.figure["layout"]["uirevision"] == "view-1" and second.figure["layout"]["uirevision"] == "view-2"
    assert second.figure["data"] == first.figure["data"] and second.viewport == first.viewport
    assert mb.payload_bytes(second.figure) == mb.payload_bytes(real(state, uirevision="view-2", size_px=(1371, 780)).figure)

    # Another map size, another state or another viewer's scope is another figure.
    mb.shared_map(state, uirevision="view-3", size_px=(1000, 700))
    mb.shared_map(mb.MapState(layers=frozenset({"boundaries"})), uirevision="view-4", size_px=(1371, 780))
    act_as(Principal(name="phan-tich-thu", role=Role.ANALYST, sectors=frozenset({"MT"})))
    mb.shared_map(state, uirevision="view-5", size_px=(1371, 780))
    assert len(builds) == 4
