"""The 766 components come from the catalog: groups, maxima, parts and the indicators holding the points."""

from __future__ import annotations

import pytest

from ioc.catalog import load_catalog
from ioc.errors import DataFileError
from ioc.score766.components import components_from_catalog, top_level


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_components_of_the_packaged_catalog(catalog):
    components = components_from_catalog(catalog)
    groups = top_level(components)
    assert sum(c.max_points for c in groups) == 100
    assert all(c.indicator_code in catalog.by_code for c in components)
    for group in groups:  # published parts add up to their group
        parts = [c for c in components if c.parent_code == group.code]
        if parts:
            assert sum(p.max_points for p in parts) == group.max_points
    assert {c.max_points for c in groups} == {18, 20, 22}


def test_catalog_without_groups_is_refused(catalog):
    empty = catalog.model_copy(update={"score766_groups": ()})
    with pytest.raises(DataFileError, match="score766_groups"):
        components_from_catalog(empty)


def test_catalog_without_group_indicators_is_refused(catalog):
    first = catalog.score766_groups[0].code
    thinned = catalog.model_copy(update={"indicators": tuple(i for i in catalog.indicators if not i.code.endswith(first))})
    with pytest.raises(DataFileError, match="ioc catalog expand"):
        components_from_catalog(thinned)
