"""Properties of the indices on random small areas (hypothesis).

An area is 2-8 schools with 0..200 pupils each, of whom 0..all belong to the group.
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from segmap.stats import indices
from segmap.stats import inference

TOLERANCE = 1e-12
SETTINGS = settings(max_examples=80, deadline=None)

school = st.integers(0, 200).flatmap(lambda total: st.tuples(st.integers(0, total), st.just(total)))
area = st.lists(school, min_size=2, max_size=8)
factor = st.integers(2, 50)


def arrays(schools):
    group = np.array([g for g, _ in schools], dtype=float)
    total = np.array([t for _, t in schools], dtype=float)
    return group, total


def defined(group, total):
    """Status ok: two schools with pupils, 0 < X < T."""
    return (total > 0).sum() >= 2 and 0 < group.sum() < total.sum()


def statistics(group, total, labels=None, n_areas=1):
    labels = np.zeros(len(group), dtype=int) if labels is None else labels
    args = (labels, group, total, n_areas)
    return {
        "D": indices.dissimilarity(*args),
        "xPx": indices.isolation(*args),
        "xPy": indices.exposure(*args),
        "V": indices.normalised_exposure(*args),
        "M": indices.mutual_information(*args),
        "H": indices.theil_h(*args),
    }


def assert_close(actual, desired):
    np.testing.assert_allclose(actual, desired, rtol=0, atol=TOLERANCE, equal_nan=True)


@SETTINGS
@given(area)
def test_bounds(schools):
    group, total = arrays(schools)
    assume(defined(group, total))
    s = {k: float(v[0]) for k, v in statistics(group, total).items()}
    share = group.sum() / total.sum()
    e_p = float(indices.entropy(share))
    assert -TOLERANCE <= s["D"] <= 1 + TOLERANCE
    assert -TOLERANCE <= s["V"] <= 1 + TOLERANCE
    assert -TOLERANCE <= s["H"] <= 1 + TOLERANCE
    assert -TOLERANCE <= s["M"] <= e_p + TOLERANCE
    assert share - TOLERANCE <= s["xPx"] <= 1 + TOLERANCE
    assert abs(s["xPx"] + s["xPy"] - 1) <= TOLERANCE


@SETTINGS
@given(st.data(), area)
def test_school_order_does_not_matter(data, schools):
    group, total = arrays(schools)
    permutation = np.array(data.draw(st.permutations(range(len(schools)))))
    before = statistics(group, total)
    after = statistics(group[permutation], total[permutation])
    for name in before:
        assert_close(after[name], before[name])


@SETTINGS
@given(area, factor)
def test_scale_invariance(schools, k):
    # multiplying both groups of every school by k changes no index (they depend on shares only)
    group, total = arrays(schools)
    before = statistics(group, total)
    after = statistics(k * group, k * total)
    for name in ("D", "xPx", "V", "M", "H"):
        assert_close(after[name], before[name])


@SETTINGS
@given(st.lists(area, min_size=1, max_size=6))
def test_areas_computed_together_equal_areas_computed_alone(areas):
    # the vectorised kernels keep areas apart: the bincounts of one area never leak into another
    labels = np.concatenate([np.full(len(a), i) for i, a in enumerate(areas)])
    group, total = arrays([s for a in areas for s in a])
    together = statistics(group, total, labels, len(areas))
    for i, a in enumerate(areas):
        alone = statistics(*arrays(a))
        for name in alone:
            assert_close(together[name][i], alone[name][0])


@SETTINGS
@given(area)
def test_local_segregation_adds_up_to_m(schools):
    group, total = arrays(schools)
    assume(total.sum() > 0)
    labels = np.zeros(len(group), dtype=int)
    ls = indices.local_segregation(labels, group, total, 1)
    assert np.isnan(ls[total == 0]).all()
    assert (ls[total > 0] >= -TOLERANCE).all()
    weighted = np.nansum(total / total.sum() * ls)
    assert_close(weighted, indices.mutual_information(labels, group, total, 1)[0])


@SETTINGS
@given(st.lists(st.tuples(st.integers(1, 200), st.booleans()), min_size=2, max_size=8))
def test_complete_separation(spec):
    # every school is all group or all other pupils
    schools = [(t if is_group else 0, t) for t, is_group in spec]
    group, total = arrays(schools)
    assume(0 < group.sum() < total.sum())
    s = statistics(group, total)
    for name in ("D", "xPx", "V", "H"):
        assert_close(s[name][0], 1.0)
    assert_close(s["xPy"][0], 0.0)
    assert_close(s["M"][0], indices.entropy(group.sum() / total.sum()))


# a country: municipalities of 1-5 schools, each in one of 3 regions
municipality = st.tuples(st.lists(school, min_size=1, max_size=5), st.integers(0, 2))


@SETTINGS
@given(st.lists(municipality, min_size=1, max_size=8))
def test_m_is_between_plus_within(municipalities):
    unit_labels = np.concatenate([np.full(len(schools), u) for u, (schools, _) in enumerate(municipalities)])
    region_of_unit = np.array([region for _, region in municipalities])
    group, total = arrays([s for schools, _ in municipalities for s in schools])
    n_units = len(municipalities)
    for area_of_unit, n_areas in ((region_of_unit, 3), (np.zeros(n_units, dtype=int), 1)):
        between, within = indices.mutual_information_decomposition(unit_labels, area_of_unit, group, total,
                                                                   n_units, n_areas)
        m = indices.mutual_information(area_of_unit[unit_labels], group, total, n_areas)
        assert_close(between + within, m)
        with_pupils = ~np.isnan(m)
        assert (between[with_pupils] >= -TOLERANCE).all() and (within[with_pupils] >= -TOLERANCE).all()
        # within = sum_u (T_u / T) M_u, M_u = 0 for units with one school or one group
        unit_m = np.nan_to_num(indices.mutual_information(unit_labels, group, total, n_units))
        unit_total = np.bincount(unit_labels, weights=total, minlength=n_units)
        area_total = np.bincount(area_of_unit, weights=unit_total, minlength=n_areas)
        expected = np.bincount(area_of_unit, weights=unit_total * unit_m, minlength=n_areas)
        assert_close(within[with_pupils], expected[with_pupils] / area_total[with_pupils])


@settings(max_examples=40, deadline=None)
@given(st.lists(area, min_size=1, max_size=5), st.integers(0, 2 ** 32 - 1))
def test_simulations_only_where_defined_and_within_bounds(areas, seed):
    labels = np.concatenate([np.full(len(a), i) for i, a in enumerate(areas)])
    group, total = arrays([s for a in areas for s in a])
    n = len(areas)
    ok = np.array([defined(*arrays(a)) for a in areas])

    layout = inference._Layout(labels, group, total, n)
    assert list(layout.areas) == list(np.flatnonzero(ok))
    rng = np.random.default_rng(seed)
    amounts = np.repeat(layout.group_sum[:, None], 7, axis=1)
    drawn = inference._share_out(layout, amounts, layout.total, inference._hypergeometric_split(rng))
    assert ((drawn >= 0) & (drawn <= layout.total[:, None])).all()
    assert (indices.sum_by(layout.labels, drawn, layout.n) == layout.group_sum[:, None]).all()

    random = inference.random_allocation_indices(labels, group, total, n, replicates=20, seed=seed)
    boot = inference.bootstrap_indices(labels, group, total, n, replicates=20, seed=seed)
    assert (random["dissimilarity_expected"].notna().to_numpy() == ok).all()
    assert random.loc[~ok, "distinguishable_from_random"].isna().all()
    assert boot.loc[~ok].isna().all().all()
    expected = random.loc[ok, "dissimilarity_expected"]
    assert expected.between(-TOLERANCE, 1 + TOLERANCE).all()
    d = indices.dissimilarity(labels, group, total, n)
    adjusted = inference.carrington_troske(d[ok], expected.to_numpy())
    assert ((adjusted >= -1 - TOLERANCE) & (adjusted <= 1 + TOLERANCE)).all()
