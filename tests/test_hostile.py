"""Names from the data never become markup, a file read or a network request — proven with audit hooks.

The report is built in this process from a tiny country whose school, municipality and region names
are hostile markup. A Python audit hook records every file opened and every connection attempted
while the report is rendered: nothing outside the template and figure folders (and the Python and
WeasyPrint installation) may be opened, and no socket may connect.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from segmap.stages.report import build_report
from segmap.stages.indices import compute_indices
from segmap.stages.region_maps import draw_region_maps
from segmap.stages.ingest import ingest_country
from segmap.stages.prepare_geometry import prepare_geometry
from segmap.settings import country_settings

from conftest import REPO

HOSTILE_FILE = '<img src="file:///etc/hostname">'
HOSTILE_LINK = '<link rel=stylesheet href="http://127.0.0.1:9/x.css">'
HOSTILE_FORMULA = '=HYPERLINK("http://127.0.0.1:9/","x")'

EVENTS: list[tuple[str, tuple]] = []
RECORDING = [False]


def _record(event, args):
    if RECORDING[0] and event in ("open", "socket.connect", "socket.getaddrinfo", "urllib.Request"):
        EVENTS.append((event, args))


sys.addaudithook(_record)


@pytest.fixture
def hostile_country(tiny_inputs, tmp_path):
    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    schools.loc[0, "school_name"] = HOSTILE_FILE
    census = pd.read_csv(tiny_inputs["census"], dtype=str)
    census.loc[0, "municipality_name"] = HOSTILE_FILE
    census.loc[1, "municipality_name"] = HOSTILE_FORMULA
    census.loc[3:, "region_name"] = HOSTILE_LINK
    # two school years: in 2022/23 the hostile municipality's group pupils were spread evenly, so the change
    # chapter lists it among the clear changes
    earlier = schools.copy()
    earlier.loc[:2, "pupils_group"] = ["40", "43", "45"]
    schools = pd.concat([earlier.assign(year="2022/23"), schools.assign(year="2023/24")])
    raw = tmp_path / "hostile"
    raw.mkdir()
    schools.to_csv(raw / "schools.csv", index=False)
    census.to_csv(raw / "census.csv", index=False)
    return {"schools": raw / "schools.csv", "census": raw / "census.csv", "boundaries": tiny_inputs["boundaries"]}


def test_hostile_names_print_as_text_and_nothing_is_fetched(hostile_country, tmp_path):
    from pypdf import PdfReader

    processed, outputs, figures = tmp_path / "processed", tmp_path / "outputs", tmp_path / "figures"
    ingest_country({role: {"path": str(path)} for role, path in hostile_country.items()},
                            processed / "schools.csv", processed / "census.csv", processed / "b.parquet",
                            processed / "inputs.json")
    tables = {key: outputs / f"{key}.csv" for key in ("school", "municipality", "region", "national",
                                                      "national_by_year", "region_by_year", "municipality_change",
                                                      "region_change", "national_change")}
    inference = {"random_allocation": {"replicates": 50, "seed": 1}, "bootstrap": {"replicates": 50, "seed": 2}}
    compute_indices(processed / "schools.csv", processed / "census.csv", country="xx", country_name="X",
                             thresholds={"segregated": 0.5, "severe": 0.8}, inference=inference, outputs=tables)
    assert pd.read_csv(tables["municipality"], dtype=str)["municipality_name"].iloc[1] == "'" + HOSTILE_FORMULA
    changes = pd.read_csv(tables["municipality_change"], dtype=str).set_index("municipality_code")
    assert changes.at["01001", "change_status"] == "increase"
    figures.mkdir()
    maps = {}
    for key in ("group_share", "dissimilarity", "isolation", "segregated_schools", "dissimilarity_change"):
        maps[key] = figures / f"{key}.svg"
        maps[key].write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
                             'height="10"/></svg>', encoding="utf-8")
    prepare_geometry(processed / "b.parquet", processed / "census.csv", "EPSG:3035",
                              municipalities_out=processed / "m.parquet", regions_out=processed / "r.parquet")
    region_figures = figures / "regions"
    draw_region_maps(municipalities_in=tables["municipality"], schools_in=tables["school"],
                              municipality_layer_in=processed / "m.parquet", region_layer_in=processed / "r.parquet",
                              out_dir=region_figures)
    svg = "".join(path.read_text(encoding="utf-8") for path in region_figures.glob("*.svg"))
    assert "<img" not in svg and "&lt;img" in svg  # the hostile municipality name is a label, as text
    config = {"countries": {"xx": {"name": "Testland", "deliverable": "D.9.9", "schools": "s", "census": "c",
                                   "boundaries": "b", "ranking_min_group_pupils": 0}}}
    settings = country_settings(config, "xx")
    pdf = outputs / "report.pdf"
    EVENTS.clear()
    RECORDING[0] = True
    try:
        build_report(
            tables={"national": tables["national"], "regions": tables["region"],
                    "municipalities": tables["municipality"], "schools": tables["school"],
                    **{key: tables[key] for key in ("national_by_year", "region_by_year", "municipality_change",
                                                    "region_change", "national_change")}},
            maps={key: path for key, path in maps.items() if key != "dissimilarity_change"},
            change_map=maps["dissimilarity_change"], region_maps_dir=region_figures, provenance_in=processed / "inputs.json", template_dir=REPO / "reports" / "templates",
            settings=settings, language="en", pdf_out=pdf)
    finally:
        RECORDING[0] = False
    connections = [args for event, args in EVENTS if event != "open"]
    assert connections == []
    opened = {str(args[0]) for event, args in EVENTS if event == "open" and isinstance(args[0], (str, Path))}
    allowed = (str(REPO / "reports" / "templates"), str(figures), str(outputs), str(processed), sys.prefix,
               sys.base_prefix, str(REPO / "src"), str(REPO / "reports" / "locales"))
    # the standard library's own reads: the MIME type table, and tempfile probing its folder
    system = {"/dev/null", "/etc/mime.types", tempfile.gettempdir()}
    temporary = re.compile(re.escape(tempfile.gettempdir()) + r"/tmp[\w]+$")
    outside = sorted(path for path in opened
                     if not path.startswith(allowed) and path not in system and not temporary.match(path))
    assert outside == [], outside
    assert not any("hostname" in path or "passwd" in path or "x.css" in path for path in opened)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    flat = " ".join(text.split())
    assert 'file:///etc/hostname' in flat and "<img" in flat          # printed as text
    assert "Largest clear increases" in flat and flat.count("file:///etc/hostname") >= 2  # also in the change list
    assert "127.0.0.1:9/x.css" in "".join(text.split())  # a table cell may wrap it over lines
