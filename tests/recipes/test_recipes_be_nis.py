"""The Belgian recipe (segmap.recipes.be_nis): NIS codes in Statbel and partner files, then the validation
passes; the editions of the NIS code list."""

from __future__ import annotations

import openpyxl
import pytest
from recipe_samples import census, write_csv

from segmap import recipes
from segmap.errors import InputError
from segmap.io import validate


def test_be_nis_partner_census_xlsx(tmp_path):
    path = tmp_path / "roms.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Estimation de la population rom par commune, 1.1.2024"
    sheet.append([])
    sheet.append(["Code INS", "Commune / Gemeente", "Population", "Roms (estimation)"])
    for row in [(11002, "Antwerpen", "536.079", "3.100"), (21004, "Bruxelles / Brussel", "196.828", "4.500"),
                (44021, "Gent", "267.709", "1.800"), ("62063", "Liège", "195.576", "900"),
                (57096, "Mouscron", "59.434", "40")]:
        sheet.append(list(row))
    workbook.save(path)
    spec = {"path": str(path), "recipe": "be_nis",
            "columns": {"municipality_name": "Commune / Gemeente", "population_total": "Population",
                        "population_group": "Roms (estimation)"}}
    frame = recipes.read_input(spec, "census")
    assert list(frame.index) == [4, 5, 6, 7, 8]
    table = validate.validate_census(frame, str(path)).set_index("municipality_code")
    assert list(table.index) == ["11002", "21004", "44021", "62063", "57096"]
    assert table.loc["21004", ["region_code", "region_name"]].tolist() == [
        "21000", "Bruxelles-Capitale / Brussel-Hoofdstad"]
    assert table.loc["57096", "region_name"] == "Tournai-Mouscron"
    assert table.loc["11002", "population_total"] == 536079 and table.loc["21004", "population_group"] == 4500
    provinces = census({**spec, "recipe": {"name": "be_nis", "region": "province"}})
    assert provinces.loc["21004", "region_code"] == "04000" and provinces.loc["44021", "region_code"] == "40000"


STATBEL_HEADER = ["CD_REFNIS", "TX_DESCR_NL", "TX_DESCR_FR", "CD_DSTR_REFNIS", "TX_ADM_DSTR_DESCR_NL",
                  "TX_ADM_DSTR_DESCR_FR", "CD_PROV_REFNIS", "TX_PROV_DESCR_NL", "TX_PROV_DESCR_FR", "CD_RGN_REFNIS",
                  "TX_RGN_DESCR_NL", "TX_RGN_DESCR_FR", "CD_SEX", "CD_NATLTY", "TX_NATLTY_NL", "TX_NATLTY_FR",
                  "CD_CIV_STS", "TX_CIV_STS_NL", "TX_CIV_STS_FR", "CD_AGE", "MS_POPULATION"]


def test_be_nis_statbel_long_file_is_summed(tmp_path):
    municipalities = [("11002", "Antwerpen", "Anvers", "11000", "10000", "2000"),
                      ("21004", "Brussel", "Bruxelles", "21000", "", "4000"),
                      ("62063", "Luik", "Liège", "62000", "60000", "3000")]
    rows = [STATBEL_HEADER]
    for code, nl, fr, district, province, region in municipalities:
        for sex in ("M", "F"):
            for age, people in (("0", 10), ("1", 20)):
                rows.append([code, nl, fr, district, "", "", province, "", "", region, "", "", sex, "BEL", "België",
                             "Belgique", "1", "Ongehuwd", "Célibataire", age, str(people)])
    path = write_csv(tmp_path / "TF_SOC_POP_STRUCT_2024.txt", rows, "utf-8", sep="|")
    frame = recipes.read_input({"path": str(path), "recipe": "be_nis"}, "census")
    assert frame.attrs["sep"] == "|"
    assert frame["municipality_code"].tolist() == ["11002", "21004", "62063"]
    assert frame["municipality_name"].tolist() == ["Antwerpen", "Bruxelles / Brussel", "Liège"]
    assert frame["population_total"].tolist() == ["60", "60", "60"]
    assert list(frame.index) == [2, 6, 10]
    # Statbel publishes no ethnic counts: the validation asks for the group column
    with pytest.raises(InputError, match="column 'population_group': required census column is missing"):
        validate.validate_census(frame, str(path))


def test_be_nis_schools_and_bad_codes(tmp_path):
    rows = [["instellingsnummer", "naam", "NIS-code", "leerlingen", "roma"],
            ["012345", "Basisschool De Linde", "11002.0", "1.204", "30"],
            ["023456", "GO! Atheneum", "44021", "640", "12"]]
    path = write_csv(tmp_path / "scholen.csv", rows, "utf-8", sep=";")
    spec = {"path": str(path), "recipe": "be_nis",
            "columns": {"school_id": "instellingsnummer", "school_name": "naam", "pupils_total": "leerlingen",
                        "pupils_group": "roma"}}
    table = validate.validate_schools(recipes.read_input(spec, "schools"), str(path))
    assert table["municipality_code"].tolist() == ["11002", "44021"] and table["pupils_total"].tolist() == [1204, 640]
    rows[2][2] = "4402"
    write_csv(path, rows, "utf-8", sep=";")
    with pytest.raises(InputError, match=r"scholen.csv, row 3, column 'NIS-code': '4402' is not a NIS municipality "
                                         r"code \(5 digits"):
        recipes.read_input(spec, "schools")


def nis_codes(count: int, include: dict) -> list[str]:
    """``count`` distinct valid NIS codes: the given ones and filler codes not touched by the mergers."""
    markers = set(recipes.NIS_GONE_2019) | set(recipes.NIS_NEW_2019) | set(recipes.NIS_GONE_2025) | set(
        recipes.NIS_NEW_2025)
    filler = (f"{p}{n:03d}" for p in ("11", "13", "24", "31", "52", "62", "92") for n in range(100, 1000)
              if f"{p}{n:03d}" not in markers)
    codes = list(include)
    while len(codes) < count:
        codes.append(next(filler))
    return codes


def test_check_nis_year():
    codes_2024 = nis_codes(581, {"11007": "Borsbeek", "44083": "Deinze"})
    codes_2025 = nis_codes(565, {"46030": "Beveren-Kruibeke-Zwijndrecht", "44083": "Deinze"})
    assert recipes.check_nis_year(codes_2024, codes_2024) == "2019–2024"
    assert recipes.check_nis_year(codes_2025, codes_2025) == "2025"
    with pytest.raises(InputError) as error:
        recipes.check_nis_year(codes_2024, codes_2025, file="census.xlsx", boundary_file="be.gpkg")
    assert ("census.xlsx, column 'municipality_code': the census uses the NIS codes of 2019–2024 (581 "
            "municipalities) but the boundaries be.gpkg those of 2025 (565 municipalities)") in str(error.value)
    # a partial table (one province) is told by the merged municipalities it holds
    with pytest.raises(InputError, match="do not exist in the code list of 2025.*11007 Borsbeek"):
        recipes.check_nis_year(["11002", "11007", "11008"], codes_2025)
    assert recipes.check_nis_year(["11002", "11008"], codes_2025) == "2025"  # nothing against it
    with pytest.raises(InputError, match="mix editions.*11007 Borsbeek.*46030 Beveren-Kruibeke-Zwijndrecht"):
        recipes.check_nis_year(["11007", "46030"], codes_2025)
    assert recipes.nis_code_list(nis_codes(589, {"12030": "Puurs"})).label == "1977–2018"
    assert recipes.nis_region("11002") == ("11000", "Antwerpen")
    assert recipes.nis_region("25112", "province") == ("20002", "Brabant wallon")
