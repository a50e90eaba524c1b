"""Parts of the demo's statistical model (segmap.demo.population), checked on small hand-made inputs."""

from __future__ import annotations

import numpy as np
import pytest

from segmap.demo.population import smoothing_scale, water_fill


def test_smoothed_field_scale_is_exact_and_isolated_cells_are_not_extreme():
    """The per-cell scale is the row norm of the smoothing matrix, so an isolated cell is not inflated."""
    left = np.array([0, 0, 1, 1, 2, 3, 4])
    right = np.array([1, 2, 2, 3, 3, 4, 5])
    n = 7  # cell 6 has no neighbour
    degree = np.bincount(left, minlength=n) + np.bincount(right, minlength=n)
    matrix = np.eye(n)
    matrix[left, right] = matrix[right, left] = 1
    smoothing = np.linalg.matrix_power(matrix / (1 + degree)[:, None], 4)
    scale = smoothing_scale(n, (left, right), degree, 4)
    assert scale == pytest.approx(np.linalg.norm(smoothing, axis=1))
    assert scale[6] == 1.0 and scale[:6].max() < 0.8


def test_water_fill_respects_caps_and_total():
    caps = np.array([10, 0, 5, 100, 3])
    weights = np.array([5.0, 9.0, 0.001, 1.0, 50.0])
    filled = water_fill(60, weights, caps)
    assert filled.sum() == 60 and (filled <= caps).all() and filled[1] == 0 and filled[4] == 3
    assert water_fill(118, weights, caps).tolist() == caps.tolist()
