"""The one haversine (warehouse/search/distance.py): miles, vectorized, nan for no point."""

import numpy as np

from warehouse.search.distance import miles_from


def test_miles_from_one_point_to_many():
    lats, lons = np.radians([38.0406, 38.2527, np.nan]), np.radians([-84.5037, -85.7585, 0.0])
    found = miles_from(np.radians(38.0406), np.radians(-84.5037), lats, lons)
    assert found[0] == 0.0
    assert 69 < found[1] < 71  # Lexington to Louisville, KY
    assert np.isnan(found[2])
