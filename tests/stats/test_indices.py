"""Indices against hand-computed cases and against PySAL ``segregation``."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from segmap.stats import indices
from segmap.stats import tables

THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}


def make_schools(rows):
    """rows: (school_id, municipality_code, pupils_total, pupils_group[, settlement])."""
    frame = pd.DataFrame([r + (None,) * (5 - len(r)) for r in rows],
                         columns=["school_id", "municipality_code", "pupils_total", "pupils_group", "settlement"])
    frame["school_name"] = frame["school_id"]
    frame["lon"] = np.nan
    frame["lat"] = np.nan
    return frame


def make_census(codes, regions=None):
    regions = regions or ["R1"] * len(codes)
    return pd.DataFrame({
        "municipality_code": codes,
        "municipality_name": [f"M {c}" for c in codes],
        "region_code": regions,
        "region_name": [f"Region {r}" for r in regions],
        "population_total": [1000] * len(codes),
        "population_group": [50] * len(codes),
    })


def build_tables(schools, census, thresholds=THRESHOLDS):
    school_table = tables.school_indices(schools, census, thresholds)
    return (school_table, tables.municipality_indices(school_table, census),
            tables.region_indices(school_table, census),
            tables.national_indices(school_table, census, "xx", "Testland"))


# -------------------------------------------------------------------------------------------------
# Hand-computed cases
# -------------------------------------------------------------------------------------------------

def test_hand_computed_three_schools():
    # X = 60, Y = 340; x/X = 5/6, 1/6, 0; y/Y = 5/34, 9/34, 20/34
    # |x/X - y/Y| = 35/51, 5/51, 30/51 -> D = 35/51; xPx = 5/6 * 1/2 + 1/6 * 1/10 = 13/30
    schools = make_schools([("a", "01001", 100, 50), ("b", "01001", 100, 10), ("c", "01001", 200, 0)])
    school_table, municipality, _, _ = build_tables(schools, make_census(["01001"]))
    row = municipality.iloc[0]
    assert row["dissimilarity"] == pytest.approx(35 / 51, abs=1e-15)
    assert row["isolation"] == pytest.approx(13 / 30, abs=1e-15)
    assert row["exposure"] == pytest.approx(1 - 13 / 30, abs=1e-15)
    assert row["group_share"] == pytest.approx(60 / 400)
    assert row["status"] == "ok"
    assert school_table["dissimilarity_contribution"].sum() == pytest.approx(35 / 51, abs=1e-15)
    assert list(school_table["dissimilarity_contribution"]) == pytest.approx([35 / 102, 5 / 102, 30 / 102])
    # representation ratio = share / P with P = 0.15
    assert list(school_table["representation_ratio"]) == pytest.approx([0.5 / 0.15, 0.1 / 0.15, 0.0])


def test_complete_separation_and_even_spread():
    schools = make_schools([
        ("a", "A", 10, 10), ("b", "A", 30, 0),      # complete separation
        ("c", "B", 20, 5), ("d", "B", 40, 10),      # same composition everywhere
    ])
    _, municipality, _, _ = build_tables(schools, make_census(["A", "B"]))
    by_code = municipality.set_index("municipality_code")
    assert by_code.loc["A", "dissimilarity"] == 1.0
    assert by_code.loc["A", "isolation"] == 1.0
    assert by_code.loc["A", "exposure"] == 0.0
    assert by_code.loc["B", "dissimilarity"] == pytest.approx(0.0, abs=1e-15)
    assert by_code.loc["B", "isolation"] == pytest.approx(0.25)


def test_status_of_undefined_areas():
    schools = make_schools([
        ("s1", "SINGLE", 100, 30),
        ("n1", "NOGROUP", 100, 0), ("n2", "NOGROUP", 50, 0),
        ("o1", "ONLYGROUP", 20, 20), ("o2", "ONLYGROUP", 30, 30),
        ("e1", "EMPTY", 0, 0),
        ("k1", "OK", 10, 5), ("k2", "OK", 10, 1), ("k3", "OK", 0, 0),
    ])
    census = make_census(["SINGLE", "NOGROUP", "ONLYGROUP", "EMPTY", "NOSCHOOL", "OK"])
    _, municipality, _, _ = build_tables(schools, census)
    by_code = municipality.set_index("municipality_code")
    expected = {"SINGLE": "single_school", "NOGROUP": "no_group_pupils", "ONLYGROUP": "no_other_pupils",
                "EMPTY": "no_schools", "NOSCHOOL": "no_schools", "OK": "ok"}
    assert by_code["status"].to_dict() == expected
    undefined = by_code.drop(index="OK")
    assert undefined[["dissimilarity", "isolation", "exposure"]].isna().all().all()
    assert by_code.loc["OK", ["dissimilarity", "isolation"]].notna().all()
    # every municipality of the census has a row, in census order
    assert list(municipality["municipality_code"]) == list(census["municipality_code"])
    assert by_code.loc["NOSCHOOL", "n_schools"] == 0
    assert by_code.loc["OK", "n_schools"] == 3  # the empty school is counted but carries no pupils


def test_segregated_school_counts_and_share():
    schools = make_schools([
        ("a", "A", 100, 90),   # severe
        ("b", "A", 100, 50),   # segregated (>= 0.5)
        ("c", "A", 100, 10),   # below
        ("d", "A", 0, 0),      # no pupils
    ])
    school_table, municipality, region, national = build_tables(schools, make_census(["A"]))
    assert list(school_table["category"]) == ["severe", "segregated", "below_threshold", "no_pupils"]
    row = municipality.iloc[0]
    assert row["segregated_schools"] == 2
    assert row["severe_schools"] == 1
    assert row["group_in_segregated_share"] == pytest.approx(140 / 150)
    assert national.iloc[0]["segregated_schools"] == 2
    assert region.iloc[0]["group_in_segregated_share"] == pytest.approx(140 / 150)


def test_threshold_comparison_above_is_strict():
    schools = make_schools([("a", "A", 100, 30), ("b", "A", 100, 41), ("c", "A", 100, 42)])
    thresholds = {"segregated": 0.30, "severe": 0.41, "comparison": "above", "require_alternative": False}
    category = indices.school_category(schools, thresholds)
    assert list(category) == ["below_threshold", "segregated", "severe"]
    at_least = indices.school_category(schools, {**thresholds, "comparison": "at_least"})
    assert list(at_least) == ["segregated", "severe", "severe"]


def test_require_alternative_uses_settlement_then_municipality():
    schools = make_schools([
        ("a", "A", 100, 90, "Village"),      # only school of its settlement -> no alternative
        ("b", "A", 100, 90, "Town"),         # town has another school -> severe
        ("c", "A", 100, 10, "Town"),
        ("d", "B", 100, 60, None),           # only school of municipality B -> no alternative
        ("e", "C", 100, 60, None), ("f", "C", 100, 0, None),   # two schools in C -> segregated
    ])
    thresholds = {**THRESHOLDS, "require_alternative": True}
    category = indices.school_category(schools, thresholds)
    assert list(category) == ["no_alternative", "severe", "below_threshold", "no_alternative", "segregated",
                              "below_threshold"]


def test_regions_and_country_pool_all_their_schools():
    schools = make_schools([("a", "A", 10, 10), ("b", "B", 10, 0), ("c", "C", 10, 5), ("d", "C", 10, 5)])
    census = make_census(["A", "B", "C"], regions=["R1", "R1", "R2"])
    _, municipality, region, national = build_tables(schools, census)
    by_region = region.set_index("region_code")
    # R1: two single-school municipalities, but across the region the schools are completely separated
    assert by_region.loc["R1", "dissimilarity"] == 1.0
    assert by_region.loc["R1", "n_municipalities"] == 2
    assert by_region.loc["R2", "dissimilarity"] == pytest.approx(0.0, abs=1e-15)
    statuses = municipality.set_index("municipality_code")["status"]
    assert (statuses["A"], statuses["B"]) == ("no_other_pupils", "no_group_pupils")
    # country: x = 10,0,5,5 (X=20); y = 0,10,5,5 (Y=20): D = 1/2 (0.5 + 0.5 + 0 + 0) = 0.5
    assert national.iloc[0]["dissimilarity"] == pytest.approx(0.5)
    assert national.iloc[0]["n_regions"] == 2
    assert national.iloc[0]["country_code"] == "xx"


def test_codes_keep_leading_zeros():
    schools = make_schools([("0001", "01001", 10, 5), ("0002", "01001", 10, 1)])
    school_table, municipality, _, _ = build_tables(schools, make_census(["01001"], regions=["01"]))
    assert municipality.iloc[0]["municipality_code"] == "01001"
    assert school_table.iloc[0]["school_id"] == "0001"


# -------------------------------------------------------------------------------------------------
# Against PySAL segregation
# -------------------------------------------------------------------------------------------------

def random_country(seed=7, n_municipalities=60, n_regions=6):
    rng = np.random.default_rng(seed)
    rows = []
    for m in range(n_municipalities):
        n_schools = int(rng.integers(1, 9))
        share = rng.beta(0.6, 6)
        for s in range(n_schools):
            total = int(rng.integers(0, 400))
            propensity = rng.gamma(0.5) * share
            group = int(rng.binomial(total, min(propensity, 1.0)))
            rows.append((f"{m:03d}-{s}", f"{m:05d}", total, group))
    schools = make_schools(rows)
    codes = [f"{m:05d}" for m in range(n_municipalities)]
    census = make_census(codes, regions=[f"{m % n_regions:02d}" for m in range(n_municipalities)])
    return schools, census


def pysal_indices(frame):
    # importing segregation changes numpy's global error state (np.seterr); errstate restores it
    with np.errstate():
        from segregation.singlegroup import Dissim, Isolation

    data = frame[frame["pupils_total"] > 0][["pupils_group", "pupils_total"]].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = Dissim(data, group_pop_var="pupils_group", total_pop_var="pupils_total").statistic
        i = Isolation(data, group_pop_var="pupils_group", total_pop_var="pupils_total").statistic
    return d, i


@pytest.mark.parametrize("level", ["municipality", "region", "national"])
def test_matches_pysal_dissim_and_isolation(level):
    pytest.importorskip("segregation")
    schools, census = random_country()
    school_table, municipality, region, national = build_tables(schools, census)
    table, key = {
        "municipality": (municipality, "municipality_code"),
        "region": (region, "region_code"),
        "national": (national, None),
    }[level]
    if key is None:
        groups = [("xx", school_table)]
    else:
        groups = list(school_table.groupby(key))
    checked = 0
    indexed = table.set_index(key) if key else table.set_index("country_code")
    for code, frame in groups:
        row = indexed.loc[code]
        if row["status"] != "ok":
            continue
        d, i = pysal_indices(frame)
        assert row["dissimilarity"] == pytest.approx(d, abs=1e-9)
        assert row["isolation"] == pytest.approx(i, abs=1e-9)
        checked += 1
    assert checked >= (1 if level == "national" else 5)


def test_undefined_statuses_in_random_country_are_consistent():
    schools, census = random_country(seed=11)
    _, municipality, _, _ = build_tables(schools, census)
    ok = municipality["status"] == "ok"
    assert municipality.loc[ok, "dissimilarity"].between(0, 1).all()
    assert municipality.loc[~ok, "dissimilarity"].isna().all()
    single = municipality["status"] == "single_school"
    assert single.any()
