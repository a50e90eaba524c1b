"""Normalised exposure, mutual information, Theil's H, local segregation and the decomposition of M.

Against hand-derived values (exact fractions and logarithms in the comments) and against PySAL
``segregation`` 2.5: ``CorrelationR`` (V), ``MultiDivergence`` (M) and ``MultiInfoTheory`` (H).
"""

from __future__ import annotations

import warnings
from math import log

import numpy as np
import pandas as pd
import pytest
from test_indices import make_census, make_schools

from segmap.stats import indices
from segmap.stats import tables

THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}
# few replicates: these tests are about the point indices, not the simulations
FAST_INFERENCE = {"random_allocation": {"replicates": 20, "seed": 1}, "bootstrap": {"replicates": 20, "seed": 2}}


def build_tables(schools, census):
    school_table = tables.school_indices(schools, census, THRESHOLDS)
    return (school_table,
            tables.municipality_indices(school_table, census, FAST_INFERENCE),
            tables.region_indices(school_table, census, FAST_INFERENCE),
            tables.national_indices(school_table, census, "xx", "Testland", FAST_INFERENCE))


def random_country(seed=3, n_municipalities=40, n_regions=5):
    """Municipalities of 1-8 schools (some empty), a few without group pupils, and two without schools."""
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(n_municipalities - 2):
        n_schools = int(rng.integers(1, 9))
        share = rng.beta(0.6, 4) if m % 7 else 0.0
        for s in range(n_schools):
            total = int(rng.integers(0, 400)) if rng.random() > 0.05 else 0
            group = int(rng.binomial(total, min(rng.gamma(0.5) * share, 1.0)))
            rows.append((f"{m:03d}-{s}", f"{m:05d}", total, group))
    codes = [f"{m:05d}" for m in range(n_municipalities)]
    census = make_census(codes, regions=[f"{m % n_regions:02d}" for m in range(n_municipalities)])
    return make_schools(rows), census


@pytest.fixture(scope="module")
def country():
    schools, census = random_country()
    school_table, municipality, region, national = build_tables(schools, census)
    return {"schools": school_table, "census": census, "municipality": municipality, "region": region,
            "national": national}


def entropy(p):
    return 0.0 if p in (0, 1) else -p * log(p) - (1 - p) * log(1 - p)


# -------------------------------------------------------------------------------------------------
# Hand-derived cases
# -------------------------------------------------------------------------------------------------

def test_two_schools_by_hand():
    # a: t = 30, x = 20, y = 10;  b: t = 70, x = 10, y = 60;  T = 100, X = 30, Y = 70, P = 3/10
    # p_a = 2/3, p_b = 1/7
    # D = 1/2 (|20/30 - 10/70| + |10/30 - 60/70|) = 2/3 - 1/7 = 11/21
    # xPx = (20/30)(2/3) + (10/30)(1/7) = 4/9 + 1/21 = 31/63
    # V = (31/63 - 3/10) / (7/10) = (121/630) (10/7) = 121/441 = (11/21)^2
    # M = sum over cells (n_ig / T) ln(n_ig T / (t_i N_g))
    #   = 0.2 ln(20*100/(30*30)) + 0.1 ln(10*100/(30*70)) + 0.1 ln(10*100/(70*30)) + 0.6 ln(60*100/(70*70))
    #   = 0.2 ln(20/9) + 0.2 ln(10/21) + 0.6 ln(60/49)
    #   (= E(3/10) - 0.3 E(2/3) - 0.7 E(1/7), the definition of DESIGN.md)
    # H = M / E(3/10), E(3/10) = -0.3 ln 0.3 - 0.7 ln 0.7
    # ls_a = (2/3) ln((2/3)/(3/10)) + (1/3) ln((1/3)/(7/10)) = (2/3) ln(20/9) + (1/3) ln(10/21)
    # ls_b = (1/7) ln((1/7)/(3/10)) + (6/7) ln((6/7)/(7/10)) = (1/7) ln(10/21) + (6/7) ln(60/49)
    # and 0.3 ls_a + 0.7 ls_b = M
    m = 0.2 * log(20 / 9) + 0.2 * log(10 / 21) + 0.6 * log(60 / 49)
    e_p = -0.3 * log(0.3) - 0.7 * log(0.7)
    assert m == pytest.approx(e_p - 0.3 * entropy(2 / 3) - 0.7 * entropy(1 / 7), abs=1e-15)
    ls_a = 2 / 3 * log(20 / 9) + 1 / 3 * log(10 / 21)
    ls_b = 1 / 7 * log(10 / 21) + 6 / 7 * log(60 / 49)
    assert 0.3 * ls_a + 0.7 * ls_b == pytest.approx(m, abs=1e-15)

    schools = make_schools([("a", "A", 30, 20), ("b", "A", 70, 10)])
    school_table, municipality, region, national = build_tables(schools, make_census(["A"]))
    row = municipality.iloc[0]
    assert row["dissimilarity"] == pytest.approx(11 / 21, abs=1e-15)
    assert row["isolation"] == pytest.approx(31 / 63, abs=1e-15)
    assert row["normalised_exposure"] == pytest.approx(121 / 441, abs=1e-15)
    assert row["mutual_information"] == pytest.approx(m, abs=1e-15)
    assert row["theil_h"] == pytest.approx(m / e_p, abs=1e-15)
    assert list(school_table["local_segregation"]) == pytest.approx([ls_a, ls_b], abs=1e-15)
    # one municipality: region and country are the same schools, all of M is within the municipality
    for table in (region, national):
        assert table.iloc[0]["mutual_information"] == pytest.approx(m, abs=1e-15)
        assert table.iloc[0]["theil_h"] == pytest.approx(m / e_p, abs=1e-15)
        assert table.iloc[0]["normalised_exposure"] == pytest.approx(121 / 441, abs=1e-15)
        assert table.iloc[0]["mutual_information_between"] == pytest.approx(0.0, abs=1e-15)
        assert table.iloc[0]["mutual_information_within"] == pytest.approx(m, abs=1e-15)


def test_kernels_by_hand_for_several_areas_at_once():
    # area 0: the two schools above; area 1: even spread (M = V = H = 0); area 2: one school
    labels = np.array([0, 0, 1, 1, 1, 2])
    total = np.array([30, 70, 10, 20, 40, 50], dtype=float)
    group = np.array([20, 10, 1, 2, 4, 5], dtype=float)
    m = 0.2 * log(20 / 9) + 0.2 * log(10 / 21) + 0.6 * log(60 / 49)
    got_m = indices.mutual_information(labels, group, total, 3)
    np.testing.assert_allclose(got_m, [m, 0, 0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(indices.normalised_exposure(labels, group, total, 3)[:2], [121 / 441, 0],
                               rtol=0, atol=1e-15)
    np.testing.assert_allclose(indices.theil_h(labels, group, total, 3),
                               [m / entropy(0.3), 0, 0], rtol=0, atol=1e-15)
    ls = indices.local_segregation(labels, group, total, 3)
    np.testing.assert_allclose(ls[2:], 0, atol=1e-15)


def test_complete_separation_gives_h_and_v_of_one():
    # x = 10, 5, 0, 0 of t = 10, 5, 35, 0: no school has both groups; P = 15/50 = 0.3
    # M = E(0.3) - sum (t_i/T) E(p_i) = E(0.3) since every p_i is 0 or 1; H = 1; V = (1 - 0.3)/(1 - 0.3) = 1
    schools = make_schools([("a", "A", 10, 10), ("b", "A", 5, 5), ("c", "A", 35, 0), ("d", "A", 0, 0)])
    school_table, municipality, _, _ = build_tables(schools, make_census(["A"]))
    row = municipality.iloc[0]
    assert row["status"] == "ok"
    assert row["dissimilarity"] == pytest.approx(1.0, abs=1e-15)
    assert row["theil_h"] == pytest.approx(1.0, abs=1e-15)
    assert row["normalised_exposure"] == pytest.approx(1.0, abs=1e-15)
    assert row["mutual_information"] == pytest.approx(entropy(0.3), abs=1e-15)
    # ls_i = ln(1/P) for all-group schools, ln(1/(1 - P)) for schools without group pupils, NaN when empty
    ls = school_table["local_segregation"].to_numpy()
    np.testing.assert_allclose(ls[:3], [log(1 / 0.3), log(1 / 0.3), log(1 / 0.7)], rtol=0, atol=1e-15)
    assert np.isnan(ls[3])


def test_single_school_and_single_group_give_zero_m():
    schools = make_schools([
        ("s", "SINGLE", 120, 30), ("e", "SINGLE", 0, 0),    # one school with pupils (and an empty one)
        ("n1", "NOGROUP", 100, 0), ("n2", "NOGROUP", 50, 0),
        ("o1", "ONLYGROUP", 20, 20), ("o2", "ONLYGROUP", 30, 30),
    ])
    census = make_census(["SINGLE", "NOGROUP", "ONLYGROUP", "NOSCHOOL"])
    school_table, municipality, _, _ = build_tables(schools, census)
    by_code = municipality.set_index("municipality_code")
    assert by_code.loc["SINGLE", "status"] == "single_school"
    for code in ("SINGLE", "NOGROUP", "ONLYGROUP"):
        assert by_code.loc[code, "mutual_information"] == pytest.approx(0.0, abs=1e-15)
    assert by_code.loc["SINGLE", "theil_h"] == pytest.approx(0.0, abs=1e-15)     # 0 < X < T: H defined
    assert np.isnan(by_code.loc["NOGROUP", "theil_h"]) and np.isnan(by_code.loc["ONLYGROUP", "theil_h"])
    assert np.isnan(by_code.loc["NOSCHOOL", "mutual_information"])
    assert by_code.loc[["SINGLE", "NOGROUP", "ONLYGROUP", "NOSCHOOL"], "normalised_exposure"].isna().all()
    np.testing.assert_allclose(school_table["local_segregation"].to_numpy()[[0, 2, 3, 4, 5]], 0, atol=1e-15)


def test_decomposition_by_hand():
    # A: schools (10 of 10), (0 of 10): P_A = 1/2, M_A = ln 2, T_A = 20
    # B: one school (0 of 20): M_B = 0, T_B = 20
    # country: P = 10/40 = 1/4, every school is single-group, so M = E(1/4)
    # between (municipalities as units, shares 1/2 and 0) = E(1/4) - (1/2) E(1/2) = E(1/4) - (1/2) ln 2
    # within = (20/40) ln 2 + (20/40) 0 = (1/2) ln 2
    schools = make_schools([("a1", "A", 10, 10), ("a2", "A", 10, 0), ("b1", "B", 20, 0)])
    _, municipality, region, national = build_tables(schools, make_census(["A", "B"]))
    assert list(municipality["mutual_information"]) == pytest.approx([log(2), 0.0], abs=1e-15)
    for table in (region, national):
        row = table.iloc[0]
        assert row["mutual_information"] == pytest.approx(entropy(0.25), abs=1e-15)
        assert row["mutual_information_between"] == pytest.approx(entropy(0.25) - log(2) / 2, abs=1e-15)
        assert row["mutual_information_within"] == pytest.approx(log(2) / 2, abs=1e-15)
    assert national.columns.get_loc("mutual_information_between") == \
        national.columns.get_loc("mutual_information") + 1


# -------------------------------------------------------------------------------------------------
# Identities on a random country
# -------------------------------------------------------------------------------------------------

def test_local_segregation_adds_up_to_m(country):
    schools, municipality = country["schools"], country["municipality"]
    weight = schools["pupils_total"] / schools.groupby("municipality_code")["pupils_total"].transform("sum")
    summed = (weight * schools["local_segregation"]).fillna(0).groupby(schools["municipality_code"]).sum()
    m = municipality.set_index("municipality_code")["mutual_information"]
    with_pupils = m.dropna()
    assert len(with_pupils) >= 35
    np.testing.assert_allclose(summed.reindex(with_pupils.index).to_numpy(), with_pupils.to_numpy(),
                               rtol=0, atol=1e-12)
    # schools without pupils have no score; all others have a non-negative one
    empty = schools["pupils_total"] == 0
    assert empty.any()
    assert schools.loc[empty, "local_segregation"].isna().all()
    assert (schools.loc[~empty, "local_segregation"] >= -1e-15).all()


@pytest.mark.parametrize("level", ["region", "national"])
def test_m_is_between_plus_within(country, level):
    municipality = country["municipality"]
    table, key = (country["region"], "region_code") if level == "region" else (country["national"], None)
    # the random country has the awkward cases the within part has to count as M = 0
    statuses = set(municipality["status"])
    assert {"single_school", "no_group_pupils", "no_schools", "ok"} <= statuses
    zero_m = municipality["status"].isin(["single_school", "no_group_pupils"])
    np.testing.assert_allclose(municipality.loc[zero_m, "mutual_information"], 0, atol=1e-15)

    m = table["mutual_information"].to_numpy()
    between = table["mutual_information_between"].to_numpy()
    within = table["mutual_information_within"].to_numpy()
    np.testing.assert_allclose(between + within, m, rtol=0, atol=1e-12)
    assert (between >= -1e-15).all() and (within >= -1e-15).all()

    # within = sum_m (T_m / T) M_m over the municipality table (no school -> T_m = 0, M_m NaN)
    weighted = municipality["pupils_total"] * municipality["mutual_information"].fillna(0)
    if key is None:
        expected = [weighted.sum() / municipality["pupils_total"].sum()]
    else:
        grouped = weighted.groupby(municipality["region_code"]).sum()
        expected = (grouped / municipality.groupby("region_code")["pupils_total"].sum()).reindex(table[key])
    np.testing.assert_allclose(within, np.asarray(expected, dtype=float), rtol=0, atol=1e-12)

    # between = M of the municipalities taken as single schools
    units = municipality[municipality["pupils_total"] > 0]
    labels = (np.zeros(len(units), dtype=int) if key is None
              else pd.Index(table[key]).get_indexer(units["region_code"]))
    between_direct = indices.mutual_information(labels, units["pupils_group"].to_numpy(float),
                                                units["pupils_total"].to_numpy(float), len(table))
    np.testing.assert_allclose(between, between_direct, rtol=0, atol=1e-12)


def test_m_and_h_bounds(country):
    municipality = country["municipality"]
    ok = municipality[municipality["status"] == "ok"]
    share = ok["group_share"]
    e_p = -share * np.log(share) - (1 - share) * np.log(1 - share)
    assert (ok["mutual_information"] >= -1e-15).all()
    assert (ok["mutual_information"] <= e_p + 1e-12).all()
    assert ok["theil_h"].between(-1e-15, 1 + 1e-12).all()
    assert ok["normalised_exposure"].between(-1e-12, 1 + 1e-12).all()


# -------------------------------------------------------------------------------------------------
# Against PySAL segregation
# -------------------------------------------------------------------------------------------------

def pysal_statistics(frame):
    """V, M and H of one area's schools from PySAL (groups [roma, other] for the multigroup indices)."""
    # PySAL's multigroup modules call np.seterr(divide="ignore", invalid="ignore") when imported;
    # errstate puts the global numpy error state back afterwards.
    with np.errstate(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from segregation.multigroup import MultiDivergence, MultiInfoTheory
        from segregation.singlegroup import CorrelationR

        data = pd.DataFrame({"roma": frame["pupils_group"].astype(float),
                             "total": frame["pupils_total"].astype(float)})
        data["other"] = data["total"] - data["roma"]
        with_pupils = data[data["total"] > 0]
        v = CorrelationR(with_pupils, group_pop_var="roma", total_pop_var="total").statistic
        # all schools, the empty ones too: PySAL's nan handling has to give them weight 0 as well
        m = MultiDivergence(data, groups=["roma", "other"]).statistic
        h = MultiInfoTheory(data, groups=["roma", "other"]).statistic
    return v, m, h


@pytest.mark.parametrize("level", ["municipality", "region"])
def test_matches_pysal_v_m_h(country, level):
    pytest.importorskip("segregation")
    key = "municipality_code" if level == "municipality" else "region_code"
    indexed = country[level].set_index(key)
    checked = {"ok": 0, "m_only": 0}
    for code, frame in country["schools"].groupby(key):
        row = indexed.loc[code]
        if row["pupils_total"] == 0:
            continue
        v, m, h = pysal_statistics(frame)
        # M is defined (0) for single-school and single-group areas too, and PySAL agrees
        assert row["mutual_information"] == pytest.approx(m, abs=1e-9), code
        if row["status"] != "ok":
            checked["m_only"] += 1
            continue
        assert row["normalised_exposure"] == pytest.approx(v, abs=1e-9), code
        assert row["theil_h"] == pytest.approx(h, abs=1e-9), code
        checked["ok"] += 1
    if level == "municipality":
        assert checked["ok"] >= 20 and checked["m_only"] >= 5
    else:
        assert checked["ok"] == 5


def test_matches_pysal_national(country):
    pytest.importorskip("segregation")
    v, m, h = pysal_statistics(country["schools"])
    row = country["national"].iloc[0]
    assert row["normalised_exposure"] == pytest.approx(v, abs=1e-9)
    assert row["mutual_information"] == pytest.approx(m, abs=1e-9)
    assert row["theil_h"] == pytest.approx(h, abs=1e-9)


def test_pysal_import_leaves_numpy_error_state_alone():
    # guard for the errstate trick above: the suite's other tests rely on numpy's default error state
    before = np.geterr()
    pysal_statistics(make_schools([("a", "A", 10, 5), ("b", "A", 10, 0)]))
    assert np.geterr() == before
