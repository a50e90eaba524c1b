"""Reconciling the codes of the inputs: names for codes, lost leading zeros, hints, editions, scope."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from segmap.errors import InputError
from segmap.io import names, reconcile, validate

CENSUS = pd.DataFrame({
    "municipality_code": ["28005", "13093", "02081", "16243", "45199", "08019", "03014", "BGS08"],
    "municipality_name": ["Alcalá de Henares", "Villanueva de la Fuente", "Villanueva de la Fuente",
                          "Villanueva de la Jara", "Rozas de Madrid, Las", "Barcelona", "Alicante/Alacant",
                          "Дряново"],
    "region_code": ["28", "13", "02", "16", "28", "08", "03", "BG322"],
    "region_name": ["Madrid", "Ciudad Real", "Albacete", "Cuenca", "Madrid", "Barcelona", "Alicante/Alacant",
                    "Габрово"],
})


def schools_by_name(*rows) -> pd.DataFrame:
    """Schools without codes: (name, region_name or None) per school, on rows 2, 3, ..."""
    frame = pd.DataFrame({"school_id": [f"s{i}" for i in range(len(rows))],
                          "municipality_code": pd.Series([pd.NA] * len(rows), dtype="string"),
                          "municipality_name": [name for name, _ in rows],
                          "region_name": [region for _, region in rows]})
    frame.index = range(2, 2 + len(rows))
    return frame


def test_name_keys_ignore_case_accents_hyphens_and_script():
    assert names.name_keys("ALCALA-DE-HENARES")["letters"] == names.name_keys("Alcalá de Henares")["letters"]
    for spelling in ("Dryanovo", "Drjanovo", "Drianovo", "DRYANOVO"):
        assert names.name_keys(spelling)["transliterated"] == names.name_keys("Дряново")["transliterated"]
    assert names.name_keys("Sofia")["transliterated"] == names.name_keys("София")["transliterated"]
    assert names.name_keys("Haskovo")["transliterated"] == names.name_keys("Хасково")["transliterated"]
    # the exact tier keeps accents: two names that differ only by them stay apart there
    assert names.name_keys("Alcalá")["exact"] != names.name_keys("Alcala")["exact"]


def test_census_name_variants():
    assert names.name_variants("Rozas de Madrid, Las") == ["Rozas de Madrid, Las", "Las Rozas de Madrid"]
    assert names.name_variants("Alicante/Alacant") == ["Alicante/Alacant", "Alicante", "Alacant"]
    assert "l'Alqueria de la Comtessa" in names.name_variants("Alqueria de la Comtessa, l'")
    assert names.looks_like_name("Дряново") and names.looks_like_name("Alcalá de Henares")
    assert not names.looks_like_name("SOF46") and not names.looks_like_name("01001")
    assert not names.looks_like_name("ES_01001")


def test_names_match_with_accents_case_articles_and_both_languages():
    schools = schools_by_name(("ALCALA DE HENARES", None), ("alcalá-de-henares", None), ("Las Rozas de Madrid", None),
                              ("Alacant", None), ("Dryanovo", None), ("Дряново", None))
    matched, fixes, problems = reconcile.match_school_names(schools, CENSUS, "schools.csv")
    assert problems == []
    assert list(matched["municipality_code"]) == ["28005", "28005", "45199", "03014", "BGS08", "BGS08"]
    details = {fix["municipality_code"]: fix["detail"] for fix in fixes if fix["action"] == "matched_by_name"}
    assert "written 'ALCALA DE HENARES'" in details["28005"] or "written 'alcalá-de-henares'" in details["28005"]


def test_homonyms_need_a_region_and_are_told_apart_by_it():
    schools = schools_by_name(("Villanueva de la Fuente", None))
    _, _, [problem] = reconcile.match_school_names(schools, CENSUS, "schools.csv")
    text = str(problem)
    assert text.startswith("schools.csv, row 2, column 'municipality_name', id 's0'")
    assert "matches 2 census municipalities" in text and "13093, Ciudad Real" in text and "02081, Albacete" in text
    assert "region_code or region_name" in text
    schools = schools_by_name(("Villanueva de la Fuente", "CIUDAD REAL"), ("Villanueva de la Fuente", "Albacete"))
    matched, _, problems = reconcile.match_school_names(schools, CENSUS, "schools.csv")
    assert problems == [] and list(matched["municipality_code"]) == ["13093", "02081"]
    # a region that does not have the name
    _, _, [problem] = reconcile.match_school_names(schools_by_name(("Villanueva de la Jara", "Madrid")), CENSUS, "s.csv")
    assert "not a municipality of region 'Madrid'" in str(problem) and "16243, Cuenca" in str(problem)


def test_an_unmatched_name_lists_the_closest_candidates():
    _, _, [problem] = reconcile.match_school_names(schools_by_name(("Villanueva de la Jarra", None)), CENSUS, "s.csv")
    assert "municipality name 'Villanueva de la Jarra' is not in the census; closest: 'Villanueva de la Jara'" \
        in str(problem)
    _, _, [problem] = reconcile.match_school_names(schools_by_name(("Zzyzx", None)), CENSUS, "s.csv")
    assert "no census name is close" in str(problem)


def test_schools_file_with_names_only_is_valid():
    frame = pd.DataFrame({"school_id": ["1", "2"], "municipality_name": ["Barcelona", ""],
                          "pupils_total": ["10", "20"], "pupils_group": ["1", "2"]}, index=[2, 3])
    with pytest.raises(InputError, match="row 3.*municipality code is empty and the school has no coordinates"):
        validate.validate_schools(frame, "s.csv")
    frame.loc[3, "municipality_name"] = "Alicante"
    schools = validate.validate_schools(frame, "s.csv")
    assert schools["municipality_code"].isna().all() and list(schools["municipality_name"]) == ["Barcelona", "Alicante"]
    # neither a code nor a name column: the message names both ways
    with pytest.raises(InputError, match="municipality_code.*or map a column of municipality names to "
                                         "municipality_name"):
        validate.validate_schools(frame.drop(columns=["municipality_name"]), "s.csv")


def test_lost_leading_zeros_are_restored_where_census_and_boundaries_agree():
    census = pd.DataFrame({"municipality_code": ["01001", "01002", "44001"]})
    schools = pd.DataFrame({"municipality_code": ["1001", "1002", "1002", "44001", "999"]})
    restored, fixes = reconcile.restore_school_zeros(schools, census["municipality_code"],
                                                     pd.Series(["01001", "01002", "44001"]), "s.csv")
    assert list(restored["municipality_code"]) == ["01001", "01002", "01002", "44001", "999"]  # 999 is no code
    assert [fix["detail"] for fix in fixes] == ["'1001' read as '01001' (1 school; codes have 5 digits)",
                                                "'1002' read as '01002' (2 schools; codes have 5 digits)"]
    # boundaries whose codes are not of the census's width: nothing is padded
    unchanged, fixes = reconcile.restore_school_zeros(schools, census["municipality_code"],
                                                      pd.Series(["ES_01001", "ES_01002", "ES_44001"]), "s.csv")
    assert fixes == [] and list(unchanged["municipality_code"]) == list(schools["municipality_code"])


def test_census_and_boundary_codes_are_padded_to_the_agreed_width():
    census = pd.DataFrame({"municipality_code": ["01001", "01002", "44001"]})
    boundaries = gpd.GeoDataFrame({"municipality_code": ["1001", "1002", "44001"]},
                                  geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)], crs="EPSG:4326")
    files = {"census": "c.csv", "boundaries": "b.gpkg"}
    _, padded, fixes = reconcile.restore_code_widths(census, boundaries, files)
    assert list(padded["municipality_code"]) == ["01001", "01002", "44001"]
    assert [(f["municipality_code"], f["input"]) for f in fixes] == [("01001", "boundaries"), ("01002", "boundaries")]
    # both fixed but different widths, and padding does not make them meet: left alone
    other = boundaries.assign(municipality_code=["7001", "7002", "7003"])
    assert reconcile.agreed_width(census["municipality_code"], other["municipality_code"]) is None


def test_unknown_codes_say_when_they_look_like_names_or_lost_zeros():
    assert "looks like a municipality name (the name of 'Дряново' (BGS08, Габрово))" in reconcile.code_hint(
        "Дряново", CENSUS)
    assert "map this column to municipality_name" in reconcile.code_hint("Alcala de Henares", CENSUS)
    assert "looks like census code '02081' without its leading zeros" in reconcile.code_hint("2081", CENSUS)
    assert reconcile.code_hint("99999", CENSUS) == ""
    schools = pd.DataFrame({"school_id": ["a", "b", "c"], "municipality_code": ["Дряново", "Barcelona", "08019"],
                            "lon": [None] * 3, "lat": [None] * 3}, index=[2, 3, 4])
    with pytest.raises(InputError) as error:
        validate.check_school_municipalities(schools, CENSUS, {"census": "c.csv", "schools": "s.csv"})
    text = str(error.value)
    assert "s.csv, row 2, column 'municipality_code', id 'a': municipality 'Дряново' is not in the census file c.csv" \
        in text
    assert "2 of the 2 schools with a municipality code not in the census have codes that look like municipality " \
           "names" in text


def test_editions_compared_kept_and_listed_or_stopped():
    census = pd.DataFrame({"municipality_code": ["A1", "A2", "A3"], "municipality_name": ["One", "Two", "Three"]})
    boundaries = gpd.GeoDataFrame({"municipality_code": ["A3", "A1", "B9"], "municipality_name": ["Three", "One", "Nine"]},
                                  geometry=[box(2, 0, 3, 1), box(0, 0, 1, 1), box(5, 0, 6, 1)], crs="EPSG:4326")
    files = {"census": "c.csv", "boundaries": "b.gpkg"}
    layer, fixes = reconcile.compare_editions(census, boundaries, files)
    assert list(layer["municipality_code"]) == ["A1", "A3", "B9"] and list(layer["in_census"]) == [True, True, False]
    assert [(f["municipality_code"], f["action"]) for f in fixes] == [("A2", "not_on_map"), ("B9", "no_census_data")]
    with pytest.raises(InputError) as error:
        reconcile.compare_editions(census, boundaries, files, "error")
    assert "c.csv, column 'municipality_code', id 'A2': municipality 'A2' has no polygon" in str(error.value)
    assert "b.gpkg, column 'municipality_code', id 'B9': polygon of 'B9' has no row in the census" in str(error.value)


def test_polygons_of_other_countries_are_out_of_scope():
    census = pd.DataFrame({"municipality_code": ["SOF46", "VAR06"]})
    layer = gpd.GeoDataFrame({"municipality_code": ["SOF46", "VAR06", "BLG03", "ABC12", "1234567"],
                              "country_code": ["BG", "BG", "BG", "EL", "EL"]},
                             geometry=[box(i, 0, i + 1, 1) for i in range(5)], crs="EPSG:4326")
    assert list(reconcile.in_scope(layer, census)) == [True, True, True, False, False]
    # without a country field, the code's shape decides
    assert list(reconcile.in_scope(layer.drop(columns=["country_code"]), census)) == [True, True, True, True, False]


def test_a_boundary_file_without_crs_takes_the_configured_one(tmp_path):
    from segmap.io import readers

    layer = gpd.GeoDataFrame({"code": ["A"]}, geometry=[box(4_000_000, 2_000_000, 4_010_000, 2_010_000)],
                             crs="EPSG:3035")
    layer.to_file(tmp_path / "b.shp")
    (tmp_path / "b.prj").unlink()
    spec = {"path": str(tmp_path / "b.shp"), "columns": {"municipality_code": "code"}}
    with pytest.raises(InputError, match="not longitudes and latitudes"):
        validate.validate_boundaries(readers.read_boundaries(spec), spec["path"])
    read = validate.validate_boundaries(readers.read_boundaries({**spec, "crs": "EPSG:3035"}), spec["path"])
    assert read.crs == "EPSG:3035" and not read.attrs["crs_assumed"]
    with pytest.raises(InputError, match="crs 'EPSG:99999999' in the config is not a coordinate reference system"):
        readers.read_boundaries({**spec, "crs": "EPSG:99999999"})


def test_boundaries_that_share_no_codes_with_the_census_are_an_error_not_an_edition():
    census = pd.DataFrame({"municipality_code": ["A1", "A2", "A3"], "municipality_name": ["One", "Two", "Three"]})
    boundaries = gpd.GeoDataFrame({"municipality_code": ["One", "Two", "A3"]},
                                  geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs="EPSG:4326")
    with pytest.raises(InputError, match=r"b.gpkg, column 'municipality_code': 2 of the 3 census municipalities have "
                                         r"no polygon: this is not an edition .*the boundaries have 'One', 'Two', "
                                         r"'A3'; the census 'A1', 'A2', 'A3'"):
        reconcile.compare_editions(census, boundaries, {"census": "c.csv", "boundaries": "b.gpkg"})
