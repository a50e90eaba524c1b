"""Tests of the synthetic demo data generator (segmap.demo): the data it builds and the files it writes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from segmap.demo import PROFILES, Capital, DemoProfile, Land, Region, build_demo, scale_profile, write_demo_inputs
from segmap.demo.geography import lonlat_to_metric
from segmap.demo.outlines import DEMOLAND_OUTLINE
from segmap.demo.profiles import year_value

TINY = DemoProfile(n_municipalities=12, n_regions=3, n_schools=30)
SMALL = {
    "tiny": ("xx", TINY),
    "bg_small": ("bg", scale_profile(PROFILES["bg"], 0.3)),
    "es_small": ("es", scale_profile(PROFILES["es"], 0.05)),
    "be_small": ("be", scale_profile(PROFILES["be"], 0.2)),
}


def file_hashes(paths: dict[str, Path]) -> dict[str, str]:
    return {kind: hashlib.sha256(Path(path).read_bytes()).hexdigest() for kind, path in paths.items()}


def read_inputs(paths: dict[str, Path], profile: DemoProfile) -> dict:
    """Read the three files the way the pipeline would: codes as text."""
    census = pd.read_csv(paths["census"], sep=profile.sep, dtype=str, keep_default_na=False)
    all_years = pd.read_csv(paths["schools"], sep=profile.sep, dtype=str, keep_default_na=False)
    # the report year (earlier school years are in the same file, before it: see test_earlier_school_year)
    schools = all_years[all_years["year"] == str(year_value(profile, profile.year))].reset_index(drop=True)
    for column in ("population_total", "population_group"):
        census[column] = census[column].astype(int)
    for column in ("pupils_total", "pupils_group"):
        schools[column] = schools[column].astype(int)
    for column in ("lon", "lat"):
        schools[column] = schools[column].astype(float)
    boundaries = gpd.read_file(paths["boundaries"])
    return {"census": census, "schools": schools, "boundaries": boundaries, "paths": paths, "profile": profile,
            "all_years": all_years}


@pytest.fixture(scope="module")
def bg_full(tmp_path_factory):
    paths = write_demo_inputs("bg", tmp_path_factory.mktemp("bg_full"))
    return read_inputs(paths, PROFILES["bg"])


@pytest.fixture(scope="module")
def es_full():
    """Full-size Spain in memory (a few seconds): census, schools and boundaries as built."""
    data = build_demo("es")
    return {"census": data.census, "schools": data.schools, "boundaries": data.boundaries, "profile": data.profile}


@pytest.fixture(scope="module")
def be_full():
    data = build_demo("be")
    return {"census": data.census, "schools": data.schools, "boundaries": data.boundaries, "profile": data.profile}


def main_municipalities(built) -> pd.DataFrame:
    """Census rows of each region's main municipality (the one containing the region's centre), with schools."""
    geometries = built["boundaries"].geometry.values
    codes = [
        built["boundaries"]["municipality_code"].iloc[int(np.argmax(shapely.contains_xy(geometries, r.lon, r.lat)))]
        for r in built["profile"].regions
    ]
    schools = built["schools"].groupby("municipality_code").size()
    census = built["census"].set_index("municipality_code").loc[codes].reset_index()
    census["schools"] = schools.reindex(census["municipality_code"], fill_value=0).to_numpy()
    return census


@pytest.fixture(scope="module", params=["bg_full", *sorted(SMALL)])
def built(request, tmp_path_factory):
    """Each build the generic checks run on: full Bulgaria and the small profiles."""
    if request.param == "bg_full":
        return request.getfixturevalue("bg_full")
    country, profile = SMALL[request.param]
    paths = write_demo_inputs(country, tmp_path_factory.mktemp(request.param), profile=profile)
    return read_inputs(paths, profile)


# ---------------------------------------------------------------------------------------------------------------


def test_writes_the_three_files_atomically(tmp_path):
    out = tmp_path / "new" / "dir"
    paths = write_demo_inputs("xx", out, profile=TINY)
    assert set(paths) == {"schools", "census", "boundaries"}
    assert paths == {
        "schools": out / "schools.csv",
        "census": out / "census.csv",
        "boundaries": out / "municipalities.geojson",
    }
    assert sorted(p.name for p in out.iterdir()) == ["census.csv", "municipalities.geojson", "schools.csv"]


def test_same_arguments_give_byte_identical_files(tmp_path):
    first = write_demo_inputs("bg", tmp_path / "a")
    second = write_demo_inputs("bg", tmp_path / "b")
    assert file_hashes(first) == file_hashes(second)
    again = write_demo_inputs("bg", tmp_path / "a")  # overwriting in place
    assert file_hashes(again) == file_hashes(first)


def test_tiny_profile_is_deterministic_and_seed_matters(tmp_path):
    first = file_hashes(write_demo_inputs("xx", tmp_path / "a", seed=7, profile=TINY))
    second = file_hashes(write_demo_inputs("xx", tmp_path / "b", seed=7, profile=TINY))
    other = file_hashes(write_demo_inputs("xx", tmp_path / "c", seed=8, profile=TINY))
    assert first == second
    assert all(first[kind] != other[kind] for kind in first)


def test_counts_match_profile(built):
    profile = built["profile"]
    census, schools = built["census"], built["schools"]
    assert len(census) == len(built["boundaries"]) == profile.n_municipalities
    assert census["region_code"].nunique() == profile.n_regions
    assert len(schools) == profile.n_schools
    assert census["municipality_code"].is_unique
    assert schools.iloc[:, 0].is_unique


def test_columns_and_country_variants(built):
    profile = built["profile"]
    assert list(built["census"].columns) == [
        "municipality_code", "municipality_name", "region_code", "region_name", "population_total",
        "population_group",
    ]  # fmt: skip
    id_column = "kod_neispuo" if profile.name == "Bulgaria" else "school_id"
    assert list(built["schools"].columns) == [
        id_column, "school_name", "municipality_code", "settlement", "pupils_total", "pupils_group", "lon", "lat",
        "year",
    ]  # fmt: skip
    header = Path(built["paths"]["schools"]).read_text(encoding="utf-8").splitlines()[0]
    assert header.count(";" if profile.name == "España" else ",") == 8
    assert set(built["boundaries"].columns) >= {"municipality_code", "municipality_name", "geometry"}
    assert (built["schools"]["year"] == str(year_value(profile, profile.year))).all()


def test_bulgarian_codes(bg_full):
    census = bg_full["census"]
    assert census["municipality_code"].str.fullmatch(r"[A-Z]{3}\d{2}").all()
    assert census["region_code"].str.fullmatch(r"BG\d{3}").all()
    sofia = census[census["region_code"] == "BG411"]
    assert sofia["municipality_code"].tolist() == ["SOF46"]
    assert sofia["population_total"].iloc[0] > 1_000_000
    assert re.search("[А-Яа-я]", census["municipality_name"].iloc[0])
    assert bg_full["schools"]["school_name"].str.match(r"^(\d+ )?(ОУ|СУ|НУ|ПГ) ").all()
    assert bg_full["schools"]["settlement"].str.match(r"^(гр|с)\. ").all()


def test_spanish_codes_keep_leading_zeros(tmp_path):
    country, profile = SMALL["es_small"]
    data = read_inputs(write_demo_inputs(country, tmp_path, profile=profile), profile)
    codes = data["census"]["municipality_code"]
    assert codes.str.fullmatch(r"\d{5}").all()
    assert codes.str.startswith("0").any() and "01001" in set(codes)
    assert (codes.str[:2] == data["census"]["region_code"]).all()
    assert data["boundaries"]["municipality_code"].str.fullmatch(r"\d{5}").all()
    ids = data["schools"]["school_id"]
    assert ids.str.fullmatch(r"\d{8}").all() and ids.str.startswith("0").any()
    assert sorted(data["census"]["region_code"].unique()) == [f"{p:02d}" for p in range(1, 53)]


def test_spain_has_islands_ceuta_and_melilla(tmp_path):
    country, profile = SMALL["es_small"]
    data = read_inputs(write_demo_inputs(country, tmp_path, profile=profile), profile)
    boundaries = data["boundaries"].merge(data["census"][["municipality_code", "region_code"]])
    bounds = boundaries.set_index("region_code").geometry.bounds
    canaries = bounds.loc[["35", "38"]]
    assert canaries["minx"].min() > -18.5 and canaries["maxx"].max() < -13.0
    assert canaries["miny"].min() > 27.5 and canaries["maxy"].max() < 29.5
    assert bounds.loc[["07"], "minx"].min() > 1.0  # Balearic Islands east of the mainland coast
    for exclave, name in (("51", "Ceuta"), ("52", "Melilla")):
        assert (data["census"]["region_code"] == exclave).sum() == 1
        assert bounds.loc[exclave, "maxy"] < 36.0  # on the African coast
        city = data["census"].set_index("region_code").loc[exclave]
        assert city["municipality_name"] == name and city["municipality_code"] == f"{exclave}001"
        share = next(r.main_population_share for r in profile.regions if r.code == exclave)
        assert city["population_total"] == pytest.approx(share * profile.population_total, rel=0.001)


def test_ceuta_and_melilla_are_cities_with_schools(es_full):
    """The autonomous cities are one municipality each, named after the city, of about 85,000 inhabitants
    with some thirty schools and a small Roma share, like any other city."""
    census, schools = es_full["census"], es_full["schools"]
    for code, name in (("51001", "Ceuta"), ("52001", "Melilla")):
        city = census.set_index("municipality_code").loc[code]
        assert city["municipality_name"] == name and city["region_name"] == name
        assert 80_000 <= city["population_total"] <= 90_000
        assert city["population_group"] / city["population_total"] < 0.06
        own = schools[schools["municipality_code"] == code]
        proportional = len(schools) * city["population_total"] / census["population_total"].sum()  # about 34
        assert 20 <= len(own) <= 40 and 0.6 * proportional <= len(own) <= 1.2 * proportional
        assert (own["settlement"] == name).sum() >= 5  # the city itself, not only its outlying settlements
        assert 8_000 <= own["pupils_total"].sum() <= 0.2 * city["population_total"]
        assert own["pupils_group"].sum() / own["pupils_total"].sum() < 0.1


def test_island_capitals_are_cities(es_full):
    main = main_municipalities(es_full).set_index("region_code")
    for region in ("07", "35", "38"):  # Palma, Las Palmas de Gran Canaria, Santa Cruz de Tenerife
        assert main.loc[region, "population_total"] >= 120_000
        assert main.loc[region, "schools"] >= 30
        in_region = es_full["census"][es_full["census"]["region_code"] == region]
        assert main.loc[region, "population_total"] == in_region["population_total"].max()


@pytest.mark.parametrize("fixture", ["bg_full", "es_full", "be_full"])
def test_every_region_has_a_populous_main_municipality(fixture, request):
    built = request.getfixturevalue(fixture)
    main = main_municipalities(built)
    assert main["region_code"].tolist() == [r.code for r in built["profile"].regions]
    assert main["population_total"].min() >= 20_000
    assert (main["schools"] >= 5).all()
    census = built["census"]
    several = census.groupby("region_code").size().loc[main["region_code"]].to_numpy() > 1
    region_median = census.groupby("region_code")["population_total"].median().loc[main["region_code"]]
    assert (main["population_total"].to_numpy() > 1.5 * region_median.to_numpy())[several].all()


def test_real_names_and_fixed_shares_work_for_any_profile():
    """A generic profile with an island region: the island's centre seeds its main municipality, which takes
    the real name and the fixed population share; the capital's central municipality is its largest."""
    island = ((12.20, 47.60), (12.50, 47.55), (12.55, 47.80), (12.25, 47.85))
    profile = DemoProfile(
        n_municipalities=40,
        n_regions=4,
        n_schools=150,
        population_total=1_000_000,
        lands=(Land("Demoland", DEMOLAND_OUTLINE), Land("Isle", island, 5, "04")),
        regions=(
            Region("01", "West", 9.40, 47.90),
            Region("02", "East", 11.00, 47.60),
            Region("03", "Capital", 10.20, 48.10, main_name="Capitol"),
            Region("04", "Isle", 12.40, 47.70, main_population_share=0.05, main_name="Port Isle"),
        ),
        capital=Capital("03", 10.20, 48.10, 7, 6.0, 12.0, 0.2, centre_weight=4.0),
    )
    data = build_demo("xx", profile=profile)
    main = main_municipalities(
        {"boundaries": data.boundaries, "census": data.census, "schools": data.schools, "profile": profile}
    ).set_index("region_code")
    assert main.loc["04", "municipality_name"] == "Port Isle"
    assert main.loc["04", "population_total"] == 50_000
    assert main.loc["03", "municipality_name"] == "Capitol"
    capital = data.census[data.census["region_code"] == "03"]
    assert len(capital) == 7 and main.loc["03", "population_total"] == capital["population_total"].max()
    assert data.census["municipality_name"].is_unique
    assert data.census["population_total"].sum() == pytest.approx(1_000_000, rel=0.001)


def test_brussels_is_19_small_municipalities(tmp_path):
    country, profile = SMALL["be_small"]
    data = read_inputs(write_demo_inputs(country, tmp_path, profile=profile), profile)
    census = data["census"]
    brussels = census[census["region_code"] == "BE10"]
    assert len(brussels) == 19
    assert brussels["municipality_code"].str.fullmatch(r"21\d{3}").all() and "21004" in set(brussels.municipality_code)
    assert census["municipality_code"].str.fullmatch(r"\d{5}").all()
    areas = data["boundaries"].to_crs(3035).set_index("municipality_code").area
    assert areas[brussels["municipality_code"]].median() < areas.median()


def test_every_school_belongs_to_a_known_municipality(built):
    codes = set(built["census"]["municipality_code"])
    assert codes == set(built["boundaries"]["municipality_code"])
    assert set(built["schools"]["municipality_code"]) <= codes


def test_schools_lie_inside_their_municipality(built):
    polygons = built["boundaries"].set_index("municipality_code").geometry
    schools = built["schools"]
    inside = shapely.contains_xy(polygons.loc[schools["municipality_code"]].values, schools["lon"], schools["lat"])
    assert inside.all()


def test_coordinates_are_rounded_to_five_decimals(built):
    schools = built["schools"]
    assert np.allclose(schools["lon"], schools["lon"].round(5), rtol=0, atol=1e-12)
    coordinates = shapely.get_coordinates(built["boundaries"].geometry.values)
    assert np.allclose(coordinates, np.round(coordinates, 5), rtol=0, atol=1e-12)
    text = Path(built["paths"]["schools"]).read_text(encoding="utf-8").splitlines()[1]
    assert re.search(r"[,;]-?\d+\.\d{5}[,;]-?\d+\.\d{5}[,;]\d{4}(/\d{2})?$", text)


def test_boundaries_are_a_valid_tessellation(built):
    geometries = built["boundaries"].geometry.values
    assert built["boundaries"].crs.to_epsg() == 4326
    assert shapely.is_valid(geometries).all()
    assert set(shapely.get_type_id(geometries)) <= {3, 6}  # polygons and multipolygons
    assert shapely.coverage_is_valid(geometries)  # neighbours share edges exactly, no overlaps
    union = shapely.union_all(geometries)
    assert sum(shapely.get_num_interior_rings(part) for part in shapely.get_parts(union)) == 0  # no gaps
    lands = shapely.union_all([shapely.Polygon(lonlat_to_metric(land.outline)) for land in built["profile"].lands])
    metric_area = shapely.area(shapely.union_all(built["boundaries"].to_crs(3035).geometry.values))
    assert metric_area == pytest.approx(lands.area, rel=0.01)


def test_pupil_counts_are_consistent(built):
    schools = built["schools"]
    assert (schools["pupils_total"] >= 0).all()
    assert (schools["pupils_group"] >= 0).all()
    assert (schools["pupils_group"] <= schools["pupils_total"]).all()
    assert schools["pupils_total"].max() <= built["profile"].max_pupils
    census = built["census"].set_index("municipality_code")
    assert ((census["population_group"] >= 0) & (census["population_group"] <= census["population_total"])).all()
    per_municipality = schools.groupby("municipality_code")[["pupils_total", "pupils_group"]].sum()
    assert (per_municipality["pupils_group"] <= census.loc[per_municipality.index, "population_group"]).all()
    assert (per_municipality["pupils_total"] <= census.loc[per_municipality.index, "population_total"]).all()


def test_edge_cases_are_present(built):
    census, schools = built["census"], built["schools"]
    per_municipality = (
        schools.groupby("municipality_code")[["pupils_total", "pupils_group"]].sum()
        .join(schools.groupby("municipality_code").size().rename("schools"))
        .reindex(census["municipality_code"], fill_value=0)
    )  # fmt: skip
    with_schools = per_municipality[per_municipality["schools"] > 0]
    assert (per_municipality["schools"] == 0).any()
    assert (per_municipality["schools"] == 1).any()
    assert (with_schools["pupils_group"] == 0).any()
    all_group = (with_schools["pupils_total"] > 0) & (with_schools["pupils_group"] == with_schools["pupils_total"])
    assert all_group.any()
    assert (schools["pupils_total"] == 0).any()


def census_share(built) -> float:
    census = built["census"]
    return census["population_group"].sum() / census["population_total"].sum()


def test_census_group_share_near_target(built):
    assert census_share(built) == pytest.approx(built["profile"].group_share, rel=0.15)


def test_bulgarian_group_is_concentrated(bg_full):
    census, schools = bg_full["census"], bg_full["schools"]
    assert 0.045 < census_share(bg_full) < 0.055
    municipal_share = census["population_group"] / census["population_total"]
    assert (municipal_share < 0.02).mean() > 0.25
    assert ((municipal_share > 0.15) & (municipal_share <= 0.45)).sum() >= 10
    school_share = schools["pupils_group"] / schools["pupils_total"].where(schools["pupils_total"] > 0)
    assert (school_share >= 0.9).sum() >= 20  # near-all-Roma schools
    assert (schools["pupils_group"] == 0).mean() > 0.15  # many schools without Roma pupils
    assert 30 <= schools["pupils_total"].median() <= 1500


def test_spatially_clustered_shares(bg_full):
    """Neighbouring municipalities have more similar group shares than random pairs."""
    boundaries = bg_full["boundaries"].merge(bg_full["census"])
    share = (boundaries["population_group"] / boundaries["population_total"]).to_numpy()
    left, right = shapely.STRtree(boundaries.geometry.values).query(boundaries.geometry.values, "touches")
    neighbour_gap = np.abs(share[left] - share[right]).mean()
    random_gap = np.abs(share[:, None] - share[None, :]).mean()
    assert neighbour_gap < 0.9 * random_gap


def test_bulgaria_has_an_earlier_school_year_with_the_same_schools(bg_full):
    """Two school years in one file, the earlier first: the same ids, a few per cent of drift, and one
    municipality without schools in the report year that had one before (a code present in one year only)."""
    all_years = bg_full["all_years"]
    assert list(dict.fromkeys(all_years["year"])) == ["2022/23", "2023/24"]
    earlier = all_years[all_years["year"] == "2022/23"]
    later = bg_full["schools"]
    id_column = PROFILES["bg"].school_id_column
    assert set(later[id_column]) < set(earlier[id_column])
    assert earlier[id_column].is_unique
    closed = earlier[~earlier[id_column].isin(later[id_column])]
    assert len(closed) == 1 and closed["municipality_code"].iloc[0] not in set(later["municipality_code"])
    both = earlier.merge(later, on=id_column, suffixes=("_then", "_now"))
    then, now = both["pupils_total_then"].astype(int), both["pupils_total_now"].astype(int)
    assert ((then - now).abs() <= 0.25 * now + 5).all()
    assert (both["pupils_group_then"].astype(int) <= then).all()


def test_other_demo_countries_have_one_school_year():
    for country in ("es", "be"):
        assert PROFILES[country].earlier_years == 0
    data = build_demo("xx", profile=TINY)
    assert data.earlier_schools == [] and (data.all_schools()["year"] == TINY.year).all()


def test_the_earlier_year_leaves_the_report_year_unchanged():
    profile = scale_profile(PROFILES["bg"], 0.3)
    with_earlier = build_demo("bg", profile=profile)
    without = build_demo("bg", profile=dataclasses.replace(profile, earlier_years=0))
    pd.testing.assert_frame_equal(with_earlier.schools, without.schools)
    assert len(with_earlier.earlier_schools) == 1 and not without.earlier_schools
