"""Random allocation benchmark, bootstrap and the Carrington–Troske adjustment (segmap.stats.inference)."""

from __future__ import annotations

import warnings
from math import comb

import numpy as np
import pandas as pd
import pytest
from test_indices import make_census, make_schools

from segmap.stats import indices
from segmap.stats import inference
from segmap.stats import tables

THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}


def settings(replicates=200, seed=1):
    return {"random_allocation": {"replicates": replicates, "seed": seed},
            "bootstrap": {"replicates": replicates, "seed": seed + 1}}


def municipality_table(schools, census, inference_settings):
    school_table = tables.school_indices(schools, census, THRESHOLDS)
    return tables.municipality_indices(school_table, census, inference_settings)


def dissimilarity_of(group, total):
    group, total = np.asarray(group, float), np.asarray(total, float)
    other = total - group
    return 0.5 * np.abs(group / group.sum() - other / other.sum()).sum()


def random_areas(seed, n_areas=30, max_schools=8):
    """Labels, group and total of random areas of 2..max_schools schools (some tiny, some empty)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, max_schools + 1, n_areas)
    labels = np.repeat(np.arange(n_areas), sizes)
    total = rng.integers(0, 150, len(labels))
    share = rng.beta(0.7, 3, n_areas)[labels]
    group = rng.binomial(total, np.minimum(share * rng.gamma(1, size=len(labels)), 1))
    return labels, group, total


# -------------------------------------------------------------------------------------------------
# Random allocation
# -------------------------------------------------------------------------------------------------

def test_expected_d_of_ten_schools_of_ten_pupils():
    # 10 schools x 10 pupils, X = 10 group pupils: D = 1/18 sum |x_i - 1| = (number of schools with
    # no group pupil) / 9, so D* = 10/9 * P(a school gets none) = 10/9 * C(90, 10) / C(100, 10) = 0.36720.
    exact = 10 / 9 * comb(90, 10) / comb(100, 10)
    assert exact == pytest.approx(0.3672, abs=1e-4)
    labels, total = np.zeros(10, dtype=int), np.full(10, 10)
    group = np.array([10] + [0] * 9)
    draws = 4000
    result = inference.random_allocation_indices(labels, group, total, 1, replicates=draws, seed=11)

    # independent slow reference: numpy's multivariate hypergeometric, one draw at a time
    rng = np.random.default_rng(12)
    reference = np.array([dissimilarity_of(rng.multivariate_hypergeometric(total, 10), total)
                          for _ in range(draws)])
    error = reference.std() / np.sqrt(draws)       # about 0.0017
    simulated = result.loc[0, "dissimilarity_expected"]
    assert abs(reference.mean() - exact) < 4 * error
    assert abs(simulated - exact) < 4 * error
    assert abs(simulated - reference.mean()) < 4 * np.sqrt(2) * error
    # xPx = sum x_i^2 / 100 with x_i hypergeometric(N=100, K=10, n=10): E x_i^2 = 1 + 9/11 -> xPx* = 2/11
    assert result.loc[0, "isolation_expected"] == pytest.approx(2 / 11, abs=0.005)
    # observed D = 1 (all group pupils in one school) is far above the random 95th percentile
    assert result.loc[0, "dissimilarity_random_p95"] == pytest.approx(np.quantile(reference, 0.95), abs=0.12)
    assert bool(result.loc[0, "distinguishable_from_random"])


def test_expected_isolation_matches_its_closed_form():
    # E xPx* = sum_i E[x_i^2] / (X t_i), x_i hypergeometric: mean X t_i / T,
    # variance t_i (X/T)(1 - X/T)(T - t_i)/(T - 1)
    total = np.array([25, 80, 40, 5, 150])
    group = np.array([20, 3, 0, 5, 12])
    X, T = group.sum(), total.sum()
    mean = X * total / T
    variance = total * (X / T) * (1 - X / T) * (T - total) / (T - 1)
    exact = ((variance + mean ** 2) / (X * total)).sum()
    result = inference.random_allocation_indices(np.zeros(5, dtype=int), group, total, 1, replicates=6000, seed=4)
    assert result.loc[0, "isolation_expected"] == pytest.approx(exact, abs=0.001)   # ~10 standard errors


def layout_and_draws(split_factory, amount_column, replicates=300, seed=0):
    labels = np.array([3, 0, 0, 1, 1, 1, 3, 2, 3, 0, 4, 4])
    total = np.array([40, 7, 0, 30, 25, 5, 60, 9, 1, 12, 10, 10])
    group = np.array([5, 3, 0, 30, 25, 5, 2, 4, 1, 6, 0, 0])
    # area 1 has no other pupils, area 2 one school, area 4 no group pupils: only areas 0 and 3 are drawn
    layout = inference._Layout(labels, group, total, 5)
    amounts = np.repeat(getattr(layout, amount_column)[:, None], replicates, axis=1)
    drawn = inference._share_out(layout, amounts, layout.total, split_factory(np.random.default_rng(seed)))
    return layout, drawn


def test_share_out_keeps_school_sizes_and_area_group_totals():
    layout, drawn = layout_and_draws(inference._hypergeometric_split, "group_sum")
    assert list(layout.areas) == [0, 3]
    # the schools of the drawn areas, empty schools left out (they can get no pupil anyway)
    assert drawn.shape == (5, 300) and drawn.dtype == np.int64
    assert (layout.total > 0).all()
    assert (drawn >= 0).all()
    assert (drawn <= layout.total[:, None]).all()                     # no school gets more than its pupils
    sums = indices.sum_by(layout.labels, drawn, layout.n)
    assert (sums == layout.group_sum[:, None]).all()                  # every draw keeps the area's X
    # each school's mean is X t_i / T
    expected = layout.group_sum[layout.labels] * layout.total / layout.total_sum[layout.labels]
    np.testing.assert_allclose(drawn.mean(axis=1), expected, atol=0.35)


def test_share_out_multinomial_keeps_area_totals():
    layout, drawn = layout_and_draws(inference._binomial_split, "total_sum")
    sums = indices.sum_by(layout.labels, drawn, layout.n)
    assert (sums == layout.total_sum[:, None]).all()
    assert (drawn >= 0).all()
    expected = layout.total.astype(float)
    np.testing.assert_allclose(drawn.mean(axis=1), expected, atol=2.0)


def test_same_seed_same_results_other_seed_other_results():
    labels, group, total = random_areas(1)
    n = labels.max() + 1
    for function in (inference.random_allocation_indices, inference.bootstrap_indices):
        first = function(labels, group, total, n, replicates=150, seed=[5, 0])
        again = function(labels, group, total, n, replicates=150, seed=[5, 0])
        other = function(labels, group, total, n, replicates=150, seed=[6, 0])
        pd.testing.assert_frame_equal(first, again)
        numeric = first.select_dtypes("number").columns
        assert not np.allclose(first[numeric].to_numpy(), other[numeric].to_numpy(), equal_nan=True)


def test_tables_are_reproducible_from_the_settings():
    labels, group, total = random_areas(2, n_areas=10)
    codes = [f"{a:02d}" for a in range(10)]
    schools = make_schools([(f"s{i}", codes[a], int(t), int(g)) for i, (a, t, g) in enumerate(zip(labels, total,
                                                                                                    group))])
    census = make_census(codes)
    first = municipality_table(schools, census, settings(100, seed=7))
    again = municipality_table(schools, census, settings(100, seed=7))
    other = municipality_table(schools, census, settings(100, seed=9))
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["dissimilarity_expected"], other["dissimilarity_expected"], equal_nan=True)
    pd.testing.assert_series_equal(first["dissimilarity"], other["dissimilarity"])


def test_results_do_not_depend_on_school_order():
    labels, group, total = random_areas(3, n_areas=12)
    n = labels.max() + 1
    replicates = 3000
    reference = inference.random_allocation_indices(labels, group, total, n, replicates=replicates, seed=1)
    reference_boot = inference.bootstrap_indices(labels, group, total, n, replicates=replicates, seed=2)
    observed = indices.dissimilarity(labels, group, total, n)

    # rows interleaved but each area's schools in the same order: the very same draws
    rng = np.random.default_rng(0)
    interleave = _interleave_keeping_area_order(labels, rng)
    assert not (np.diff(labels[interleave]) >= 0).all()      # the areas really are mixed
    args = labels[interleave], group[interleave], total[interleave], n
    pd.testing.assert_frame_equal(
        inference.random_allocation_indices(*args, replicates=replicates, seed=1), reference)
    pd.testing.assert_frame_equal(inference.bootstrap_indices(*args, replicates=replicates, seed=2), reference_boot)

    # schools fully permuted: identical D, simulations equal up to Monte Carlo error
    permutation = rng.permutation(len(labels))
    args = labels[permutation], group[permutation], total[permutation], n
    np.testing.assert_allclose(indices.dissimilarity(*args), observed, rtol=0, atol=1e-14)
    permuted = inference.random_allocation_indices(*args, replicates=replicates, seed=1)
    ok = reference["dissimilarity_expected"].notna()
    assert ok.sum() >= 8
    assert (permuted["dissimilarity_expected"].notna() == ok).all()
    # the sd of simulated D is at most ~0.3, so the mean of 3000 draws is within ~0.006 (x 4 x sqrt 2)
    np.testing.assert_allclose(permuted.loc[ok, "dissimilarity_expected"], reference.loc[ok, "dissimilarity_expected"],
                               atol=0.03)
    np.testing.assert_allclose(permuted.loc[ok, "isolation_expected"], reference.loc[ok, "isolation_expected"],
                               atol=0.03)
    permuted_boot = inference.bootstrap_indices(*args, replicates=replicates, seed=2)
    np.testing.assert_allclose(permuted_boot.loc[ok, "dissimilarity_bc"], reference_boot.loc[ok, "dissimilarity_bc"],
                               atol=0.03)


def _interleave_keeping_area_order(labels, rng):
    """A row order that mixes the areas but keeps every area's schools in their original order."""
    slots = rng.permutation(len(labels))          # positions handed out to the areas' schools in order
    order = np.empty(len(labels), dtype=int)
    start = 0
    for area in np.unique(labels):
        rows = np.flatnonzero(labels == area)
        order[np.sort(slots[start:start + len(rows)])] = rows
        start += len(rows)
    return order


def test_fully_segregated_and_undefined_areas_through_the_tables():
    schools = make_schools([
        ("a1", "SEG", 30, 30), ("a2", "SEG", 50, 0), ("a3", "SEG", 20, 20), ("a4", "SEG", 40, 0),
        ("b1", "SINGLE", 100, 30),
        ("c1", "NOGROUP", 20, 0), ("c2", "NOGROUP", 20, 0),
        ("d1", "ONLYGROUP", 20, 20), ("d2", "ONLYGROUP", 5, 5),
        ("e1", "OK", 40, 10), ("e2", "OK", 60, 5), ("e3", "OK", 30, 20),
    ])
    census = make_census(["SEG", "SINGLE", "NOGROUP", "ONLYGROUP", "NOSCHOOL", "OK"])
    table = municipality_table(schools, census, settings(300)).set_index("municipality_code")
    seg = table.loc["SEG"]
    assert seg["dissimilarity"] == pytest.approx(1.0, abs=1e-15)
    assert 0 < seg["dissimilarity_expected"] < 0.5
    assert seg["dissimilarity_adjusted"] == pytest.approx(1.0, abs=1e-15)
    assert seg["dissimilarity_bc"] == pytest.approx(1.0, abs=1e-15)
    assert seg["dissimilarity_ci_low"] == pytest.approx(1.0, abs=1e-15)
    assert seg["dissimilarity_ci_high"] == pytest.approx(1.0, abs=1e-15)
    assert seg["dissimilarity_adjusted_ci_low"] == pytest.approx(1.0, abs=1e-15)
    assert seg["dissimilarity_adjusted_ci_high"] == pytest.approx(1.0, abs=1e-15)
    assert seg["isolation_bc"] == pytest.approx(1.0, abs=1e-15)
    assert bool(seg["distinguishable_from_random"])

    inference_columns = ["dissimilarity_expected", "dissimilarity_adjusted", "dissimilarity_adjusted_ci_low",
                         "dissimilarity_adjusted_ci_high", "dissimilarity_random_p95", "dissimilarity_bc",
                         "dissimilarity_ci_low", "dissimilarity_ci_high", "isolation_expected", "isolation_bc",
                         "isolation_ci_low", "isolation_ci_high"]
    undefined = table[table["status"] != "ok"]
    assert sorted(undefined.index) == ["NOGROUP", "NOSCHOOL", "ONLYGROUP", "SINGLE"]
    assert undefined[inference_columns].isna().all().all()
    assert undefined["distinguishable_from_random"].isna().all()
    assert str(table["distinguishable_from_random"].dtype) == "boolean"
    assert table.loc["OK", inference_columns].notna().all()
    assert table.loc["OK", "dissimilarity_ci_low"] <= table.loc["OK", "dissimilarity_bc"] \
        <= table.loc["OK", "dissimilarity_ci_high"]


def test_calibration_under_random_allocation():
    # 300 municipalities whose group pupils are handed to the schools at random: the observed D is
    # itself a draw from the random-allocation distribution, so D - D* averages 0 and about 5% of
    # areas (at most 5% in expectation, D being discrete) lie above the simulated 95th percentile.
    rng = np.random.default_rng(20240901)
    n_areas = 300
    sizes = rng.integers(4, 11, n_areas)
    labels = np.repeat(np.arange(n_areas), sizes)
    total = rng.integers(30, 201, len(labels))
    area_total = np.bincount(labels, weights=total).astype(int)
    area_group = rng.binomial(area_total, rng.uniform(0.02, 0.4, n_areas))
    group = np.concatenate([rng.multivariate_hypergeometric(total[labels == a], area_group[a])
                            for a in range(n_areas)])
    result = inference.random_allocation_indices(labels, group, total, n_areas, replicates=400, seed=[3, 0])
    observed = indices.dissimilarity(labels, group, total, n_areas)
    difference = observed - result["dissimilarity_expected"].to_numpy()
    standard_error = difference.std(ddof=1) / np.sqrt(n_areas)
    assert abs(difference.mean()) < 3 * standard_error
    flagged = result["distinguishable_from_random"].to_numpy(dtype=bool).mean()
    assert 0.015 <= flagged <= 0.09
    # yet the unadjusted D of these chance-level areas is far from 0: the small-unit bias D* corrects
    assert np.median(observed) > 0.05


# -------------------------------------------------------------------------------------------------
# Bootstrap
# -------------------------------------------------------------------------------------------------

def test_bootstrap_matches_a_slow_multinomial_reference():
    # a small area in which some redraws leave a school empty or the group out entirely (undefined
    # replicates are left out of the mean, in the reference too)
    total = np.array([5, 3, 4])
    group = np.array([1, 0, 2])
    draws = 4000
    result = inference.bootstrap_indices(np.zeros(3, dtype=int), group, total, 1, replicates=draws, seed=8)
    observed = dissimilarity_of(group, total)
    cells = np.concatenate([group, total - group]) / total.sum()
    rng = np.random.default_rng(9)
    replicate = []
    for _ in range(draws):
        counts = rng.multinomial(total.sum(), cells)
        x, t = counts[:3], counts[:3] + counts[3:]
        if x.sum() > 0 and x.sum() < t.sum() and (t > 0).sum() >= 2:
            replicate.append(dissimilarity_of(x, t))
    replicate = np.array(replicate)
    assert len(replicate) < draws                                   # the case does have undefined draws
    mean_replicate = 2 * observed - result.loc[0, "dissimilarity_bc"]
    error = replicate.std() / np.sqrt(len(replicate))
    assert abs(mean_replicate - replicate.mean()) < 4 * np.sqrt(2) * error
    low = 2 * observed - np.quantile(replicate, 0.975)
    high = 2 * observed - np.quantile(replicate, 0.025)
    assert result.loc[0, "dissimilarity_ci_low"] == pytest.approx(low, abs=0.05)
    assert result.loc[0, "dissimilarity_ci_high"] == pytest.approx(high, abs=0.05)


def test_bootstrap_interval_contains_bias_corrected_value():
    labels, group, total = random_areas(4, n_areas=200)
    n = labels.max() + 1
    result = inference.bootstrap_indices(labels, group, total, n, replicates=300, seed=1)
    defined = result["dissimilarity_bc"].notna()
    assert defined.sum() >= 150
    r = result[defined]
    assert (r["dissimilarity_ci_low"] <= r["dissimilarity_bc"] + 1e-12).all()
    assert (r["dissimilarity_bc"] <= r["dissimilarity_ci_high"] + 1e-12).all()
    assert (r["isolation_ci_low"] <= r["isolation_bc"] + 1e-12).all()
    assert (r["isolation_bc"] <= r["isolation_ci_high"] + 1e-12).all()
    assert (r["dissimilarity_ci_low"] < r["dissimilarity_ci_high"]).mean() > 0.9


def test_bootstrap_narrows_with_more_pupils():
    # same composition, 100 times the pupils: bias and interval shrink
    labels = np.array([0, 0, 0, 1, 1, 1])
    total = np.array([20, 30, 50, 2000, 3000, 5000])
    group = np.array([10, 5, 5, 1000, 500, 500])
    result = inference.bootstrap_indices(labels, group, total, 2, replicates=500, seed=3)
    width = result["dissimilarity_ci_high"] - result["dissimilarity_ci_low"]
    assert width[1] < width[0] / 5
    d = indices.dissimilarity(labels, group, total, 2)
    assert d[0] == pytest.approx(d[1])
    assert abs(result.loc[1, "dissimilarity_bc"] - d[1]) < 0.01


# -------------------------------------------------------------------------------------------------
# Carrington–Troske and quantiles
# -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("observed, expected, adjusted", [
    (0.5, 0.2, 0.3 / 0.8),       # D >= D*: (D - D*) / (1 - D*) = 0.375
    (0.2, 0.2, 0.0),             # D = D*
    (0.1, 0.2, -0.5),            # D < D*: (D - D*) / D* = -0.1 / 0.2
    (0.0, 0.4, -1.0),            # perfectly even: -1
    (1.0, 0.3, 1.0),             # complete separation: 1
    (0.4, 0.0, 0.4),             # D* = 0: unchanged
    (0.0, 0.0, 0.0),             # D = D* = 0
    (1.0, 1.0, 0.0),             # D* = 1 and D = 1: 0, not 0/0
    (0.5, 1.0, -0.5),            # D* = 1, D < D*: (0.5 - 1) / 1
])
def test_carrington_troske_by_hand(observed, expected, adjusted):
    assert float(inference.carrington_troske(observed, expected)) == pytest.approx(adjusted, abs=1e-15)


def test_carrington_troske_vectorised_and_missing():
    got = inference.carrington_troske(np.array([0.5, np.nan, 0.1, 0.3]), np.array([0.2, 0.2, np.nan, 0.3]))
    np.testing.assert_allclose(got, [0.375, np.nan, np.nan, 0.0], atol=1e-15)


def test_adjusted_interval_contains_adjusted_value():
    rng = np.random.default_rng(5)
    n = 5000
    observed = rng.uniform(0, 1, n)
    expected = rng.uniform(0, 1, n)
    expected[:50], expected[50:100] = 0.0, 1.0
    bias_corrected = np.clip(observed - rng.uniform(0, 0.2, n), 0, 1)
    ci_low = bias_corrected - rng.uniform(0, 0.3, n)
    ci_high = bias_corrected + rng.uniform(0, 0.3, n)
    low, high = inference.adjusted_interval(observed, expected, bias_corrected, ci_low, ci_high)
    adjusted = inference.carrington_troske(observed, expected)
    assert (low <= adjusted + 1e-12).all() and (adjusted <= high + 1e-12).all()
    assert (low >= -1 - 1e-12).all() and (high <= 1 + 1e-12).all()
    # hand case: D = 0.5, D* = 0.2, bc = 0.45, interval [0.35, 0.6]
    # low = CT(0.5 - 0.10) = 0.2 / 0.8, high = CT(0.5 + 0.15) = 0.45 / 0.8
    low, high = inference.adjusted_interval(np.array([0.5]), np.array([0.2]), np.array([0.45]), np.array([0.35]),
                                            np.array([0.6]))
    assert low[0] == pytest.approx(0.25) and high[0] == pytest.approx(0.5625)


def test_adjusted_interval_contains_adjusted_value_in_the_tables():
    labels, group, total = random_areas(6, n_areas=60)
    codes = [f"{a:02d}" for a in range(60)]
    schools = make_schools([(f"s{i}", codes[a], int(t), int(g)) for i, (a, t, g) in enumerate(zip(labels, total,
                                                                                                    group))])
    table = municipality_table(schools, make_census(codes), settings(200))
    ok = table[table["status"] == "ok"]
    assert len(ok) >= 40
    assert (ok["dissimilarity_adjusted_ci_low"] <= ok["dissimilarity_adjusted"] + 1e-12).all()
    assert (ok["dissimilarity_adjusted"] <= ok["dissimilarity_adjusted_ci_high"] + 1e-12).all()
    assert ok["dissimilarity_adjusted"].between(-1, 1).all()


def test_row_quantiles_match_numpy_nanquantile():
    rng = np.random.default_rng(0)
    probabilities = [0.0, 0.025, 0.5, 0.95, 0.975, 1.0]
    for shape in [(50, 1), (50, 2), (40, 7), (30, 200)]:
        values = rng.normal(size=shape)
        values[rng.random(shape) < 0.3] = np.nan
        values[0] = np.nan                      # a row without any value
        values[1, :] = 2.5                      # ties
        got = inference.row_quantiles(values, probabilities)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanquantile(values, probabilities, axis=1)
        for p, row in enumerate(got):
            np.testing.assert_allclose(row, expected[p], rtol=0, atol=1e-14, equal_nan=True)
    # no replicate columns at all
    empty = inference.row_quantiles(np.empty((3, 0)), [0.5])
    assert np.isnan(empty[0]).all() and empty[0].shape == (3,)


def test_replicates_must_be_positive():
    with pytest.raises(ValueError):
        inference.random_allocation_indices(np.zeros(2, dtype=int), np.array([1, 0]), np.array([2, 2]), 1,
                                            replicates=0)
