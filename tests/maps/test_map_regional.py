"""Tests of segmap.maps.regional: one map per region (labels, school circles, scale bar, index, determinism).

The regional pages of the report are tested in tests/report/test_report_region_pages.py.
"""

from __future__ import annotations

import hashlib
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from segmap.maps import regional as region_maps
from segmap.maps.classes import INDICATOR_CLASSES
from segmap.maps.style import map_style


def _country() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    """Two regions of 4 x 3 square municipalities (10 km), one school per municipality and a second one in
    half of them; names include markup and a pair of dollar signs (printed as text, never parsed)."""
    boxes, codes, regions = [], [], []
    for i in range(8):
        for j in range(3):
            boxes.append(shapely.box(4e6 + i * 1e4, 3e6 + j * 1e4, 4e6 + (i + 1) * 1e4, 3e6 + (j + 1) * 1e4))
            codes.append(f"M{i}{j}")
            regions.append("R1" if i < 4 else "R2")
    layer = gpd.GeoDataFrame({"municipality_code": codes, "region_code": regions}, geometry=boxes, crs="EPSG:3035")
    outlines = layer.dissolve(by="region_code").reset_index()[["region_code", "geometry"]]
    names = [f"Town {c}" for c in codes]
    names[0], names[1] = "<b>Bold</b>", "Price $5 and $6"
    rng = np.random.default_rng(3)
    table = pd.DataFrame({"municipality_code": codes, "municipality_name": names, "region_code": regions,
                          "pupils_total": rng.integers(100, 2000, len(codes))})
    rows = []
    for k, geom in enumerate(boxes):
        for extra in range(1 + k % 2):
            c = geom.centroid
            rows.append({"school_id": f"S{k}-{extra}", "region_code": regions[k], "municipality_code": codes[k],
                         "pupils_total": int(rng.integers(0, 1500)) if extra else 400,
                         "group_share": float(rng.uniform(0, 1)), "x": c.x + 2000 * extra, "y": c.y})
    frame = pd.DataFrame(rows)
    schools = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.x, frame.y), crs="EPSG:3035")
    return layer, outlines, table, schools


@pytest.fixture(scope="module")
def country():
    return _country()


def test_place_labels_keeps_boxes_apart_and_inside():
    rng = np.random.default_rng(0)
    boxes = []
    for _ in range(300):
        x, y = rng.uniform(0, 6, 2)
        boxes.append((x, y, x + rng.uniform(0.2, 1.0), y + 0.1))
    frame = (0.0, 0.0, 6.0, 4.0)
    kept = region_maps.place_labels(boxes, frame, gap=0.05)
    assert kept == sorted(kept)  # priority order is kept
    assert 0 < len(kept) < len(boxes)
    for a in kept:
        x0, y0, x1, y1 = boxes[a]
        assert x0 >= 0 and y0 >= 0 and x1 <= 6 and y1 <= 4
        for b in kept:
            if a < b:
                u = boxes[b]
                apart = (x1 + 0.05 <= u[0] or u[2] + 0.05 <= x0 or y1 + 0.05 <= u[1] or u[3] + 0.05 <= y0)
                assert apart, (boxes[a], u)
    # The first box that fits always wins, whatever comes after it.
    assert region_maps.place_labels([(1, 1, 2, 1.1), (1.5, 1, 2.5, 1.1)], frame) == [0]


@pytest.mark.parametrize("diameter", [0.5, 2.6, 5.0, 9.0, 14.0])
def test_circle_polygons_stay_within_tolerance(diameter):
    sides = region_maps.circle_sides(diameter, tolerance_pt=0.1)
    r = diameter / 2
    assert 8 <= sides <= 32
    assert r * (1 - np.cos(np.pi / sides)) <= 0.1 + 1e-12 or sides == 32


def test_size_tiers_put_the_largest_first():
    d = np.array([1.0, 9.0, 3.0, 7.0, 5.0, 2.0, 8.0, 4.0])
    tiers = region_maps.size_tiers(d, n=4)
    assert sorted(np.bincount(tiers)) == [2, 2, 2, 2]
    # every marker of a tier is at least as large as every marker of a later tier
    for t in range(3):
        assert d[tiers == t].min() >= d[tiers == t + 1].max()


def test_region_map_figure(country, tmp_path):
    layer, outlines, table, schools = country
    merged = region_maps.region_municipalities(layer, table)
    with map_style():
        fig, info = region_maps.build_region_map("R1", merged, outlines, schools)
    w, h = fig.get_size_inches()
    assert w <= region_maps.MAX_SIZE[0] + 1e-6 and h <= region_maps.MAX_SIZE[1] + 1e-6
    assert max(w / region_maps.MAX_SIZE[0], h / region_maps.MAX_SIZE[1]) == pytest.approx(1.0)
    assert (info.width_in, info.height_in) == (round(w, 4), round(h, 4))
    in_region = schools[schools.region_code == "R1"]
    assert info.schools_in_region == len(in_region)
    assert info.schools_drawn == int((in_region.pupils_total > 0).sum())
    assert info.municipalities == 12
    assert 0 < info.labels_drawn <= min(12, region_maps.MAX_LABELS)
    # the scale bar: a 1-2-5 length within a quarter of the map width, its paper length at the map scale
    frame_width_m = 4e4 * (1 + 2 * region_maps.FRAME_PAD)
    assert info.scalebar_km * 1000 <= frame_width_m * region_maps.SCALEBAR_FRACTION
    assert info.scalebar_in == pytest.approx(info.scalebar_km * 1000 * w / frame_width_m, rel=1e-3)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert set(texts) <= set(table.municipality_name)  # only names: nothing to translate
    assert all(not t.get_parse_math() for t in fig.axes[0].texts)


def test_draw_region_maps_index_files_and_determinism(country, tmp_path):
    layer, outlines, table, schools = country
    index = region_maps.draw_region_maps(layer, outlines, table, schools, tmp_path / "a")
    region_maps.draw_region_maps(layer, outlines, table, schools, tmp_path / "b")
    assert list(index.region_code) == ["R1", "R2"]
    assert list(index.file) == ["region_001.svg", "region_002.svg"]
    for name in [*index.file, region_maps.INDEX_NAME]:
        a, b = (tmp_path / d / name for d in ("a", "b"))
        assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest(), name
    svg = (tmp_path / "a" / "region_001.svg").read_text(encoding="utf-8")
    assert "&lt;b&gt;Bold&lt;/b&gt;" in svg  # markup in a name stays text
    assert "<b>" not in svg
    assert "Price $5 and $6" in svg  # not parsed as mathtext
    # polygons and school circles are a handful of vector paths, text stays text
    assert len(re.findall(r"<path ", svg)) < 60
    assert "<text" in svg


def test_legend_entries_match_the_group_share_map(country):
    _, _, _, schools = country
    legend = region_maps.legend_entries(schools, decimal_mark=",")
    classes = INDICATOR_CLASSES["group_share"]
    assert [c for c, _ in legend["classes"]] == classes.colors()
    assert [label for _, label in legend["classes"]] == classes.labels(",")
    diameters = [d for d, _ in legend["sizes"]]
    assert diameters == sorted(diameters) and len(diameters) == 3
