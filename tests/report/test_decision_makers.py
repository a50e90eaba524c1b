"""The parts of the report for decision makers: alphabetical index (ICU collation), administrative levels and
region names per language, the upper-level table, the findings and the comparability box."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmap.report import comparability, findings, levels, render
from segmap.report.municipality_index import collation_order, index_headings, municipality_index
from segmap.stats import tables

from conftest import tiny_census, tiny_schools

THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}
INFERENCE = {"random_allocation": {"replicates": 200, "seed": 1}, "bootstrap": {"replicates": 200, "seed": 2}}


def sorted_names(names, language):
    series = pd.Series(names)
    return list(series.iloc[collation_order(series, language)])


def test_spanish_order_puts_n_tilde_after_n_and_accents_with_their_letter():
    names = ["Ñora", "Oliva", "Nule", "Ávila", "Avila", "Navas", "Zaragoza", "Abanilla"]
    assert sorted_names(names, "es") == ["Abanilla", "Avila", "Ávila", "Navas", "Nule", "Ñora", "Oliva", "Zaragoza"]
    assert index_headings(["Navas", "Ñora", "Ávila"], "es") == ["N", "Ñ", "A"]


def test_bulgarian_order_follows_the_cyrillic_alphabet():
    names = ["Ямбол", "Бургас", "Айтос", "Шумен", "Щит", "Юндола", "Чипровци"]
    assert sorted_names(names, "bg") == ["Айтос", "Бургас", "Чипровци", "Шумен", "Щит", "Юндола", "Ямбол"]
    # Latin names in a Bulgarian report get a Latin letter heading, not the overflow one
    assert index_headings(["Sofia"], "bg") == ["S"]


def test_dutch_order_sorts_ij_as_i_j_and_ignores_case_and_accents():
    names = ["Izegem", "IJzendijke", "Ieper", "jabbeke", "Élouges", "Evere"]
    assert sorted_names(names, "nl") == ["Élouges", "Evere", "Ieper", "IJzendijke", "Izegem", "jabbeke"]


def test_equal_names_keep_code_order():
    frame = pd.Series(["Villanueva", "Villanueva"])
    assert list(collation_order(frame, "es", pd.Series(["02", "01"]))) == [1, 0]


def tiny_tables(upper_level=None):
    census = tiny_census()
    result = tables.year_indices(tiny_schools(), census, THRESHOLDS, country="xx", country_name="Tiny",
                                 inference_settings=INFERENCE, upper_level=upper_level)
    return result.tables


def test_index_lists_every_municipality_with_schools_alphabetically_with_its_region_page():
    municipalities = tiny_tables()["municipality"]
    regions = tiny_tables()["region"]
    rows = municipality_index(municipalities, render.region_anchors(regions), "es")
    assert [r["municipality_name"] for r in rows] == ["Abengibre", "Alatoz", "Alegría", "Amurrio", "Aramaio"]
    assert "Alcadozo" not in {r["municipality_name"] for r in rows}  # no school
    anchors = {r["municipality_name"]: r["anchor"] for r in rows}
    assert anchors["Alegría"] == "region-1" and anchors["Abengibre"] == "region-2"
    assert [r["heading"] for r in rows] == ["A", None, None, None, None]
    statuses = {r["municipality_name"]: r["status"] for r in rows}
    assert statuses["Amurrio"] == "single_school" and statuses["Alatoz"] == "no_other_pupils"


UPPER = {"units": {"A": {"names": {"*": "Unidad A", "en": "Unit A"}, "regions": ["01"]},
                   "B": {"names": {"en": "Unit B"}, "regions": ["02"]}}, "names": {}}
ONE_UPPER = {"units": {"ALL": {"names": {"en": "All"}, "regions": ["01", "02"]}}, "names": {}}


def test_upper_level_of_one_region_per_unit_has_the_regions_point_indices():
    result = tiny_tables(UPPER)
    upper, regions = result["upper_level"], result["region"]
    assert list(upper["upper_code"]) == ["A", "B"] and list(upper["upper_name"]) == ["Unit A", "Unit B"]
    for column in ("n_schools", "pupils_total", "pupils_group", "dissimilarity", "isolation", "mutual_information",
                   "segregated_schools", "population_total"):
        np.testing.assert_allclose(upper[column].to_numpy(float), regions[column].to_numpy(float), err_msg=column)
    # its own draws: random allocation within a unit is not that within the region (another stream)
    assert upper["n_regions"].tolist() == [1, 1]


def test_upper_level_of_the_whole_country_equals_the_national_point_indices():
    result = tiny_tables(ONE_UPPER)
    upper, national = result["upper_level"].iloc[0], result["national"].iloc[0]
    for column in ("n_schools", "pupils_group", "dissimilarity", "isolation", "mutual_information",
                   "mutual_information_between", "group_in_segregated_share"):
        assert upper[column] == pytest.approx(national[column], abs=1e-12), column
    assert upper["n_regions"] == 2 and upper["n_municipalities"] == 6


def test_upper_level_names_every_region_missing_from_its_units():
    with pytest.raises(ValueError, match="'02'"):
        tables.upper_of_regions({"units": {"A": {"regions": ["01"]}}}, pd.Series(["01", "02", "02"]))


def test_without_upper_level_the_table_is_empty_with_its_columns():
    upper = tiny_tables()["upper_level"]
    assert upper.empty and {"upper_code", "dissimilarity_adjusted", "census_group_share"} <= set(upper.columns)


def test_level_names_and_region_names_per_language():
    settings = {"region_level": {"es": {"one": "provincia", "many": "provincias"}},
                "region_names": {"nl": {"02": "Albacete (nl)"}}}
    assert levels.region_level(settings, "es") == {"one": "provincia", "many": "provincias"}
    assert levels.region_level(settings, "fr") == {"one": "région", "many": "régions"}  # catalogs' default
    named = levels.with_region_names(tiny_census(), settings, "nl")
    assert list(named["region_name"].unique()) == ["Álava", "Albacete (nl)"]
    assert levels.with_region_names(tiny_census(), settings, "es").equals(tiny_census())


def settings_for_findings():
    return {"code": "xx", "name": "Tiny", "min_cell": 1, "ranking_min_group_pupils": 0,
            "thresholds": {**THRESHOLDS, "source": "a test"}}


def test_findings_are_sentences_built_from_the_numbers():
    result = tiny_tables(UPPER)
    national = result["national"].iloc[0].to_dict()
    items = findings.findings(national=national, schools=result["school"], municipalities=result["municipality"],
                              regions=result["region"], upper=result["upper_level"],
                              settings=settings_for_findings(), language="en", group="Roma pupils",
                              one="Roma pupil", region_level={"one": "province", "many": "provinces"},
                              upper_level={"one": "unit", "many": "units"}, years={"change": None})
    assert [item["key"] for item in items] == ["segregated", "municipalities", "regions", "residence"]
    segregated = result["school"]["category"].isin(["segregated", "severe"])
    in_segregated = int(result["school"].loc[segregated, "pupils_group"].sum())
    assert items[0]["text"].startswith(f"{in_segregated} of the {int(national['pupils_group'])} Roma pupils")
    clear = findings.clearly_beyond_chance(result["municipality"]).sum()
    assert clear == (result["municipality"]["distinguishable_from_random"].astype("boolean").fillna(False)).sum()
    assert f"In {clear} of the " in items[1]["text"]
    assert "2 units" in items[2]["text"] and "2 provinces" in items[2]["text"]
    assert items[2]["anchor"] == "upper-level" and items[3]["anchor"] == "map-isolation"


def test_comparability_lists_every_definition_and_the_share_in_majority_group_schools():
    result = tiny_tables()
    schools = result["school"]
    definitions = [
        {"code": "es", "name": "Spain", "names": {}, "thresholds": {"segregated": 0.3, "severe": 0.41,
                                                                   "comparison": "above", "source": "FSG (2022)"}},
        {"code": "xx", "name": "Tiny", "names": {}, "thresholds": {**THRESHOLDS, "source": "a test"}},
    ]
    box = comparability.comparability(definitions, settings_for_findings(), schools, result["national"].iloc[0], "en")
    assert [d["symbol"] for d in box["definitions"]] == [">", "≥"] and not box["same_everywhere"]
    assert box["definitions"][0]["source"] == "FSG (2022)" and box["definitions"][1]["this"]
    majority = schools.loc[schools["group_share"] >= 0.5, "pupils_group"].sum() / schools["pupils_group"].sum()
    assert box["majority_share"] == pytest.approx(majority)


def test_checksums_print_in_groups_of_eight():
    assert render.grouped("0123456789abcdef01") == "01234567 89abcdef 01"
    assert render.grouped("0123456789-modified") == "01234567 89 modified"


def test_bulgarian_prepositions_take_their_vowel_before_the_same_sound():
    from segmap.report.i18n import bulgarian_prepositions

    assert bulgarian_prepositions("учат в Видин и в Монтана; В Варна; с Сливен") == \
        "учат във Видин и в Монтана; Във Варна; със Сливен"
    assert bulgarian_prepositions("Павел в Плевен") == "Павел в Плевен"


def test_a_value_that_rounds_to_zero_prints_without_a_minus_sign():
    assert render.format_index(-0.001) == "0.00" and render.format_index(-0.006) == "−0.01"


def test_comparability_names_the_countries_that_share_a_definition():
    result = tiny_tables()
    same = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False,
            "source": "s"}
    definitions = [
        {"code": "aa", "name": "Belgium", "names": {}, "thresholds": same},
        {"code": "es", "name": "Spain", "names": {}, "thresholds": {**same, "segregated": 0.3, "comparison": "above"}},
        {"code": "xx", "name": "Tiny", "names": {}, "thresholds": same},
    ]
    box = comparability.comparability(definitions, settings_for_findings(), result["school"],
                                      result["national"].iloc[0], "en")
    assert box["same"] == "Belgium and Tiny" and box["different"] == "Spain"


def test_percent_signs_and_comparison_signs_stay_with_their_numbers():
    from segmap.report.i18n import no_break_spaces

    assert no_break_spaces("une minorité de 10 % ; ≥ 50% ; &gt; 30 %") == \
        "une minorité de 10\u00a0% ; ≥\u00a050% ; &gt;\u00a030\u00a0%"
    assert no_break_spaces("<td>5 </td> a > b") == "<td>5 </td> a > b"
