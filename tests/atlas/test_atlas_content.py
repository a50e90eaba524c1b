"""The atlas's figures, fills, legends, geometry and page safety, without a browser."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from atlas_samples import HOSTILE, layer, municipalities, regions, regions_layer, settings
from segmap.atlas import content, geometry, page
from segmap.atlas.assemble import atlas_page
from segmap.maps.classes import INDICATOR_CLASSES
from segmap.maps.style import MUTED_FACE, UNDEFINED_FACE


def tiny_page(language="en", **extra) -> str:
    return atlas_page(layer=layer(), regions_layer=regions_layer(), municipalities=municipalities(),
                      regions=regions(), change=None, settings=settings(**extra), language=language)


def page_data(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="atlas-data">(.*?)</script>', html, re.S).group(1)
    return json.loads(block)


def test_fills_use_the_pdf_classes_grey_for_chance_and_hatching_for_undefined():
    areas = content.prepare_areas(layer(), municipalities(), None)
    specs = {spec["key"]: spec for spec in content.indicator_specs(settings(), "en", None)}
    fills = content.indicator_fills(areas, specs["dissimilarity"], "en", "suppressed")
    colors = INDICATOR_CLASSES["dissimilarity_adjusted"].colors()
    assert fills["fill"][0] == colors[3]  # 0.52 in [0.45, 0.60)
    assert fills["fill"][1] == MUTED_FACE  # not distinguishable from random allocation
    assert fills["fill"][3] == colors[2]  # 0.33 in [0.30, 0.45)
    assert list(fills["pattern"]) == [" ", " ", "/", " ", ".", "/"]  # undefined hatched, suppressed dotted
    assert fills["fill"][2] == UNDEFINED_FACE
    counts = [item["count"] for item in fills["legend"]]
    assert [item["label"] for item in fills["legend"]][:6] == INDICATOR_CLASSES["dissimilarity_adjusted"].labels()
    assert counts == ["0", "0", "1", "1", "0", "0", "1", "2", "1"]


def test_figures_are_formatted_in_the_locale_with_intervals_and_words():
    words = {**{k: k for k in ("distinguishable", "chance", "suppressed")},
             **{f"status_{s}": s for s in ("ok", "no_schools")}, **{f"field_{f}": f for f in content.FIGURE_FIELDS}}
    row = municipalities().iloc[0].to_dict()
    listed = {item["field"]: item["text"] for item in content.figures(row, words, "es", 5, False)}
    assert listed["dissimilarity_adjusted"] == "0,52 [0,40–0,63]"
    assert listed["group_share"] == "25,0\u00a0%"
    assert listed["pupils_total"] == "1200" or listed["pupils_total"] == "1.200"
    assert listed["distinguishable_from_random"] == "distinguishable"
    negative = {item["field"]: item["text"] for item in content.figures(
        municipalities().iloc[1].to_dict(), words, "en", 5, False)}
    assert negative["dissimilarity_adjusted"] == "0.05 [\u22120.10; 0.20]"
    suppressed = {item["field"]: item["text"] for item in content.figures(
        municipalities().iloc[4].to_dict(), words, "en", 5, False)}
    assert suppressed["pupils_group"] == "<5" and suppressed["status"] == "suppressed"


def test_the_page_holds_names_only_as_escaped_json_and_forbids_remote_loads():
    html = tiny_page()
    assert HOSTILE not in html  # nowhere as markup, not even inside a script
    assert page_data(html)["municipalities"]["name"][1] == HOSTILE
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp and "unsafe-eval" not in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert page.script_hashes(html) == sorted(re.findall(r"'sha256-[^']+'", csp))
    markup = page.SCRIPT.sub("", html)  # (BokehJS's code names a MathJax CDN it would load for LaTeX labels,
    assert "<script src" not in html    # which the atlas has none of; the CSP would block it; the browser test
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)  # checks that nothing loads)


def test_json_for_html_cannot_close_the_script():
    text = page.json_for_html({"name": "</script><script>alert(1)</script>&<!--"})
    assert "</" not in text and "<!--" not in text and json.loads(text)["name"].startswith("</script>")


def test_the_page_is_deterministic_and_translated():
    assert tiny_page("es") == tiny_page("es")
    data = page_data(tiny_page("es"))
    assert data["texts"]["search"] == "Buscar un municipio"
    assert data["indicators"][0]["legend"][0]["label"] == "0–1\u00a0%"


def test_simplification_keeps_shared_borders_shared_and_meets_the_budget():
    cells = []
    for i in range(12):
        for j in range(12):  # shared borders with many vertices (every 25 m), as real boundaries have
            cells.append(shapely.box(i * 1000, j * 1000, i * 1000 + 1000, j * 1000 + 1000).segmentize(25))
    grid = gpd.GeoDataFrame({"municipality_code": [str(n) for n in range(len(cells))]}, geometry=cells,
                            crs="EPSG:3035")
    noisy = grid.set_geometry(grid.geometry.map(lambda g: shapely.set_precision(g, 0.5)))
    budget = geometry.vertex_count(noisy.geometry) // 5
    simplified = geometry.simplify_to_budget(noisy, budget)
    assert geometry.vertex_count(simplified.geometry) <= budget
    union = shapely.union_all(simplified.geometry.values)
    assert abs(sum(simplified.geometry.area) - union.area) < 1e-6 * union.area  # no overlaps
    assert abs(union.area - shapely.union_all(noisy.geometry.values).area) < 1e-3 * union.area  # no gaps


def test_far_territory_is_moved_beside_the_mainland_and_near_territory_stays():
    main = [box(0, 0, 100_000, 100_000), box(100_000, 0, 200_000, 100_000)]
    islands = box(-900_000, -700_000, -850_000, -660_000)
    near = box(210_000, 0, 215_000, 5_000)
    municipalities_layer = gpd.GeoDataFrame({"municipality_code": ["1", "2", "3", "4"],
                                             "region_code": ["A", "A", "ISL", "NEAR"]},
                                            geometry=[*main, islands, near], crs="EPSG:3035")
    regions_layer_ = municipalities_layer.dissolve("region_code", as_index=False)
    insets = [{"label": "Islands", "regions": ["ISL"]}, {"label": "Near", "regions": ["NEAR"]}]
    moved, moved_regions, boxes = geometry.move_far_insets(municipalities_layer, regions_layer_, insets)
    assert [b.label for b in boxes] == ["Islands"]
    x0, y0, x1, y1 = moved.geometry.iloc[2].bounds
    assert -30_000 < x0 and x1 < 250_000 and -200_000 < y0  # next to the mainland now
    assert moved.geometry.iloc[3].equals(near)
    assert moved_regions.set_index("region_code").geometry["ISL"].equals_exact(moved.geometry.iloc[2], 1e-6)


def test_polygon_arrays_keep_holes_with_opposite_orientation():
    ring = shapely.Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], holes=[[(2, 2), (2, 4), (4, 4), (4, 2)]])
    xs, ys = geometry.polygon_arrays([ring, shapely.Polygon()])
    assert np.isnan(xs[0]).sum() == 1 and len(xs[1]) == 0
    first, second = np.split(np.c_[xs[0], ys[0]], np.flatnonzero(np.isnan(xs[0])))
    signed = [shapely.Polygon(part[~np.isnan(part[:, 0])]).exterior.is_ccw for part in (first, second)]
    assert signed == [True, False]


def bokeh_sources(html: str) -> dict:
    """Name -> data entries of the Bokeh document's named ColumnDataSources."""
    import html as html_module

    docs = json.loads(html_module.unescape(re.search(r"const docs_json = '(.*?)';", html, re.S).group(1)))
    found = {}

    def walk(node):
        if isinstance(node, dict):
            attributes = node.get("attributes") or {}
            if node.get("name") == "ColumnDataSource" and attributes.get("name"):
                found[attributes["name"]] = dict(attributes["data"]["entries"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(docs)
    return found


def test_school_points_only_where_school_names_may_be_published():
    schools = pd.DataFrame({"school_id": ["1", "2"], "school_name": ["CEIP Uno", "<b>CEIP Dos</b>"],
                            "category": ["severe", "below_threshold"], "lon": [-3.9, -3.8], "lat": [40.05, 40.0]})

    def build(allowed):
        return atlas_page(layer=layer(), regions_layer=regions_layer(), municipalities=municipalities(),
                          regions=regions(), change=None, settings=settings(publish_school_names=allowed),
                          language="en", schools=schools)

    assert "schools" not in bokeh_sources(build(False))
    points = bokeh_sources(build(True))["schools"]
    assert points["name"] == ["CEIP Uno", "<b>CEIP Dos</b>"]
    assert points["color"][0] == "#b30000"  # the report's colour of severely segregated schools


def test_with_two_school_years_the_change_map_is_an_indicator_with_the_pdf_classes():
    change = pd.DataFrame({
        "municipality_code": ["01001", "01002", "02001"], "year_from": "2022/23", "year_to": "2024/25",
        "pupils_group_from": ["280", "38", "300"], "pupils_group_to": ["300", "40", "330"],
        "dissimilarity_adjusted_change": [0.12, -0.01, -0.25], "dissimilarity_adjusted_change_ci_low": [0.05, -0.1, -0.4],
        "dissimilarity_adjusted_change_ci_high": [0.2, 0.08, -0.1],
        "change_status": ["increase", "no_clear_change", "decrease"]})
    html = atlas_page(layer=layer(), regions_layer=regions_layer(), municipalities=municipalities(),
                      regions=regions(), change=change, settings=settings(), language="en")
    data = page_data(html)
    indicator = data["indicators"][-1]
    assert indicator["key"] == "change" and "2022/23" in indicator["legend_title"]
    colors = INDICATOR_CLASSES["dissimilarity_adjusted_change"].colors()
    legend = indicator["legend"]
    assert [legend[e]["color"] for e in indicator["entries"][:4]] == [colors[6], MUTED_FACE, UNDEFINED_FACE, colors[0]]
    assert indicator["values"][:2] == ["+0.12 [+0.05; +0.20]", "\u22120.01 [\u22120.10; +0.08]"]  # hover: value, interval
    fields = [f["field"] for f in data["fields"]]
    first = dict(zip(fields, data["municipalities"]["figures"][0]))
    assert first["dissimilarity_adjusted_change"] == "+0.12 [+0.05; +0.20]"
    assert first["change_status"] == "clear increase"


def test_two_processes_write_the_same_bytes(tmp_path):
    """Bokeh's document ids and UUIDs are fixed, so a rerun of the rule gives the same file."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; sys.path.insert(0, sys.argv[2]); from test_atlas_content import tiny_page; "
            "open(sys.argv[1], 'w', encoding='utf-8').write(tiny_page('fr'))")
    here = str(Path(__file__).resolve().parent)
    for name in ("one.html", "two.html"):
        subprocess.run([sys.executable, "-c", code, str(tmp_path / name), here], check=True,
                       cwd=Path(__file__).resolve().parents[1])
    assert (tmp_path / "one.html").read_bytes() == (tmp_path / "two.html").read_bytes()
