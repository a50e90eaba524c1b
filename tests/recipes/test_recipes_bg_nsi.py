"""Bulgarian recipes (segmap.recipes.bg_nsi, bg_codes): NSI census tables in their official layouts, then the
validation passes; the Bulgarian code helpers."""

from __future__ import annotations

import logging

import openpyxl
import pytest
from recipe_samples import BG_CODES, BG_SAMPLE, bg_2011_csv, bg_boundaries, census, write_csv  # noqa: F401 (fixtures)

from segmap import recipes
from segmap.errors import InputError
from segmap.io import validate


def test_bg_nsi_2011_cp1251_with_codes_from_the_boundaries(bg_2011_csv, bg_boundaries, caplog):
    caplog.set_level(logging.INFO)
    spec = {"path": str(bg_2011_csv), "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}}
    frame = recipes.read_input(spec, "census")
    assert frame.attrs["encoding"] == "cp1251" and frame.attrs["encoding_detected"] is True
    assert frame.attrs["recipe"] == "bg_nsi_2011"
    assert f"read {bg_2011_csv} as cp1251 (detected)" in caplog.text
    # spreadsheet rows: title 1, blank 2, header 3-4, column numbers 5, country 6, district 7, Банско 8 ...
    assert list(frame.index) == [8, 9, 10, 12, 14, 15]
    table = validate.validate_census(frame, str(bg_2011_csv)).set_index("municipality_code")
    assert list(table.index) == ["BLG01", "BLG02", "BLG03", "SOF46", "SLV11", "SLV20"]
    assert table.loc["BLG03", "municipality_name"] == "Благоевград"  # the municipality, not the district
    assert table.loc["SOF46", "municipality_name"] == "Столична"
    assert table.loc["SOF46", ["region_code", "region_name"]].tolist() == ["BG411", "София (столица)"]
    assert table.loc["SLV11", ["region_code", "region_name"]].tolist() == ["BG342", "Сливен"]
    bansko = BG_SAMPLE[0]
    assert table.loc["BLG01", "population_total"] == sum(bansko[3:9])  # who answered the ethnic question
    assert table.loc["BLG01", "population_group"] == 502
    assert table.loc["SOF46", "population_total"] == sum(BG_SAMPLE[3][3:9])  # '1 162 800' read as a number


def test_bg_nsi_total_can_be_everyone(bg_2011_csv, bg_boundaries):
    table = census({"path": str(bg_2011_csv),
                    "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries), "total": "all"}})
    assert table.loc["BLG02", "population_total"] == sum(BG_SAMPLE[1][3:])


def bg_rows_2021(with_codes: bool):
    """Rows of the 2021 table: country, statistical regions, districts in capitals, municipalities."""
    regions = {"Благоевград": "Югозападен", "София (столица)": "Югозападен", "Сливен": "Югоизточен"}
    district_codes = {"Благоевград": "BLG", "София (столица)": "SOF", "Сливен": "SLV"}

    def line(name, values, code=None):
        cells = [name, sum(values), *values]
        return ([code or ""] if with_codes else []) + cells

    def total(rows):
        return [sum(r[i] for r in rows) for i in range(3, 10)]

    out = [line("Общо за страната", total(BG_SAMPLE), "BG")]
    for region in dict.fromkeys(regions.values()):
        out.append(line(region, total([r for r in BG_SAMPLE if regions[r[0]] == region])))
        for district in [d for d, r in regions.items() if r == region]:
            members = [r for r in BG_SAMPLE if r[0] == district]
            out.append(line(district if with_codes else district.upper(), total(members), district_codes[district]))
            out += [line(r[1], list(r[3:]), r[2]) for r in members]
    return out


BG_2021_HEADER = ["Статистически райони / области / общини", "Общо", "Българска", "Турска", "Ромска", "Друга",
                  "Не мога да определя", "Не желая да отговоря", "Непоказан"]


def test_bg_nsi_2021_xlsx_with_latin_codes_file(tmp_path, caplog):
    path = tmp_path / "census2021.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Етнос"
    sheet["A1"] = "Население по етническа принадлежност, статистически райони, области и общини към 7.09.2021 г."
    sheet["A2"] = "(Брой)"
    sheet.append(BG_2021_HEADER)
    for row in bg_rows_2021(with_codes=False):
        sheet.append(row)
    workbook.save(path)
    codes = write_csv(tmp_path / "obshtini.csv", [["lau_code", "name_latin"], *BG_CODES.values()], "utf-8")
    caplog.set_level(logging.WARNING)
    table = census({"path": str(path), "sheet": "Етнос", "recipe": {"name": "bg_nsi_2021", "codes": str(codes),
                                                                    "region_names": "en"}})
    assert "add up" not in caplog.text  # the categories add up to the totals
    assert list(table.index) == ["BLG01", "BLG02", "BLG03", "SOF46", "SLV11", "SLV20"]
    assert table.loc["SLV20", "municipality_name"] == "Сливен"
    assert table.loc["BLG03", "region_name"] == "Blagoevgrad"
    kotel = BG_SAMPLE[4]
    # answered = total less 'not shown'; 'Не желая да отговоря' counts as answered, as in NSI's own shares
    assert table.loc["SLV11", "population_total"] == sum(kotel[3:9])
    assert table.loc["SLV11", "population_group"] == 6010


def test_bg_nsi_2021_csv_with_code_column(tmp_path):
    rows = [["Население по етническа принадлежност към 7.09.2021 година"],
            ["Код", *BG_2021_HEADER], *bg_rows_2021(with_codes=True)]
    rows[4 + 1][0] = " blg 01 "  # codes as typed by hand
    path = write_csv(tmp_path / "census2021.csv", rows, "cp1251", sep=";")
    table = census({"path": str(path), "recipe": "bg_nsi_2021"})
    assert list(table.index) == ["BLG01", "BLG02", "BLG03", "SOF46", "SLV11", "SLV20"]
    assert table.loc["SOF46", "region_code"] == "BG411"


def test_bg_nsi_without_codes_says_what_to_do(bg_2011_csv):
    with pytest.raises(InputError) as error:
        recipes.read_input({"path": str(bg_2011_csv), "recipe": "bg_nsi_2011"}, "census")
    message = str(error.value)
    assert "census2011.csv, row 8, column 'Области / Общини': municipality 'Банско' has no code" in message
    assert "codes:" in message


def test_bg_nsi_unknown_municipality_and_bad_count_point_at_their_rows(tmp_path, bg_boundaries):
    rows = [["Население по етническа група"],
            ["Области / Общини", "Общо", "Българска", "Турска", "Ромска", "Друга", "Не се самоопределям",
             "Непоказан"],
            ["Област Благоевград", "100", "50", "0", "40", "0", "0", "10"],
            ["Банско", "60", "30", "-", "20", "-", "-", "10"],
            ["Белица", "40", "20", "-", "x", "-", "-", "-"]]
    path = write_csv(tmp_path / "c.csv", rows, "cp1251")
    spec = {"path": str(path), "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}}
    with pytest.raises(InputError, match=r"c.csv, row 5, column 'population_group', id 'BLG02': count is not a "
                                         r"number \('x'\)"):
        census(spec)
    rows[3][0] = "Разлог"
    write_csv(path, rows, "cp1251")
    with pytest.raises(InputError, match=r"c.csv, row 4, column 'Области / Общини': municipality 'Разлог' "
                                         r"\(district Благоевград\) is not in the codes file"):
        census(spec)


def test_bulgarian_codes():
    assert recipes.normalise_lau_code(" SOF 46 ") == "SOF46"
    assert recipes.normalise_lau_code("sof46") == "SOF46"
    assert recipes.normalise_lau_code("BG_BLG03") == "BLG03"
    assert recipes.normalise_lau_code("ВLG03") == "BLG03"  # Cyrillic В
    with pytest.raises(ValueError, match="not a Bulgarian LAU code"):
        recipes.normalise_lau_code("XYZ01")
    assert recipes.is_lau_code("BGS05") and not recipes.is_lau_code("68134")
    assert recipes.is_ekatte("68134") and recipes.is_ekatte("00151") and not recipes.is_ekatte("SOF46")
    assert recipes.bg_district("BLG03").nuts3 == "BG413" and recipes.bg_district("BLG").name_en == "Blagoevgrad"
    assert recipes.bg_district("SOF46").nuts3 == "BG411" and recipes.bg_district("BG412").code == "SFO"
    assert len(recipes.BG_DISTRICTS) == 28
    assert len({d.nuts3 for d in recipes.BG_DISTRICTS}) == 28 and len({d.code for d in recipes.BG_DISTRICTS}) == 28
    assert recipes.bg_district_by_name("Област Благоевград").code == "BLG"
    assert recipes.bg_district_by_name("София-град").code == "SOF"
    assert recipes.bg_district_by_name("София").code == "SFO"
    assert recipes.name_key("Община Добрич-селска") == recipes.name_key("Dobrich - selska")
