"""Readers (segmap.io.readers): encodings (detected and said), separators, title rows above the header, decimal commas."""

from __future__ import annotations

import logging

import openpyxl
import pandas as pd
import pytest

from segmap.io import readers as ingest
from segmap.io import validate
from segmap.errors import InputError

HEADER = "school_id,school_name,municipality_code,pupils_total,pupils_group\n"


def schools(path, **spec):
    frame = ingest.read_table({"path": str(path), **spec}, "schools")
    return frame, validate.validate_schools(frame, str(path), spec.get("thousands"))


@pytest.mark.parametrize(
    "encoding, name, expected",
    [
        ("utf-8", "Училище „Христо Ботев“", "utf-8"),
        ("utf-8-sig", "Colegio Nuestra Señora", "utf-8-sig"),
        ("cp1251", "ОУ Христо Ботев", "cp1251"),
        ("latin-1", "Collège Saint-Joseph, Liège", "latin-1"),
        ("latin-1", "CEIP Alegría-Dulantzi", "latin-1"),
    ],
)
def test_encoding_is_detected_and_said(tmp_path, caplog, encoding, name, expected):
    path = tmp_path / "schools.csv"
    path.write_bytes((HEADER + f'1,"{name}",SOF46,10,2\n2,Второ,SOF46,5,1\n'.replace("Второ", "Second")
                      ).encode(encoding))
    caplog.set_level(logging.INFO, logger="segmap.io.readers")
    frame, checked = schools(path)
    assert checked["school_name"].iloc[0] == name
    assert checked.columns[0] == "school_id"  # no BOM in the first column's name
    assert frame.attrs["encoding"] == expected and frame.attrs["encoding_detected"] is True
    assert f"read {path} as {expected} (detected)" in caplog.text


def test_cp1251_file_with_only_cyrillic_rows(tmp_path):
    path = tmp_path / "училища.csv"
    rows = "".join(f"{i},{name},BLG03,{10 + i},{i}\n" for i, name in
                   enumerate(["СУ Св. Паисий Хилендарски", "ОУ Васил Левски", "ПГ по туризъм"], start=1))
    path.write_bytes((HEADER + rows).encode("cp1251"))
    frame, checked = schools(path)
    assert frame.attrs["encoding"] == "cp1251"
    assert checked["school_name"].tolist()[1] == "ОУ Васил Левски"


def test_given_encoding_is_used_and_not_marked_detected(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes((HEADER + "1,Colegio Ávila,05019,10,2\n").encode("latin-1"))
    frame, checked = schools(path, encoding="latin-1")
    assert frame.attrs == {**frame.attrs, "encoding": "latin-1", "encoding_detected": False}
    assert checked["school_name"].iloc[0] == "Colegio Ávila"
    with pytest.raises(InputError, match=r"s.csv: cannot be read as utf-8 \(byte \d+\); set 'encoding:'"):
        schools(path, encoding="utf-8")


@pytest.mark.parametrize(
    "text, encoding, expected",
    [
        ("Ромска,Турска,Българска", "cp1251", "cp1251"),
        ("Благоевград;Банско;и;в", "cp1251", "cp1251"),
        ("Ávila;Cáceres;Córdoba;Jaén;León;Málaga", "latin-1", "latin-1"),
        ("Écaussinnes;Liège;Mühlheim;Peñíscola", "latin-1", "latin-1"),
        ("1;Peñíscola;12089", "latin-1", "latin-1"),
        ("Ação Social; Coração", "latin-1", "latin-1"),
        ("Coût: 5 € – “citation”", "cp1252", "cp1252"),
        ("plain ascii", "ascii", "utf-8"),
    ],
)
def test_detect_encoding(text, encoding, expected):
    assert ingest.detect_encoding(text.encode(encoding)) == expected


def test_semicolon_is_detected_from_the_header_line(tmp_path, caplog):
    path = tmp_path / "centros.csv"
    path.write_text("school_id;school_name;municipality_code;pupils_total;pupils_group\n"
                    "0001;Colegio, el Bueno;44001;1.234;56\n", encoding="utf-8")
    caplog.set_level(logging.INFO, logger="segmap.io.readers")
    frame, checked = schools(path, thousands=".")
    assert frame.attrs["sep"] == ";" and "sep ';' (detected from the header line)" in caplog.text
    assert checked["school_name"].iloc[0] == "Colegio, el Bueno" and checked["pupils_total"].iloc[0] == 1234
    # a given separator wins, and a header with more commas stays comma-separated
    comma = tmp_path / "comma.csv"
    comma.write_text("school_id,school_name,municipality_code,pupils_total,pupils_group\n"
                     "1,Colegio; Uno,44001,10,2\n", encoding="utf-8")
    assert schools(comma)[1]["school_name"].iloc[0] == "Colegio; Uno"


def test_title_rows_above_the_header_in_csv(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Schools of the region,,,,\n(school year 2023/24)\n\n" + HEADER
                    + "A,Uno,01001,10,2\n\nB,Dos,01001,10,20\n", encoding="utf-8")
    frame = ingest.read_table({"path": str(path), "header_row": 4}, "schools")
    assert list(frame.index) == [5, 7]  # as a spreadsheet shows them; the blank row 6 is left out
    with pytest.raises(InputError) as error:
        validate.validate_schools(frame, str(path))
    assert "s.csv, row 7, column 'pupils_group', id 'B': pupils_group (20) is larger than" in str(error.value)


def test_blank_lines_do_not_shift_row_numbers(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "A,Uno,01001,10,2\n\n\nB,Dos,01001,ten,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 5, column 'pupils_total', id 'B'"):
        schools(path)


def test_title_rows_above_the_header_in_xlsx(tmp_path):
    path = tmp_path / "schools.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "centros"
    sheet["A1"] = "Centros educativos 2023-2024"
    sheet["A2"] = "Fuente: consejería"
    sheet.append([])
    for row in [["school_id", "school_name", "municipality_code", "pupils_total", "pupils_group"],
                ["0001", "CEIP Uno", "01001", 400, 120], [], ["0002", "CEIP Dos", "01001", 300, 400]]:
        sheet.append(row)
    workbook.save(path)
    frame = ingest.read_table({"path": str(path), "sheet": "centros", "header_row": 4}, "schools")
    assert list(frame.index) == [5, 7]
    assert frame.attrs["header_row"] == 4
    with pytest.raises(InputError, match="schools.xlsx, row 7, column 'pupils_group', id '0002'"):
        validate.validate_schools(frame, str(path))


def test_header_row_beyond_the_file(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(HEADER + "A,Uno,01001,10,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="s.csv: has no row 9 to read the column names from"):
        ingest.read_table({"path": str(path), "header_row": 9}, "schools")
    with pytest.raises(InputError, match="header_row must be a row number"):
        ingest.read_table({"path": str(path), "header_row": 0}, "schools")


def test_decimal_comma_and_thousands_are_recorded_and_parsed(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("school_id;municipality_code;pupils_total;pupils_group;lon;lat\n"
                    "A;44001;1.204;12;-1,0521;40,5573\n", encoding="utf-8")
    frame, checked = schools(path, thousands=".", decimal=",")
    assert frame["lon"].iloc[0] == "-1,0521"  # values stay text until validation
    assert frame.attrs["decimal"] == "," and frame.attrs["thousands"] == "."
    assert checked["lon"].iloc[0] == pytest.approx(-1.0521) and checked["lat"].iloc[0] == pytest.approx(40.5573)
    assert checked["pupils_total"].iloc[0] == 1204


def test_parquet_keeps_its_types_and_row_numbers(tmp_path):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"school_id": ["0001", "0002"], "municipality_code": ["01001", "01002"],
                  "pupils_total": [10, 20], "pupils_group": [1, 30]}).to_parquet(path)
    with pytest.raises(InputError, match="row 3, column 'pupils_group', id '0002'"):
        schools(path)


def test_tab_separated_and_grid(tmp_path):
    path = tmp_path / "s.tsv"
    path.write_text(HEADER.replace(",", "\t") + "A\tUno\t01001\t10\t2\n", encoding="utf-8")
    assert schools(path)[1]["municipality_code"].iloc[0] == "01001"
    grid = ingest.read_grid({"path": str(path)}, "schools")
    assert grid.loc[1, 0] == "school_id" and grid.loc[2, 2] == "01001" and grid.attrs["sep"] == "\t"


def test_compressed_text(tmp_path):
    import gzip
    import zipfile

    content = (HEADER.replace(",", ";") + "A;Escuela Peñíscola;12089;10;2\n").encode("latin-1")
    gz = tmp_path / "s.csv.gz"
    gz.write_bytes(gzip.compress(content))
    frame, checked = schools(gz)
    assert frame.attrs["encoding"] == "latin-1" and checked["school_name"].iloc[0] == "Escuela Peñíscola"
    archive = tmp_path / "s.csv.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("s.csv", content)
    assert schools(archive)[1]["municipality_code"].iloc[0] == "12089"


def test_utf16_with_byte_order_mark_is_detected(tmp_path):
    from segmap.io import readers as ingest

    path = tmp_path / "unicode_text.csv"
    path.write_bytes("school_id,municipality_code,pupils_total,pupils_group\nA,01001,10,2\n".encode("utf-16"))
    frame = ingest.read_table({"path": str(path)}, "schools")
    assert frame.attrs["encoding"] == "utf-16" and frame["school_id"].tolist() == ["A"]


def test_an_input_with_a_recipe_is_not_read_as_a_plain_table(tmp_path):
    path = tmp_path / "census.csv"
    path.write_text("Municipios;Total\n44001-Ababuj;69\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"read it with segmap.recipes.read_input"):
        ingest.read_table({"path": str(path), "recipe": "es_ine"}, "census")


def test_the_readers_do_not_import_the_recipes():
    """segmap.recipes builds on segmap.io.readers, never the other way round (no import cycle)."""
    import subprocess
    import sys

    code = "import sys, segmap.io.readers; assert 'segmap.recipes' not in sys.modules, sorted(sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert completed.returncode == 0, completed.stderr


def test_file_suffix_looks_through_compression():
    from pathlib import Path

    assert ingest.file_suffix(Path("s.CSV")) == ".csv" and ingest.file_suffix(Path("s.csv.gz")) == ".csv"
    assert ingest.file_suffix(Path("s.zip")) == ".zip" and ingest.file_suffix(Path("noext")) == ""
