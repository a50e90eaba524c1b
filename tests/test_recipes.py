"""Country recipes: each reads a sample file written in the official layout, then the validation passes."""

from __future__ import annotations

import csv
import io
import logging

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import box

from segmap import ingest, recipes, validate
from segmap.errors import InputError


def census(spec: dict) -> pd.DataFrame:
    """Read with the recipe and validate, as the pipeline does."""
    frame = ingest.read_table(spec, "census")
    return validate.validate_census(frame, spec["path"], spec.get("thousands")).set_index("municipality_code")


def write_csv(path, rows, encoding, sep=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# --------------------------------------------------------------------------------------------------
# Bulgaria
# --------------------------------------------------------------------------------------------------

# district, municipality, LAU code, Bulgarian, Turkish, Roma, other, cannot self-determine, refused, not shown
BG_SAMPLE = [
    ("Благоевград", "Банско", "BLG01", 11950, 3, 502, 31, 14, 40, 520),
    ("Благоевград", "Белица", "BLG02", 6110, 210, 1720, 12, 6, 25, 188),
    ("Благоевград", "Благоевград", "BLG03", 63120, 75, 1003, 410, 70, 330, 5080),
    ("София (столица)", "Столична", "SOF46", 1101200, 6210, 12610, 20120, 3010, 19650, 121400),
    ("Сливен", "Котел", "SLV11", 6550, 4650, 6010, 30, 20, 90, 880),
    ("Сливен", "Сливен", "SLV20", 88900, 7690, 11700, 410, 160, 1020, 7900),
]
BG_CODES = {"Банско": ("BLG01", "Bansko"), "Белица": ("BLG02", "Belitsa"), "Благоевград": ("BLG03", "Blagoevgrad"),
            "Столична": ("SOF46", "Stolichna"), "Котел": ("SLV11", "Kotel"), "Сливен": ("SLV20", "Sliven")}


def bg_number(value: int) -> str:
    """NSI style: '-' for none, a blank between thousands."""
    return "-" if value == 0 else f"{value:,}".replace(",", " ")


def bg_rows_2011():
    """Rows of the 2011 table: districts (no marker) followed by their municipalities; 'answered' column."""
    def line(name, values):
        bg, tr, roma, other, undetermined, refused, not_shown = values
        answered = bg + tr + roma + other + undetermined + refused
        return [name, bg_number(answered + not_shown), bg_number(answered), bg_number(bg), bg_number(tr),
                bg_number(roma), bg_number(other), bg_number(undetermined + refused), bg_number(not_shown)]

    def total(rows):
        return [sum(r[i] for r in rows) for i in range(3, 10)]

    out = [line("Общо за страната", total(BG_SAMPLE))]
    for district in dict.fromkeys(r[0] for r in BG_SAMPLE):
        members = [r for r in BG_SAMPLE if r[0] == district]
        out.append(line(district, total(members)))
        out += [line(r[1], r[3:]) for r in members]
    return out


@pytest.fixture
def bg_boundaries(tmp_path):
    """A GISCO-like LAU layer: LAU_ID, LAU_NAME (Cyrillic), CNTR_CODE, with a Greek feature too."""
    features = [{"GISCO_ID": f"BG_{code}", "LAU_ID": code, "LAU_NAME": name, "CNTR_CODE": "BG",
                 "geometry": box(23 + i * 0.1, 42, 23.1 + i * 0.1, 42.1)}
                for i, (name, (code, _latin)) in enumerate(BG_CODES.items())]
    features.append({"GISCO_ID": "EL_1234", "LAU_ID": "ABC12", "LAU_NAME": "Αθήνα", "CNTR_CODE": "EL",
                     "geometry": box(0, 0, 1, 1)})
    path = tmp_path / "lau_bg.geojson"
    gpd.GeoDataFrame(features, crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


@pytest.fixture
def bg_2011_csv(tmp_path):
    rows = [["Таблица 7. Население към 01.02.2011 г. по области, общини и етническа група"], [],
            ["Области / Общини", "Общо", "Отговорили на доброволния въпрос за етническа група", "", "", "", "", "",
             "Неотговорили"],
            ["", "", "Общо", "Българска", "Турска", "Ромска", "Друга", "Не се самоопределям", ""],
            ["А", "1", "2", "3", "4", "5", "6", "7", "8"],  # column numbers, as NSI prints them
            *bg_rows_2011(),
            [], ["Източник: НСИ, Преброяване 2011"]]
    return write_csv(tmp_path / "census2011.csv", rows, "cp1251")


def test_bg_nsi_2011_cp1251_with_codes_from_the_boundaries(bg_2011_csv, bg_boundaries, caplog):
    caplog.set_level(logging.INFO)
    spec = {"path": str(bg_2011_csv), "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}}
    frame = ingest.read_table(spec, "census")
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
        ingest.read_table({"path": str(bg_2011_csv), "recipe": "bg_nsi_2011"}, "census")
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


# --------------------------------------------------------------------------------------------------
# Spain
# --------------------------------------------------------------------------------------------------

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
    frame = ingest.read_table(spec, "census")
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
    table = validate.validate_schools(ingest.read_table(spec, "schools"), str(path))
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


# --------------------------------------------------------------------------------------------------
# Belgium
# --------------------------------------------------------------------------------------------------

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
    frame = ingest.read_table(spec, "census")
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
    frame = ingest.read_table({"path": str(path), "recipe": "be_nis"}, "census")
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
    table = validate.validate_schools(ingest.read_table(spec, "schools"), str(path))
    assert table["municipality_code"].tolist() == ["11002", "44021"] and table["pupils_total"].tolist() == [1204, 640]
    rows[2][2] = "4402"
    write_csv(path, rows, "utf-8", sep=";")
    with pytest.raises(InputError, match=r"scholen.csv, row 3, column 'NIS-code': '4402' is not a NIS municipality "
                                         r"code \(5 digits"):
        ingest.read_table(spec, "schools")


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


# --------------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------------

def test_unknown_recipe_and_wrong_role(tmp_path, bg_2011_csv):
    with pytest.raises(InputError, match=r"unknown recipe 'bg_nsi_2031' in the config \(known recipes: be_nis, "
                                         r"bg_nsi_2011, bg_nsi_2021, es_ine\)"):
        ingest.read_table({"path": str(bg_2011_csv), "recipe": "bg_nsi_2031"}, "census")
    with pytest.raises(InputError, match="recipe 'bg_nsi_2011' reads census files, not the schools file"):
        ingest.read_table({"path": str(bg_2011_csv), "recipe": "bg_nsi_2011"}, "schools")


def test_recipe_options_and_extra_inputs():
    spec = {"path": "c.csv", "recipe": {"name": "bg_nsi_2021", "codes": "lau.gpkg"}, "recipe_options": {"total": "all"}}
    assert recipes.recipe_options(spec) == ("bg_nsi_2021", {"codes": "lau.gpkg", "total": "all"})
    assert recipes.extra_input_paths(spec) == ["lau.gpkg"]
    assert recipes.extra_input_paths({"path": "c.csv", "recipe": "es_ine"}) == []


# --------------------------------------------------------------------------------------------------
# Through the pipeline
# --------------------------------------------------------------------------------------------------

def test_bg_recipe_through_ingest(tmp_path, bg_2011_csv, bg_boundaries):
    import json

    from segmap import pipeline

    schools = tmp_path / "schools.csv"
    schools.write_bytes(("school_id,school_name,municipality_code,pupils_total,pupils_group\n"
                         "100001,СУ Неофит Рилски,BLG01,400,30\n200001,ОУ Христо Ботев,SLV20,300,210\n"
                         "200002,ОУ Васил Левски,SLV20,250,20\n").encode("cp1251"))
    inputs = {"schools": {"path": str(schools)},
              "census": {"path": str(bg_2011_csv), "recipe": {"name": "bg_nsi_2011", "codes": str(bg_boundaries)}},
              "boundaries": {"path": str(bg_boundaries), "columns": {"municipality_code": "LAU_ID"}}}
    out = tmp_path / "out"
    pipeline.ingest_country(inputs, out / "schools.csv", out / "census.csv", out / "b.parquet", out / "inputs.json")
    written = pd.read_csv(out / "census.csv", dtype=str)
    assert written["municipality_code"].tolist() == ["BLG01", "BLG02", "BLG03", "SOF46", "SLV11", "SLV20"]
    assert written["municipality_name"].iloc[3] == "Столична"
    provenance = json.loads((out / "inputs.json").read_text(encoding="utf-8"))
    encodings = {entry["role"]: entry.get("encoding") for entry in provenance["inputs"]}
    assert encodings["census"] == "cp1251" and encodings["schools"] == "cp1251"
