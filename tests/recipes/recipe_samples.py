"""Sample files in the official layouts, shared by the recipe tests: a Bulgarian NSI census table and a
GISCO-like LAU layer (fixtures, imported by the test modules), and the helpers that write and read them."""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from segmap import recipes
from segmap.io import validate


def census(spec: dict) -> pd.DataFrame:
    """Read with the recipe and validate, as the pipeline does."""
    frame = recipes.read_input(spec, "census")
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
