"""Tests of the shared drawing layer (segmap.maps.draw) and the map style: deterministic PNG and SVG
output written atomically, global matplotlib state untouched, region outline specks dropped."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from map_test_data import UNDEFINED, mainland_areas, sha

from segmap.maps.classes import INDICATOR_CLASSES
from segmap.maps.national import choropleth_map


@pytest.fixture(scope="module")
def mainland() -> gpd.GeoDataFrame:
    return mainland_areas()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, mainland) -> Path:
    """The same choropleth written twice as PNG and twice as SVG."""
    out = tmp_path_factory.mktemp("rendered")
    for name in ("a.png", "b.png", "a.svg", "b.svg"):
        result = choropleth_map(
            mainland, "group_share", INDICATOR_CLASSES["group_share"], out / name,
            legend_title="Share of Roma pupils", undefined_label=UNDEFINED,
            footnote="Synthetic demonstration data",
        )
        assert isinstance(result, Path) and result == out / name
    return out


def test_choropleth_png_and_svg_deterministic(rendered):
    for ext in ("png", "svg"):
        a, b = rendered / f"a.{ext}", rendered / f"b.{ext}"
        assert a.stat().st_size > 1000
        assert sha(a) == sha(b), ext
    assert (rendered / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in rendered.iterdir()) == ["a.png", "a.svg", "b.png", "b.svg"]


def test_svg_has_raster_layer_and_vector_text(rendered):
    svg = (rendered / "a.svg").read_text(encoding="utf-8")
    assert "<image" in svg  # rasterised municipalities
    assert "<text" in svg and "Share of Roma pupils" in svg and "Synthetic demonstration data" in svg
    assert "DejaVu Sans" in svg
    assert " km" in svg  # scale bar label as text
    assert "<dc:date>" not in svg  # no timestamp


def test_png_is_200_dpi_and_not_larger_than_figsize(rendered):
    from PIL import Image

    with Image.open(rendered / "a.png") as im:
        w, h = im.size
        dpi = im.info.get("dpi", (0, 0))
    assert round(dpi[0]) == 200
    from segmap.maps.national import NATIONAL_FIGSIZE

    assert w <= NATIONAL_FIGSIZE[0] * 200 + 2 and h <= NATIONAL_FIGSIZE[1] * 200 + 2


def test_global_state_untouched(tmp_path, mainland):
    import matplotlib.pyplot as plt

    keys = ("svg.fonttype", "svg.hashsalt", "font.family", "hatch.linewidth", "hatch.color")
    before = {k: matplotlib.rcParams[k] for k in keys}
    figures_before = plt.get_fignums()
    choropleth_map(
        mainland, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "m.svg",
        legend_title="D", undefined_label=UNDEFINED,
    )
    assert {k: matplotlib.rcParams[k] for k in keys} == before
    assert plt.get_fignums() == figures_before  # no pyplot figures left open


def test_outline_specks_dropped_real_holes_kept():
    from segmap.maps.draw import drop_specks

    outer = shapely.box(0, 0, 100_000, 100_000)
    sliver = shapely.box(10_000, 10_000, 10_000.001, 10_000.001)
    enclave = shapely.box(40_000, 40_000, 50_000, 50_000)
    region = outer.difference(sliver).difference(enclave)
    crumb = shapely.box(200_000, 0, 200_000.01, 0.01)
    kept = drop_specks(np.array([region, crumb], dtype=object), min_area=1_000.0**2)
    assert len(kept) == 1 and len(kept[0].interiors) == 1
    assert kept[0].interiors[0].bounds == (40_000, 40_000, 50_000, 50_000)
