"""The Spanish recipe (segmap.recipes.es_ine): files with INE conventions, then the validation passes; the
Spanish code helpers."""

from __future__ import annotations

import pytest
from recipe_samples import census, write_csv

from segmap import recipes
from segmap.errors import InputError
from segmap.io import validate


def test_es_ine_census_latin1_semicolons_thousands_and_labels(tmp_path):
    rows = [["Población por municipios y estimación de población gitana. Teruel y Araba/Álava. 1 de enero de 2023"],
            [],
            ["Municipios", "Total", "Población gitana (estimación)"],
            ["44 Teruel", "134.545", "1.250"],
            ["44001-Ababuj", "69", "0"],
            ["44216 Teruel", "36.240", "1.020"],
            ["1001-Alegría-Dulantzi", "2.900", "15"],
            ["01059 Vitoria-Gasteiz", "255.886", "3.400"]]
    path = write_csv(tmp_path / "padron.csv", rows, "latin-1", sep=";")
    spec = {"path": str(path), "recipe": "es_ine", "columns": {"population_group": "Población gitana (estimación)"}}
    frame = recipes.read_input(spec, "census")
    assert frame.attrs["encoding"] == "latin-1" and list(frame.index) == [5, 6, 7, 8]
    table = validate.validate_census(frame, str(path)).set_index("municipality_code")
    assert list(table.index) == ["44001", "44216", "01001", "01059"]
    assert table.loc["01001", ["municipality_name", "region_code", "region_name"]].tolist() == [
        "Alegría-Dulantzi", "01", "Araba/Álava"]
    assert table.loc["44216", "population_total"] == 36240 and table.loc["44216", "population_group"] == 1020
    assert table.loc["01059", "population_total"] == 255886
    assert table.loc["44001", "region_name"] == "Teruel"


def test_es_ine_long_table_keeps_totals_of_the_latest_period(tmp_path):
    rows = [["Municipios", "Sexo", "Periodo", "Total", "Gitanos"]]
    for period, base in (("2023", 0), ("2022", 5)):
        for code, name, people, roma in (("44001", "Ababuj", 69, 0), ("44216", "Teruel", 36240, 1020)):
            rows += [[f"{code} {name}", "Total", period, f"{people + base:,}".replace(",", "."), str(roma)],
                     [f"{code} {name}", "Hombres", period, str(people // 2), str(roma // 2)],
                     [f"{code} {name}", "Mujeres", period, str(people - people // 2), str(roma - roma // 2)]]
    path = write_csv(tmp_path / "2854.csv", rows, "utf-8-sig", sep=";")
    spec = {"path": str(path), "recipe": "es_ine", "columns": {"population_group": "Gitanos"}}
    table = census(spec)
    assert table["population_total"].tolist() == [69, 36240]
    older = census({**spec, "recipe": {"name": "es_ine", "year": 2022}})
    assert older["population_total"].tolist() == [74, 36245]


def test_es_ine_schools_with_labels_and_decimal_commas(tmp_path):
    rows = [["Código centro", "Denominación", "Municipio", "Alumnado", "Alumnado gitano", "Longitud", "Latitud"],
            ["44000011", "CEIP Ababuj", "44001-Ababuj", "1.204", "12", "-0,9123", "40,5431"],
            ["01000021", "CEIP Alegría", "1001 Alegría-Dulantzi", "300", "6", "-2,5123", "42,8412"]]
    path = write_csv(tmp_path / "centros.csv", rows, "utf-8", sep=";")
    spec = {"path": str(path), "recipe": "es_ine",
            "columns": {"school_id": "Código centro", "school_name": "Denominación", "municipality_code": "Municipio",
                        "pupils_total": "Alumnado", "pupils_group": "Alumnado gitano", "lon": "Longitud",
                        "lat": "Latitud"}}
    table = validate.validate_schools(recipes.read_input(spec, "schools"), str(path))
    assert table["school_id"].tolist() == ["44000011", "01000021"]
    assert table["municipality_code"].tolist() == ["44001", "01001"]
    assert table["pupils_total"].tolist() == [1204, 300]
    assert table["lon"].iloc[0] == pytest.approx(-0.9123)


def test_es_ine_bad_code_names_row_and_column(tmp_path):
    rows = [["Municipios", "Total", "Gitanos"], ["44001-Ababuj", "69", "0"], ["Ababuj", "69", "0"],
            ["99001-Nowhere", "10", "0"]]
    path = write_csv(tmp_path / "p.csv", rows, "utf-8", sep=";")
    with pytest.raises(InputError) as error:
        census({"path": str(path), "recipe": "es_ine", "columns": {"population_group": "Gitanos"}})
    message = str(error.value)
    assert "p.csv, row 3, column 'Municipios': 'Ababuj' is not an INE municipality code" in message
    assert "p.csv, row 4, column 'Municipios': '99001' is not an INE municipality code: 99 is not a province" in message


def test_spanish_codes():
    assert recipes.split_ine_label("44001-Ababuj") == ("44001", "Ababuj")
    assert recipes.split_ine_label("44001 Ababuj") == ("44001", "Ababuj")
    assert recipes.split_ine_label("1001") == ("01001", None)
    assert recipes.normalise_ine_code("8019.0") == "08019"
    assert recipes.ine_province("01059") == ("01", "Araba/Álava")
    assert len(recipes.ES_PROVINCES) == 52 and list(recipes.ES_PROVINCES)[-1] == "52"
