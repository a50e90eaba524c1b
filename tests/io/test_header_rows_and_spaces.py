"""Ministry spreadsheets: column names over two rows with merged cells; counts with spaces between thousands."""

from __future__ import annotations

import pandas as pd
import pytest

from segmap import recipes
from segmap.errors import InputError
from segmap.io import readers, validate
from segmap.recipes.common import strip_thousands


def test_join_header_rows_carries_merged_cells_over_their_columns_only():
    rows = [["Код", "Училище", "Ученици", None, None, "Бележка"],
            [None, None, "общо", "роми", None, None]]
    assert readers.join_header_rows(rows) == ["Код", "Училище", "Ученици общо", "Ученици роми", "", "Бележка"]
    # a heading of the upper row ends where the next one starts; a part repeated below is given once
    assert readers.join_header_rows([["A", None, "B", None], ["x", "y", "B", "z"]]) == ["A x", "A y", "B", "B z"]


def test_two_row_header_in_a_spreadsheet_with_merged_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Министерство на образованието: ученици по училища"])  # a title row
    sheet.append(["Код", "Община", "Ученици", None])
    sheet.append([None, None, "общо", "роми"])
    sheet.append(["100001", "Дряново", "1 234", "56"])
    sheet.append(["100002", "Габрово", "310", "4"])
    sheet.merge_cells("C2:D2")  # Ученици over общо and роми
    sheet.merge_cells("A2:A3")  # Код down over both rows
    sheet.merge_cells("B2:B3")
    path = tmp_path / "училища.xlsx"
    book.save(path)
    spec = {"path": str(path), "header_row": 2, "header_rows": 2, "thousands": " ",
            "columns": {"school_id": "Код", "municipality_name": "Община", "pupils_total": "Ученици общо",
                        "pupils_group": "Ученици роми"}}
    table = recipes.read_input(spec, "schools")
    assert list(table.index) == [4, 5]  # the rows a spreadsheet shows
    assert table.attrs["header_rows"] == 2
    schools = validate.validate_schools(table, str(path), thousands=" ")
    assert list(schools["pupils_total"]) == [1234, 310]
    assert list(schools["municipality_name"]) == ["Дряново", "Габрово"]


def test_two_row_header_in_a_csv(tmp_path):
    path = tmp_path / "schools.csv"
    path.write_text("id;municipio;alumnado;\n;;total;gitano\n1;Alcalá de Henares;120;30\n2;Madrid;80;0\n",
                    encoding="utf-8")
    table = readers.read_table({"path": str(path), "header_rows": 2}, "schools")
    assert list(table.columns) == ["id", "municipio", "alumnado total", "alumnado gitano"]
    assert list(table.index) == [3, 4] and table.at[3, "alumnado gitano"] == "30"
    with pytest.raises(InputError, match="header_rows must be a number of rows from 1"):
        readers.read_table({"path": str(path), "header_rows": 0}, "schools")
    path.write_text("a;a\nx;x\n1;2\n", encoding="utf-8")
    with pytest.raises(InputError, match="column 'a x' appears more than once in the header"):
        readers.read_table({"path": str(path), "header_rows": 2}, "schools")


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f", "\u2009", "\u2007"])
def test_counts_with_any_space_between_thousands(space):
    values = pd.Series([f"1{space}234", f"12{space}345{space}678", "17", f"12{space}34"])
    parsed = validate.parse_count(values, thousands=" ")
    assert parsed.tolist()[:3] == [1234, 12345678, 17] and pd.isna(parsed.iloc[3])  # "12 34" is no count
    parsed = validate.parse_count(values, thousands="\u00a0")  # the config may name any of them
    assert parsed.tolist()[:3] == [1234, 12345678, 17]
    assert strip_thousands(values, [" "]).tolist()[:3] == ["1234", "12345678", "17"]


def test_a_spaced_count_without_the_setting_says_what_to_set():
    frame = pd.DataFrame({"school_id": ["a"], "municipality_code": ["01001"], "pupils_total": ["1\u202f234"],
                          "pupils_group": ["3"]}, index=[2])
    with pytest.raises(InputError, match=r"row 2, column 'pupils_total', id 'a': count '1\\u202f234' has spaces "
                                         r"between thousands: set 'thousands: \" \"'"):
        validate.validate_schools(frame, "s.csv")
    assert validate.validate_schools(frame, "s.csv", thousands=" ")["pupils_total"].tolist() == [1234]


def test_census_csv_with_narrow_no_break_spaces(tmp_path):
    path = tmp_path / "recensement.csv"
    path.write_text("code;nom;region;population;roms\n21004;Bruxelles;21000;188\u202f737;1\u00a0200\n",
                    encoding="utf-8")
    table = recipes.read_input({"path": str(path), "thousands": " ", "columns": {
        "municipality_code": "code", "municipality_name": "nom", "region_code": "region",
        "population_total": "population", "population_group": "roms"}}, "census")
    census = validate.validate_census(table, str(path), thousands=" ")
    assert census.loc[2, ["population_total", "population_group"]].tolist() == [188737, 1200]
