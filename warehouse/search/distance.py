"""Great-circle distance in miles, vectorized: the one haversine of the search and the page's place table."""

import numpy as np

EARTH_RADIUS_MILES = 3958.8


def miles_from(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Haversine miles from one point to each of the points (all in radians; nan stays nan)."""
    a = np.sin((lats - lat) / 2) ** 2 + np.cos(lat) * np.cos(lats) * np.sin((lons - lon) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
