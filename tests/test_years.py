"""School years: labels, never summing years, the report year, the ``*_by_year`` and ``*_change`` tables.

The multi-year tables are checked against PySAL ``segregation`` computed on each year's rows, the changes
against to − from, and the paired-bootstrap intervals against the change they must contain.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from test_indices import make_census, pysal_indices, random_country

from segmap import settings as config, years
from segmap.stages.indices import compute_indices
from segmap.stages.ingest import ingest_country
from segmap.stats import change
from segmap.stats import tables
from segmap.errors import InputError
from segmap.files import read_csv

INFERENCE = {"random_allocation": {"replicates": 60, "seed": 11}, "bootstrap": {"replicates": 80, "seed": 12}}
THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}
OUTPUT_NAMES = {
    "school": "school_indices.csv",
    **{level: f"{level}_indices.csv" for level in ("municipality", "region", "national")},
    **{f"{level}_by_year": f"{level}_indices_by_year.csv" for level in ("municipality", "region", "national")},
    **{f"{level}_change": f"{level}_change.csv" for level in ("municipality", "region", "national")},
}


# --------------------------------------------------------------------------------------------------
# Labels
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [2023, "2023", "2023.0", "2023/24", "2023-2024", "2023-24", "2023/2024",
                                   "2023–24", " 2023 / 24 "])
def test_every_way_of_writing_a_school_year_gives_one_label(value):
    assert years.school_year(value) == "2023/24"


def test_plain_years_can_name_the_year_a_school_year_ends():
    assert years.school_year("2024", "end") == "2023/24"
    assert years.school_year("2023/24", "end") == "2023/24"  # a range says it itself
    assert years.school_year("1999/2000") == "1999/00"


@pytest.mark.parametrize("value", ["2023/25", "23/24", "abc", "3000", "", "2023/24/25", True])
def test_what_is_not_a_school_year(value):
    with pytest.raises(ValueError, match="school year"):
        years.school_year(value)


def test_labels_sort_in_time_order():
    assert years.sorted_years(["2000/01", "1999/00", None, "2023/24", "1999/00"]) == ["1999/00", "2000/01", "2023/24"]


def test_year_columns_are_recognised_by_name_or_by_ranges_only():
    assert years.looks_like_year_column("Curso", pd.Series(["2022", "2023", None])) == ["2022/23", "2023/24"]
    assert years.looks_like_year_column("Учебна година", pd.Series(["2022/2023"])) == ["2022/23"]
    assert years.looks_like_year_column("periode", pd.Series(["2022-23", "2023-24"])) == ["2022/23", "2023/24"]
    assert years.looks_like_year_column("postcode", pd.Series(["2000", "2060"])) is None  # Antwerp postcodes
    assert years.looks_like_year_column("Curso", pd.Series(["1º ESO", "2º ESO"])) is None


def test_select_years():
    available = ["2021/22", "2022/23", "2023/24"]
    latest = years.select_years(available)
    assert (latest.report, latest.compared, latest.first) == ("2023/24", tuple(available), "2021/22")
    earlier = years.select_years(available, "2022/23")
    assert earlier.report == "2022/23" and earlier.compared == ("2021/22", "2022/23")
    chosen = years.select_years(available, None, ["2021/22"])
    assert chosen.compared == ("2021/22", "2023/24") and chosen.has_change
    single = years.select_years(["2023/24"])
    assert single.report == "2023/24" and not single.has_change
    none = years.select_years([])
    assert none.report is None and none.compared == (None,) and not none.has_change
    with pytest.raises(ValueError, match=r"2020/21 is not in .* \(school years present: 2021/22, 2022/23, 2023/24\)"):
        years.select_years(available, "2020/21")
    with pytest.raises(ValueError, match="no year column"):
        years.select_years([], "2023/24")


def test_config_normalises_the_years_and_takes_one_file_per_year():
    entry = {"name": "Testland", "deliverable": "D.9.9", "census": "c.csv", "boundaries": "b.gpkg",
             "schools": [{"path": "s22.csv", "year": 2022}, {"path": "s23.xlsx", "year": "2023-2024"}],
             "year": "2023-24", "years": [2022]}
    settings = config.country_settings({"countries": {"xx": entry}}, "xx")
    assert settings["year"] == "2023/24" and settings["years"] == ["2022/23"]
    assert [spec["year"] for spec in settings["inputs"]["schools"]] == ["2022/23", "2023/24"]
    with pytest.raises(ValueError, match=r"countries\.xx: '2023/25' is not a school year"):
        config.country_settings({"countries": {"xx": {**entry, "year": "2023/25"}}}, "xx")


# --------------------------------------------------------------------------------------------------
# A two-year country through the ingest and indices stages
# --------------------------------------------------------------------------------------------------

def two_year_country(seed: int = 5):
    """40 municipalities; the same school ids in two school years, the later year's counts redrawn."""
    schools, census = random_country(seed=seed)
    rng = np.random.default_rng(seed)
    later = schools.copy()
    later["pupils_total"] = np.where(later["pupils_total"] > 0,
                                     np.maximum(1, (later["pupils_total"] * rng.uniform(0.8, 1.2, len(later)))
                                                .round().astype(int)), 0)
    share = np.where(schools["pupils_total"] > 0, schools["pupils_group"] / schools["pupils_total"].clip(lower=1), 0)
    later["pupils_group"] = rng.binomial(later["pupils_total"], share)
    # one municipality desegregates: its group pupils spread evenly over its schools
    code = "00003"
    rows = later["municipality_code"] == code
    later.loc[rows, "pupils_group"] = (later.loc[rows, "pupils_total"] * share[rows].mean()).round().astype(int)
    return schools.assign(year="2022"), later.assign(year="2023-24"), census


def write_country(folder: Path, frames, census: pd.DataFrame, *, one_file_per_year: bool = False) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    census.to_csv(folder / "census.csv", index=False)
    cells = [box(i % 8, i // 8, i % 8 + 1, i // 8 + 1) for i in range(len(census))]
    gpd.GeoDataFrame({"municipality_code": census["municipality_code"]}, geometry=cells, crs="EPSG:3035") \
        .to_file(folder / "municipalities.gpkg", driver="GPKG")
    if one_file_per_year:
        schools = []
        for frame in frames:
            path = folder / f"schools_{frame['year'].iloc[0][:4]}.csv"
            frame.drop(columns="year").to_csv(path, index=False)
            schools.append({"path": str(path), "year": years.school_year(frame["year"].iloc[0])})
    else:
        pd.concat(frames).to_csv(folder / "schools.csv", index=False)
        schools = {"path": str(folder / "schools.csv")}
    return {"schools": schools, "census": {"path": str(folder / "census.csv")},
            "boundaries": {"path": str(folder / "municipalities.gpkg")}}


def run_stages(inputs: dict, out: Path, **options) -> dict[str, pd.DataFrame]:
    processed = out / "processed"
    ingest_country(inputs, processed / "schools.csv", processed / "census.csv",
                            processed / "boundaries.parquet", processed / "inputs.json")
    outputs = {key: out / name for key, name in OUTPUT_NAMES.items()}
    compute_indices(processed / "schools.csv", processed / "census.csv", country="xx",
                             country_name="Testland", thresholds=THRESHOLDS, inference=INFERENCE, outputs=outputs,
                             **options)
    return {key: read_csv(path) for key, path in outputs.items()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    earlier, later, census = two_year_country()
    folder = tmp_path_factory.mktemp("two_years")
    results = run_stages(write_country(folder / "raw", [earlier, later], census), folder / "out")
    return {"earlier": earlier, "later": later, "census": census, "folder": folder, **results}


def check_against_pysal(table: pd.DataFrame, schools: pd.DataFrame, key: str) -> int:
    checked = 0
    indexed = table.set_index(key)
    for code, frame in schools.groupby(key):
        row = indexed.loc[code]
        if row["status"] != "ok":
            assert np.isnan(row["dissimilarity"])
            continue
        d, i = pysal_indices(frame)
        assert row["dissimilarity"] == pytest.approx(d, abs=1e-9)
        assert row["isolation"] == pytest.approx(i, abs=1e-9)
        checked += 1
    return checked


def test_same_ids_in_two_years_build_and_the_report_year_is_the_latest(built):
    pytest.importorskip("segregation")
    municipality = built["municipality"]
    assert (municipality["year"] == "2023/24").all()
    assert len(municipality) == len(built["census"])
    assert municipality["n_schools"].sum() == len(built["later"])  # the later year only, not both summed
    assert check_against_pysal(municipality, built["later"], "municipality_code") >= 10
    assert (built["school"]["year"] == "2023/24").all() and len(built["school"]) == len(built["later"])
    assert set(built["national"]["year"]) == {"2023/24"}


@pytest.mark.parametrize("level,key", [("municipality", "municipality_code"), ("region", "region_code")])
def test_by_year_tables_equal_pysal_per_year(built, level, key):
    pytest.importorskip("segregation")
    by_year = built[f"{level}_by_year"]
    assert list(by_year.columns) == list(built[level].columns)
    assert by_year.groupby(key).size().eq(2).all()
    areas = built["census"]
    for label, schools in (("2022/23", built["earlier"]), ("2023/24", built["later"])):
        rows = by_year[by_year["year"] == label]
        frame = schools.merge(areas[["municipality_code", "region_code"]], on="municipality_code")
        assert check_against_pysal(rows, frame, key) >= (10 if level == "municipality" else 3)
    later = by_year[by_year["year"] == "2023/24"].reset_index(drop=True)
    pd.testing.assert_frame_equal(later, built[level])  # the report year's rows are the report year's table


def test_national_by_year_has_one_row_per_year(built):
    national = built["national_by_year"]
    assert list(national["year"]) == ["2022/23", "2023/24"]
    assert list(national["n_schools"]) == [len(built["earlier"]), len(built["later"])]


@pytest.mark.parametrize("level", ["municipality", "region", "national"])
def test_changes_are_to_minus_from_and_their_intervals_contain_them(built, level):
    table = built[f"{level}_change"]
    by_year = built[f"{level}_by_year"]
    key = change.KEY_COLUMNS[level][0]
    assert len(table) == len(built[level])  # every area, also those with schools in one year only
    assert (table["year_from"] == "2022/23").all() and (table["year_to"] == "2023/24").all()
    for name in change.CHANGE_INDICES:
        before = by_year[by_year["year"] == "2022/23"].set_index(key)[name]
        after = by_year[by_year["year"] == "2023/24"].set_index(key)[name]
        indexed = table.set_index(key)
        np.testing.assert_allclose(indexed[f"{name}_from"], before.reindex(indexed.index), rtol=0, atol=1e-12)
        np.testing.assert_allclose(indexed[f"{name}_to"], after.reindex(indexed.index), rtol=0, atol=1e-12)
        np.testing.assert_allclose(table[f"{name}_change"], table[f"{name}_to"] - table[f"{name}_from"], atol=1e-12)
        defined = table[f"{name}_change"].notna()
        assert (table.loc[defined, f"{name}_change_ci_low"] <= table.loc[defined, f"{name}_change"] + 1e-12).all()
        assert (table.loc[defined, f"{name}_change_ci_high"] >= table.loc[defined, f"{name}_change"] - 1e-12).all()
        assert (table.loc[defined, f"{name}_change_ci_high"] > table.loc[defined, f"{name}_change_ci_low"]).any()


def test_change_status_follows_the_interval_and_comparability(built):
    table = built["municipality_change"]
    low, high = table["dissimilarity_adjusted_change_ci_low"], table["dissimilarity_adjusted_change_ci_high"]
    comparable = table["change_status"] != "not_comparable"
    assert (table.loc[comparable & (low > 0), "change_status"] == "increase").all()
    assert (table.loc[comparable & (high < 0), "change_status"] == "decrease").all()
    assert (table.loc[comparable & (low <= 0) & (high >= 0), "change_status"] == "no_clear_change").all()
    undefined = (table["status_from"] != "ok") | (table["status_to"] != "ok")
    assert (table.loc[undefined, "change_status"] == "not_comparable").all()
    assert table.loc[undefined, "not_comparable_reason"].notna().all()
    assert table.loc[~undefined, "not_comparable_reason"].isna().all()
    # the municipality that desegregated shows a clear decrease
    desegregated = table.set_index("municipality_code").loc["00003"]
    assert desegregated["change_status"] == "decrease", desegregated


def test_rebuild_gives_identical_tables(built, tmp_path):
    run_stages(write_country(tmp_path / "raw", [built["earlier"], built["later"]], built["census"]),
               tmp_path / "out")
    for key in OUTPUT_NAMES:
        assert (tmp_path / "out" / OUTPUT_NAMES[key]).read_bytes() == \
            (built["folder"] / "out" / OUTPUT_NAMES[key]).read_bytes(), key


def test_one_file_per_year_gives_the_same_tables(built, tmp_path):
    inputs = write_country(tmp_path / "raw", [built["earlier"], built["later"]], built["census"],
                           one_file_per_year=True)
    results = run_stages(inputs, tmp_path / "out")
    pd.testing.assert_frame_equal(results["municipality_change"], built["municipality_change"])
    provenance = json.loads((tmp_path / "out" / "processed" / "inputs.json").read_text())
    assert [(item["role"], item.get("year")) for item in provenance["inputs"]] == [
        ("schools", "2022/23"), ("schools", "2023/24"), ("census", None), ("boundaries", None)]
    assert provenance["school_years"] == {"2022/23": len(built["earlier"]), "2023/24": len(built["later"])}


def test_a_configured_report_year_and_an_absent_one(built, tmp_path):
    inputs = write_country(tmp_path / "raw", [built["earlier"], built["later"]], built["census"])
    earlier = run_stages(inputs, tmp_path / "out", year="2022/23")
    assert (earlier["municipality"]["year"] == "2022/23").all()
    assert earlier["municipality"]["n_schools"].sum() == len(built["earlier"])
    assert earlier["municipality_change"].empty  # nothing before the report year to compare with
    assert list(earlier["municipality_by_year"]["year"].unique()) == ["2022/23"]
    with pytest.raises(InputError, match=r"2021/22 is not in .*school years present: 2022/23, 2023/24"):
        run_stages(inputs, tmp_path / "out2", year="2021/22")


def test_a_single_year_has_empty_change_tables_with_their_columns(tmp_path):
    schools, census = random_country(seed=8)
    results = run_stages(write_country(tmp_path / "raw", [schools.assign(year=2023)], census), tmp_path / "out")
    assert (results["municipality"]["year"] == "2023/24").all()
    for level in ("municipality", "region", "national"):
        assert results[f"{level}_change"].empty
        assert list(results[f"{level}_change"].columns) == change.change_columns(level)
        pd.testing.assert_frame_equal(results[f"{level}_by_year"], results[level])


def test_without_any_year_the_tables_state_none(tmp_path):
    schools, census = random_country(seed=8)
    results = run_stages(write_country(tmp_path / "raw", [schools], census), tmp_path / "out")
    assert results["municipality"]["year"].isna().all()
    assert results["municipality_change"].empty


# --------------------------------------------------------------------------------------------------
# The bug of the issue: a file with several years must never be summed
# --------------------------------------------------------------------------------------------------

def test_years_in_an_unmapped_column_stop_the_run(built, tmp_path):
    """The case of the issue: part of the rows belong to another school year, the schools under new ids,
    and the year column is not mapped; the old code counted both years as one."""
    later = built["later"].assign(school_id=lambda f: "N" + f["school_id"])
    frames = [built["earlier"].rename(columns={"year": "curso"}), later.rename(columns={"year": "curso"})]
    inputs = write_country(tmp_path / "raw", frames, built["census"])
    with pytest.raises(InputError, match=r"column 'curso' holds 2 school years \(2022/23, 2023/24\).*"
                                         r"columns: \{year: curso\}"):
        run_stages(inputs, tmp_path / "out")
    # mapped, the years are kept apart
    inputs["schools"]["columns"] = {"year": "curso"}
    results = run_stages(inputs, tmp_path / "out")
    assert results["municipality"]["n_schools"].sum() == len(later)


def test_a_single_year_in_a_year_named_column_is_used(built, tmp_path):
    inputs = write_country(tmp_path / "raw", [built["later"].rename(columns={"year": "Schooljaar"})],
                           built["census"])
    results = run_stages(inputs, tmp_path / "out")
    assert (results["municipality"]["year"] == "2023/24").all()


def test_repeated_schools_without_years_are_warned_about(tmp_path, caplog):
    schools, census = random_country(seed=8)
    schools = schools.assign(school_name=lambda f: "School " + f["school_id"])
    copy = schools.assign(school_id=lambda f: "N" + f["school_id"])
    with caplog.at_level(logging.WARNING):
        run_stages(write_country(tmp_path / "raw", [schools, copy], census), tmp_path / "out")
    assert "share their name, municipality and settlement" in caplog.text


def test_ids_are_unique_within_a_year(built, tmp_path):
    doubled = pd.concat([built["later"], built["later"].iloc[[0]]])
    inputs = write_country(tmp_path / "raw", [built["earlier"], doubled], built["census"])
    with pytest.raises(InputError, match=r"'000-0' appears more than once in school year 2023/24"):
        run_stages(inputs, tmp_path / "out")


def test_an_id_twice_in_one_year_across_files_names_both_files(built, tmp_path):
    inputs = write_country(tmp_path / "raw", [built["later"]], built["census"])
    inputs["schools"] = [{"path": inputs["schools"]["path"], "year": "2023/24"},
                         {"path": inputs["schools"]["path"], "year": "2023/24"}]
    with pytest.raises(InputError, match=r"appears more than once in school year 2023/24 \(.*schools.csv row 2; "
                                         r".*schools.csv row 2\)"):
        run_stages(inputs, tmp_path / "out")


def test_bad_and_empty_years_name_their_rows(built, tmp_path):
    schools = built["later"].copy()
    schools["year"] = schools["year"].astype(object)
    schools.iloc[2, schools.columns.get_loc("year")] = "next year"
    schools.iloc[4, schools.columns.get_loc("year")] = None
    inputs = write_country(tmp_path / "raw", [schools], built["census"])
    with pytest.raises(InputError) as error:
        run_stages(inputs, tmp_path / "out")
    text = str(error.value)
    assert "row 4, column 'year', id '000-2': 'next year' is not a school year" in text
    assert "row 6, column 'year', id '000-4': school year is empty (the other rows give 2023/24)" in text


def test_a_file_year_that_disagrees_with_its_column(built, tmp_path):
    inputs = write_country(tmp_path / "raw", [built["later"]], built["census"])
    inputs["schools"]["year"] = "2022/23"
    with pytest.raises(InputError, match="school year 2023/24 differs from the year the config gives this file"):
        run_stages(inputs, tmp_path / "out")


# --------------------------------------------------------------------------------------------------
# The change computation by hand
# --------------------------------------------------------------------------------------------------

def draws_for(rows, year, census):
    schools = pd.DataFrame(rows, columns=["school_id", "municipality_code", "pupils_total", "pupils_group"]).assign(
        school_name=None, settlement=None, lon=np.nan, lat=np.nan)
    return tables.year_indices(schools, census, THRESHOLDS, country="xx", country_name="X",
                               inference_settings=INFERENCE, year=year, keep_draws=True)


def test_not_comparable_reasons_and_a_deterministic_change():
    census = make_census(["A", "B", "C", "D"])
    first = draws_for([("1", "A", 100, 50), ("2", "A", 100, 10), ("3", "B", 100, 20), ("4", "B", 80, 5),
                       ("5", "C", 50, 10), ("6", "C", 50, 0), ("7", "D", 100, 40)], "2022/23", census)
    second = draws_for([("1", "A", 100, 30), ("2", "A", 100, 30), ("3", "B", 100, 20), ("4", "B", 80, 5),
                        ("8", "B", 100, 20), ("9", "B", 100, 20), ("10", "B", 90, 3), ("5", "C", 50, 10),
                        ("6", "C", 50, 0)], "2023/24", census)
    table = change.change_table("municipality", first.tables["municipality"], second.tables["municipality"],
                                first.draws["municipality"], second.draws["municipality"]).set_index("municipality_code")
    # A: from D = 1/2(|50/60 - 50/140| + |10/60 - 90/140|) = 5/6 - 5/14 = 10/21, to D = 0 (30 of 100 in both)
    assert table.at["A", "dissimilarity_from"] == pytest.approx(10 / 21, abs=1e-15)
    assert table.at["A", "dissimilarity_to"] == pytest.approx(0, abs=1e-15)
    assert table.at["A", "dissimilarity_change"] == pytest.approx(-10 / 21, abs=1e-15)
    assert table.at["B", "not_comparable_reason"] == change.REASON_SCHOOLS_CHANGED  # 2 -> 5 schools
    assert table.at["D", "not_comparable_reason"] == change.REASON_ONE_YEAR  # schools in 2022/23 only
    assert table.at["D", "change_status"] == "not_comparable"
    assert table.at["C", "change_status"] in ("increase", "decrease", "no_clear_change")
    assert pd.isna(table.at["D", "dissimilarity_change"])
    again = draws_for([("1", "A", 100, 50), ("2", "A", 100, 10), ("3", "B", 100, 20), ("4", "B", 80, 5),
                       ("5", "C", 50, 10), ("6", "C", 50, 0), ("7", "D", 100, 40)], "2022/23", census)
    np.testing.assert_array_equal(again.draws["municipality"].replicates["dissimilarity"],
                                  first.draws["municipality"].replicates["dissimilarity"])


def test_change_interval_is_the_spread_around_the_change():
    replicates = np.array([[0.1, 0.2, 0.3, 0.4, 0.5], [np.nan] * 5])
    low, high = change.change_interval(np.array([0.25, 0.1]), replicates, level=0.5)
    # mean 0.3, quartiles 0.2 and 0.4: [0.25 - (0.4 - 0.3), 0.25 + (0.3 - 0.2)]
    assert low[0] == pytest.approx(0.15) and high[0] == pytest.approx(0.35)
    assert np.isnan(low[1]) and np.isnan(high[1])


def test_change_intervals_are_calibrated_when_nothing_changes():
    """Both years drawn from the same school probabilities: about 5% of clear changes, not many more."""
    rng = np.random.default_rng(3)
    n_municipalities, rows_first, rows_second = 150, [], []
    for m in range(n_municipalities):
        for s in range(6):
            size = int(rng.integers(60, 300))
            share = float(rng.beta(0.8, 4))
            rows_first.append((f"{m}-{s}", f"{m:04d}", size, int(rng.binomial(size, share))))
            rows_second.append((f"{m}-{s}", f"{m:04d}", size, int(rng.binomial(size, share))))
    census = make_census([f"{m:04d}" for m in range(n_municipalities)])
    first, second = draws_for(rows_first, "2022/23", census), draws_for(rows_second, "2023/24", census)
    table = change.change_table("municipality", first.tables["municipality"], second.tables["municipality"],
                                first.draws["municipality"], second.draws["municipality"])
    clear = table["change_status"].isin(["increase", "decrease"]).mean()
    assert clear < 0.15, clear


# --------------------------------------------------------------------------------------------------
# Codes that change between years (Belgium's mergers)
# --------------------------------------------------------------------------------------------------

def test_belgian_merged_codes_of_an_earlier_year_are_recoded(tmp_path):
    """2023/24 coded with the NIS codes of 2019–2024, 2025/26 with those of 2025 (Borsbeek joined Antwerpen,
    Beveren, Kruibeke and Zwijndrecht merged): the earlier codes are mapped onto the newer ones."""
    census = pd.DataFrame({"Code INS": ["11002", "46030", "11008"], "Commune": ["Antwerpen", "Beveren-K-Z", "Brecht"],
                           "Population": [530000, 100000, 30000], "Roms": [2000, 300, 10]})
    folder = tmp_path / "raw"
    folder.mkdir()
    census.to_csv(folder / "census.csv", index=False)
    cells = [box(3900000 + 20000 * i, 3100000, 3920000 + 20000 * i, 3120000) for i in range(3)]
    gpd.GeoDataFrame({"nis": census["Code INS"]}, geometry=cells, crs="EPSG:3035").to_file(folder / "b.gpkg")
    earlier = pd.DataFrame({"school": ["a", "b", "c", "d", "e", "f"], "nis": ["11002", "11007", "46003", "46013",
                                                                             "11008", "11008"],
                            "total": [300, 200, 250, 150, 100, 120], "roma": [90, 10, 40, 2, 5, 0]})
    later = earlier.assign(nis=["11002", "11002", "46030", "46030", "11008", "11008"], roma=[80, 20, 30, 10, 3, 2])
    earlier.to_csv(folder / "s2023.csv", index=False)
    later.to_csv(folder / "s2025.csv", index=False)
    columns = {"school_id": "school", "municipality_code": "nis", "pupils_total": "total", "pupils_group": "roma"}
    inputs = {
        "schools": [{"path": str(folder / "s2023.csv"), "year": "2023/24", "recipe": "be_nis", "columns": columns},
                    {"path": str(folder / "s2025.csv"), "year": "2025/26", "recipe": "be_nis", "columns": columns}],
        "census": {"path": str(folder / "census.csv"), "recipe": "be_nis",
                   "columns": {"municipality_code": "Code INS", "municipality_name": "Commune",
                               "population_total": "Population", "population_group": "Roms"}},
        "boundaries": {"path": str(folder / "b.gpkg"), "columns": {"municipality_code": "nis"}},
    }
    results = run_stages(inputs, tmp_path / "out")
    provenance = json.loads((tmp_path / "out" / "processed" / "inputs.json").read_text())
    assert provenance["code_edition"] == "2025"
    [record] = provenance["code_recoding"]
    # these codes exist until 2018 and from 2019 to 2024 alike: the year's own edition cannot be told
    assert record["year"] == "2023/24" and record["edition"] is None and record["target"] == "2025"
    assert {(c["old"], c["new"], c["schools"]) for c in record["codes"]} == {
        ("11007", "11002", 1), ("46003", "46030", 1), ("46013", "46030", 1)}
    antwerpen = results["municipality_change"].set_index("municipality_code").loc["11002"]
    assert antwerpen["n_schools_from"] == 2 and antwerpen["n_schools_to"] == 2
    assert antwerpen["change_status"] != "not_comparable"
