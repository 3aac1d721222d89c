import numpy as np
import pytest

from core.geo import GeocodingUnavailable, GreatCircleProvider, geocode, geodesic_m, haversine_matrix_m

SUZHOU = [(31.3110, 120.6170), (31.3170, 120.7200), (31.2980, 120.5450), (31.3690, 120.6420)]


def test_great_circle_matches_geodesic_within_half_a_percent():
    matrix = haversine_matrix_m(SUZHOU)
    for i, a in enumerate(SUZHOU):
        for j, b in enumerate(SUZHOU):
            if i != j:
                assert matrix[i, j] == pytest.approx(geodesic_m(a, b), rel=0.005)


def test_a_point_is_zero_from_itself_and_the_matrix_is_symmetric():
    matrix = haversine_matrix_m(SUZHOU)
    assert np.all(np.diag(matrix) == 0)
    assert np.allclose(matrix, matrix.T)


def test_travel_times_are_integers_rounded_up_from_road_distance_and_speed():
    provider = GreatCircleProvider(road_factor=1.5, speed_kmh=36.0)  # 10 m/s
    travel = provider.matrix([(0.0, 0.0), (0.0, 0.01)])  # 1,111.95 m apart
    assert travel.durations.dtype == np.int64
    assert travel.distances[0, 1] == 1668  # ceil(1111.95 * 1.5)
    assert travel.durations[0, 1] == 167  # ceil(1667.9 / 10)
    assert travel.durations[0, 0] == 0


def test_geocoding_without_a_configured_service_says_so_clearly():
    with pytest.raises(GeocodingUnavailable, match="registered coordinates are used"):
        geocode("1 Renmin Road, Suzhou", service=None)
