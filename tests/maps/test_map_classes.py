"""Tests of segmap.maps.classes: fixed class breaks, classification, colours and labels."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from segmap.maps.classes import INDICATOR_CLASSES, IndicatorClasses


def test_indicator_classes_required_keys_and_ranges():
    for key in ("group_share", "dissimilarity", "isolation", "census_group_share", "dissimilarity_adjusted"):
        classes = INDICATOR_CLASSES[key]
        assert classes.breaks[-1] == 1.0
        assert classes.breaks[0] <= 0.0
        assert len(classes.colors()) == classes.n_classes == len(classes.labels())
    # School and census shares compare directly only with the same breaks.
    assert INDICATOR_CLASSES["group_share"].breaks == INDICATOR_CLASSES["census_group_share"].breaks


def test_classify_half_open_classes_last_closed_and_nan():
    c = IndicatorClasses((0, 0.1, 0.5, 1.0), percent=False)
    got = c.classify([0.0, 0.0999, 0.1, 0.1 + 0.2, 0.5, 1.0, np.nan, None, pd.NA, -0.2, 1.3])
    assert got.tolist() == [0, 0, 1, 1, 2, 2, -1, -1, -1, 0, 2]
    assert c.count_out_of_range([-0.2, 1.3, 1.0 + 1e-12, np.nan]) == 2


def test_classify_nullable_column():
    c = INDICATOR_CLASSES["dissimilarity"]
    s = pd.Series([0.2, pd.NA, 0.9], dtype="Float64")
    assert c.classify(s).tolist() == [1, -1, 5]


def test_labels_percent_decimal_and_negative():
    assert INDICATOR_CLASSES["group_share"].labels()[:4] == ["0–1%", "1–2%", "2–5%", "5–10%"]
    assert INDICATOR_CLASSES["dissimilarity"].labels()[1] == "0.15–0.30"
    assert IndicatorClasses((0, 0.005, 0.02), percent=True).labels(",") == ["0–0,5\u00a0%", "0,5–2\u00a0%"]
    assert INDICATOR_CLASSES["dissimilarity_adjusted"].breaks == INDICATOR_CLASSES["dissimilarity"].breaks


@pytest.mark.parametrize("breaks", [(0.0,), (0.0, 0.5, 0.5, 1.0), (0.0, 0.6, 0.3), (0.0, float("nan"))])
def test_invalid_breaks_rejected(breaks):
    with pytest.raises(ValueError):
        IndicatorClasses(breaks, percent=False)


def test_colors_are_distinct_and_get_darker():
    colors = INDICATOR_CLASSES["dissimilarity"].colors()
    rgb = matplotlib.colors.to_rgba_array(colors)[:, :3]
    luminance = rgb @ np.array([0.2126, 0.7152, 0.0722])
    assert len(set(colors)) == len(colors)
    assert np.all(np.diff(luminance) < 0)
