"""Tests of segmap.maps: class breaks, legends, insets, determinism and output formats."""

from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely

from segmap.maps import (
    INDICATOR_CLASSES,
    IndicatorClasses,
    Inset,
    MapFigure,
    build_choropleth_figure,
    build_school_points_figure,
    choropleth_map,
    map_style,
    school_points_map,
)

REFERENCE_BG = Path("/work/shared/reference/bg")
UNDEFINED = "Not defined (fewer than two schools or no Roma pupils)"
CATEGORY_LABELS = {
    "severe": "Severely segregated (≥ 80 %)",
    "segregated": "Segregated (50–80 %)",
    "below_threshold": "Below threshold (< 50 %)",
}


# ------------------------------------------------------------------------------------------------
# Synthetic data
# ------------------------------------------------------------------------------------------------


def _grid(nx: int, ny: int, size: float, origin: tuple[float, float], prefix: str) -> gpd.GeoDataFrame:
    """A block of square municipalities (EPSG:3035 metres)."""
    x0, y0 = origin
    boxes, codes = [], []
    for i in range(nx):
        for j in range(ny):
            boxes.append(shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size))
            codes.append(f"{prefix}{i:02d}{j:02d}")
    return gpd.GeoDataFrame({"municipality_code": codes}, geometry=boxes, crs="EPSG:3035")


def _with_values(areas: gpd.GeoDataFrame, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    n = len(areas)
    areas = areas.copy()
    areas["group_share"] = rng.uniform(0, 0.3, n)
    d = rng.uniform(0, 0.7, n)  # never reaches the 0.75–1.00 class: that class must still be in the legend
    d[rng.random(n) < 0.25] = np.nan
    areas["dissimilarity"] = d
    areas["region_code"] = [c[:2] for c in areas["municipality_code"]]
    return areas


@pytest.fixture(scope="module")
def mainland() -> gpd.GeoDataFrame:
    """A 12 x 9 block of 20 km municipalities with indicator values and NaNs."""
    return _with_values(_grid(12, 9, 20_000, (4_000_000, 2_500_000), "A"))


@pytest.fixture(scope="module")
def with_insets() -> tuple[gpd.GeoDataFrame, list[Inset]]:
    """Mainland plus an archipelago 1,000 km south-west and two tiny exclaves just south of it."""
    parts = [
        _grid(12, 9, 20_000, (4_000_000, 2_500_000), "A"),
        _grid(4, 2, 15_000, (3_100_000, 1_700_000), "C"),  # far away, "Canary Islands"
        _grid(1, 1, 4_000, (4_060_000, 2_440_000), "E"),  # tiny, 60 km south, "Ceuta"
        _grid(1, 1, 3_000, (4_160_000, 2_430_000), "F"),  # tiny, "Melilla"
    ]
    areas = _with_values(pd.concat(parts, ignore_index=True))
    codes = areas["municipality_code"]
    insets = [
        Inset("Canary Islands", tuple(codes[codes.str.startswith("C")])),
        Inset("Ceuta", tuple(codes[codes.str.startswith("E")])),
        Inset("Melilla", tuple(codes[codes.str.startswith("F")])),
    ]
    return areas, insets


@pytest.fixture(scope="module")
def with_capital(with_insets) -> tuple[gpd.GeoDataFrame, list[Inset], Inset]:
    """``with_insets`` with one mainland municipality split into a "capital" of 4 x 4 municipalities of 5 km,
    the far-away insets and a zoom inset on the capital (last)."""
    areas, insets = with_insets
    parts = [
        areas[areas["municipality_code"] != "A0504"].drop(columns=["group_share", "dissimilarity", "region_code"]),
        _grid(4, 4, 5_000, (4_100_000, 2_580_000), "K"),
    ]
    areas = _with_values(pd.concat(parts, ignore_index=True), seed=7)
    capital = Inset("Capital", tuple(c for c in areas["municipality_code"] if c.startswith("K")), zoom=True)
    return areas, insets, capital


def _schools(areas: gpd.GeoDataFrame, seed: int = 2) -> gpd.GeoDataFrame:
    """One school at the centre of each municipality, with mixed categories."""
    rng = np.random.default_rng(seed)
    cats = np.array(["severe", "segregated", "below_threshold", "no_alternative", "no_pupils"])
    return gpd.GeoDataFrame(
        {
            "municipality_code": areas["municipality_code"].to_numpy(),
            "group_share": rng.uniform(0, 1, len(areas)),
            "category": cats[rng.integers(0, len(cats), len(areas))],
            "pupils_total": rng.integers(20, 1500, len(areas)),
        },
        geometry=areas.geometry.centroid.to_numpy(),
        crs=areas.crs,
    )


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _build_choropleth(areas, column="dissimilarity", **kw) -> MapFigure:
    kw.setdefault("legend_title", "Dissimilarity index")
    kw.setdefault("undefined_label", UNDEFINED)
    return build_choropleth_figure(areas, column, INDICATOR_CLASSES[column], **kw)


def _legend_boxes_in_data(mf: MapFigure) -> list:
    """Legend extents converted to data coordinates of the main frame (after a draw)."""
    mf.figure.canvas.draw()
    inv = mf.main_ax.transData.inverted()
    boxes = []
    for legend in mf.legends:
        bb = legend.get_window_extent().transformed(inv)
        boxes.append(shapely.box(bb.x0, bb.y0, bb.x1, bb.y1))
    return boxes


# ------------------------------------------------------------------------------------------------
# Class breaks
# ------------------------------------------------------------------------------------------------


def test_indicator_classes_required_keys_and_ranges():
    for key in ("group_share", "dissimilarity", "isolation", "census_group_share", "dissimilarity_adjusted"):
        classes = INDICATOR_CLASSES[key]
        assert classes.breaks[-1] == 1.0
        assert classes.breaks[0] <= 0.0
        assert len(classes.colors()) == classes.n_classes == len(classes.labels())
    # School and census shares compare directly only with the same breaks.
    assert INDICATOR_CLASSES["group_share"].breaks == INDICATOR_CLASSES["census_group_share"].breaks


def test_classify_half_open_classes_last_closed_and_nan():
    c = IndicatorClasses((0, 0.1, 0.5, 1.0), percent=False)
    got = c.classify([0.0, 0.0999, 0.1, 0.1 + 0.2, 0.5, 1.0, np.nan, None, pd.NA, -0.2, 1.3])
    assert got.tolist() == [0, 0, 1, 1, 2, 2, -1, -1, -1, 0, 2]
    assert c.count_out_of_range([-0.2, 1.3, 1.0 + 1e-12, np.nan]) == 2


def test_classify_nullable_column():
    c = INDICATOR_CLASSES["dissimilarity"]
    s = pd.Series([0.2, pd.NA, 0.9], dtype="Float64")
    assert c.classify(s).tolist() == [1, -1, 5]


def test_labels_percent_decimal_and_negative():
    assert INDICATOR_CLASSES["group_share"].labels()[:4] == ["0–1%", "1–2%", "2–5%", "5–10%"]
    assert INDICATOR_CLASSES["dissimilarity"].labels()[1] == "0.15–0.30"
    assert IndicatorClasses((0, 0.005, 0.02), percent=True).labels(",") == ["0–0,5\u00a0%", "0,5–2\u00a0%"]
    assert INDICATOR_CLASSES["dissimilarity_adjusted"].breaks == INDICATOR_CLASSES["dissimilarity"].breaks


@pytest.mark.parametrize("breaks", [(0.0,), (0.0, 0.5, 0.5, 1.0), (0.0, 0.6, 0.3), (0.0, float("nan"))])
def test_invalid_breaks_rejected(breaks):
    with pytest.raises(ValueError):
        IndicatorClasses(breaks, percent=False)


def test_colors_are_distinct_and_get_darker():
    colors = INDICATOR_CLASSES["dissimilarity"].colors()
    rgb = matplotlib.colors.to_rgba_array(colors)[:, :3]
    luminance = rgb @ np.array([0.2126, 0.7152, 0.0722])
    assert len(set(colors)) == len(colors)
    assert np.all(np.diff(luminance) < 0)


# ------------------------------------------------------------------------------------------------
# Choropleth
# ------------------------------------------------------------------------------------------------


def test_choropleth_legend_lists_every_class_even_if_empty(mainland):
    with map_style():
        mf = _build_choropleth(mainland, legend_title="Dissimilarity index (D)")
    texts = mf.legend_texts()
    classes = INDICATOR_CLASSES["dissimilarity"]
    labels = classes.labels()
    assert texts[0] == "Dissimilarity index (D)"
    entries = [t.replace("\n", " ") for t in texts[1:]]
    assert len(entries) == classes.n_classes + 1
    for label, entry, count in zip(labels, entries, mf.class_counts):
        assert entry == f"{label} ({count})"
    assert mf.class_counts[-1] == 0  # the empty top class is listed anyway
    n_nan = int(mainland["dissimilarity"].isna().sum())
    assert entries[-1] == f"{UNDEFINED} ({n_nan})"
    assert sum(mf.class_counts) + n_nan == len(mainland)


def test_choropleth_without_counts_and_all_nan(mainland):
    areas = mainland.assign(dissimilarity=np.nan)
    with map_style():
        mf = _build_choropleth(areas, show_counts=False)
    entries = [t.replace("\n", " ") for t in mf.legend_texts()[1:]]
    assert entries == [*INDICATOR_CLASSES["dissimilarity"].labels(), UNDEFINED]
    assert mf.class_counts == [0] * 6


def test_undefined_hatch_is_light_visible_and_matches_legend(mainland):
    """Undefined areas: a light texture (no dark moiré on many small areas), yet clearly hatched."""
    from segmap.maps import HATCH_COLOR, HATCH_WIDTH, UNDEFINED_FACE, UNDEFINED_HATCH

    # Medium-grey lines of about 0.4 pt, 3-4.5 pt apart (matplotlib draws 6 lines per inch per "/"),
    # on a very light face.
    assert set(UNDEFINED_HATCH) == {"/"} and 3.0 <= 72 / (6 * len(UNDEFINED_HATCH)) <= 4.5
    assert 0.35 <= HATCH_WIDTH <= 0.5
    grey = matplotlib.colors.to_rgb(HATCH_COLOR)
    assert np.ptp(grey) < 1e-9 and 0.4 <= grey[0] <= 0.6
    assert min(matplotlib.colors.to_rgb(UNDEFINED_FACE)) >= 0.94

    areas = mainland.assign(dissimilarity=np.nan)
    with map_style():
        mf = _build_choropleth(areas)
        mf.figure.canvas.draw()
        pixels = np.asarray(mf.figure.canvas.buffer_rgba())[..., :3] / 255.0
    hatched = [c for c in mf.main_ax.collections if c.get_hatch()]
    assert len(hatched) == 1
    patch = mf.legends[0].get_patches()[-1]  # the legend entry of undefined areas
    for artist in (hatched[0], patch):
        assert artist.get_hatch() == UNDEFINED_HATCH
        face = np.atleast_2d(artist.get_facecolor())[0]
        assert matplotlib.colors.to_hex(face) == UNDEFINED_FACE
        if hasattr(artist, "get_hatchcolor"):
            assert matplotlib.colors.to_hex(artist.get_hatchcolor()) == HATCH_COLOR
        if hasattr(artist, "get_hatch_linewidth"):
            assert artist.get_hatch_linewidth() == HATCH_WIDTH
    # Middle of the map (all undefined): light on average, with clearly darker hatch lines.
    bb = mf.main_ax.get_window_extent()
    height = pixels.shape[0]
    rows = slice(int(height - bb.y0 - 0.7 * bb.height), int(height - bb.y0 - 0.3 * bb.height))
    cols = slice(int(bb.x0 + 0.3 * bb.width), int(bb.x0 + 0.7 * bb.width))
    luminance = pixels[rows, cols] @ np.array([0.2126, 0.7152, 0.0722])
    assert luminance.mean() > 0.88
    assert np.percentile(luminance, 5) < 0.7


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
        assert _sha(a) == _sha(b), ext
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
    assert w <= 7.0 * 200 + 2 and h <= 6.2 * 200 + 2


def test_legend_does_not_cover_land(mainland):
    with map_style():
        mf = _build_choropleth(mainland)
        boxes = _legend_boxes_in_data(mf)
    land = shapely.union_all(mainland.geometry.to_numpy())
    for box in boxes:
        assert not box.intersects(land)


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


def test_bad_inputs(tmp_path, mainland):
    kw = dict(legend_title="D", undefined_label=UNDEFINED)
    with pytest.raises(ValueError, match="png or .svg"):
        choropleth_map(mainland, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "m.pdf", **kw)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="projected"):
        choropleth_map(
            mainland.to_crs(4326), "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "m.png", **kw
        )
    with pytest.raises(KeyError):
        choropleth_map(mainland, "nope", INDICATOR_CLASSES["dissimilarity"], tmp_path / "m.png", **kw)


def test_out_of_range_values_warn_and_clip(mainland):
    areas = mainland.assign(dissimilarity=np.r_[1.5, np.zeros(len(mainland) - 1)])
    with map_style(), pytest.warns(UserWarning, match="outside"):
        mf = _build_choropleth(areas)
    assert mf.class_counts[-1] == 1


def test_outline_specks_dropped_real_holes_kept():
    from segmap.maps import _drop_specks

    outer = shapely.box(0, 0, 100_000, 100_000)
    sliver = shapely.box(10_000, 10_000, 10_000.001, 10_000.001)
    enclave = shapely.box(40_000, 40_000, 50_000, 50_000)
    region = outer.difference(sliver).difference(enclave)
    crumb = shapely.box(200_000, 0, 200_000.01, 0.01)
    kept = _drop_specks(np.array([region, crumb], dtype=object), min_area=1_000.0**2)
    assert len(kept) == 1 and len(kept[0].interiors) == 1
    assert kept[0].interiors[0].bounds == (40_000, 40_000, 50_000, 50_000)


# ------------------------------------------------------------------------------------------------
# Insets
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_insets", [0, 1, 3])
def test_insets_excluded_from_main_extent(with_insets, n_insets):
    areas, insets = with_insets
    insets = insets[:n_insets]
    if n_insets == 0:  # without insets the main frame must hold everything
        areas = areas[areas["municipality_code"].str.startswith("A")]
    with map_style():
        mf = _build_choropleth(areas, insets=insets)
        boxes = _legend_boxes_in_data(mf)
    assert len(mf.inset_axes) == n_insets
    x0, x1 = mf.main_ax.get_xlim()
    y0, y1 = mf.main_ax.get_ylim()
    frame = shapely.box(x0, y0, x1, y1)
    for inset in insets:
        geoms = areas[areas["municipality_code"].isin(inset.codes)].geometry
        assert not frame.intersects(shapely.union_all(geoms.to_numpy())), inset.label
    # Every mainland municipality is inside the main frame.
    main = areas[areas["municipality_code"].str.startswith("A")]
    assert frame.contains(shapely.union_all(main.geometry.to_numpy()))
    # Inset labels are drawn, inset boxes and legends avoid land and each other.
    labels = [t.get_text() for ax in mf.inset_axes for t in ax.texts]
    assert labels == [i.label for i in insets]
    land = shapely.union_all(main.geometry.to_numpy())
    inv = mf.main_ax.transData.inverted()
    inset_boxes = []
    for ax in mf.inset_axes:
        bb = ax.get_window_extent().transformed(inv)
        inset_boxes.append(shapely.box(bb.x0, bb.y0, bb.x1, bb.y1))
    for box in inset_boxes + boxes:
        assert not box.intersects(land)
    for i, a in enumerate(inset_boxes):
        for b in inset_boxes[i + 1 :] + boxes:
            assert not a.intersects(b)


def _box_in_main_data(mf: MapFigure, ax) -> tuple[float, float, float, float]:
    """Extent of an axes (e.g. an inset) in data coordinates of the main frame (after a draw)."""
    bb = ax.get_window_extent().transformed(mf.main_ax.transData.inverted())
    return bb.x0, bb.y0, bb.x1, bb.y1


def _l_shaped_with_insets(with_insets):
    """The mainland of ``with_insets`` without its upper-right quarter: an empty corner far from every inset."""
    areas, insets = with_insets
    codes = areas["municipality_code"]
    upper_right = codes.str.startswith("A") & (codes.str[1:3].astype(int) >= 7) & (codes.str[3:5].astype(int) >= 5)
    return areas[~upper_right].reset_index(drop=True), insets


def test_insets_sit_towards_their_true_position(with_insets):
    """South-west archipelago lower left, the exclaves south of the mainland at the bottom, even though the
    upper-right corner is empty (and would not cost any map scale)."""
    areas, insets = _l_shaped_with_insets(with_insets)
    for build in (_build_choropleth, lambda a, **kw: _build_points(a, _schools(a), **kw)):
        with map_style():
            mf = build(areas, insets=insets)
            mf.figure.canvas.draw()
        x0, x1 = mf.main_ax.get_xlim()
        y0, y1 = mf.main_ax.get_ylim()
        tol = 0.01 * max(x1 - x0, y1 - y0)
        boxes = {ax.texts[0].get_text(): _box_in_main_data(mf, ax) for ax in mf.inset_axes}
        canary = boxes["Canary Islands"]
        assert canary[0] <= x0 + tol and canary[1] <= y0 + tol  # lower-left corner of the frame
        for label in ("Ceuta", "Melilla"):
            assert boxes[label][1] <= y0 + tol, label  # on the bottom edge
        assert boxes["Ceuta"][0] < boxes["Melilla"][0]  # west to east as on the ground
        for b in boxes.values():  # none in the empty upper-right corner
            assert (b[1] + b[3]) / 2 < (y0 + y1) / 2


def test_same_layout_on_every_map_of_the_same_areas(with_insets, with_capital):
    """Whatever their legends say, the choropleths and the school map of the same areas share figure size,
    map scale and position, inset boxes and scale bar (so the maps of a report can be compared page to page),
    also with a zoom inset."""
    from matplotlib_scalebar.scalebar import ScaleBar

    areas, insets = with_insets
    capital_areas, _, capital = with_capital
    long_undefined = "Not defined: fewer than two schools, no Roma pupils or only Roma pupils in the municipality"
    long_categories = {
        "severe": "Severely segregated (≥ 80%) (1,234)",
        "segregated": "Segregated (50% to under 80%) (2,345)",
        "no_alternative": "Above the threshold, only school of its settlement or municipality (12)",
        "below_threshold": "Other schools (18,820)",
    }
    for case_areas, case_insets in ((areas, insets), (areas[areas["municipality_code"].str.startswith("A")], []),
                                    (capital_areas, [*insets, capital])):
        figures = []
        with map_style():
            figures.append(_build_choropleth(case_areas, "group_share", legend_title="Share\nof Roma pupils",
                                             insets=case_insets, footnote="Synthetic data"))
            figures.append(_build_choropleth(case_areas, undefined_label=long_undefined, insets=case_insets,
                                             footnote="Synthetic data", show_counts=False))
            figures.append(_build_points(case_areas, _schools(case_areas), category_labels=long_categories,
                                         other_label="Other", insets=case_insets, footnote="Synthetic data"))
            layouts = []
            for mf in figures:
                mf.figure.canvas.draw()
                bars = [a for a in mf.main_ax.artists if isinstance(a, ScaleBar)]
                assert len(bars) == 1
                layouts.append({
                    "figsize": tuple(mf.figure.get_size_inches()),
                    "position": mf.main_ax.get_position().bounds,
                    "data_to_figure": tuple(mf.main_ax.transData.get_matrix().ravel()),
                    "limits": (mf.main_ax.get_xlim(), mf.main_ax.get_ylim()),
                    "insets": [(ax.get_position().bounds, ax.get_xlim(), ax.get_ylim()) for ax in mf.inset_axes],
                    "zoom_marks": [p.get_bbox().bounds for p in _zoom_marks(mf)],
                    "scalebar": (mf.scalebar_placement, bars[0].get_bbox_to_anchor(), bars[0].fixed_value),
                    "legend": mf.legend_placement.split()[0],
                })
        assert len({len(layout["insets"]) for layout in layouts}) == 1
        # The legends do differ (so the test is not trivially true) ...
        assert len({round(mf.legends[0].get_window_extent().width, 1) for mf in figures}) > 1
        # ... yet the map is drawn at the same scale and place on every map.
        for layout in layouts[1:]:
            assert layout == layouts[0]


def test_legend_larger_than_its_area_warns(mainland):
    """A legend that cannot fit its reserved area is still drawn (the figure grows) with a warning."""
    classes = IndicatorClasses(tuple(np.linspace(0, 1, 41)), percent=False)
    areas = mainland.assign(many=np.linspace(0, 1, len(mainland)))
    with map_style(), pytest.warns(UserWarning, match="larger than the area reserved"):
        mf = build_choropleth_figure(areas, "many", classes, legend_title="Many classes", undefined_label=UNDEFINED,
                                     figsize=(5.0, 4.0))
    assert len(mf.legend_texts()) == 42


def test_region_borders_stand_out(with_insets):
    """Region borders are darker and several times wider than municipality borders, on every choropleth."""
    areas, insets = with_insets
    outline = areas.dissolve("region_code").reset_index()[["region_code", "geometry"]]
    with map_style():
        mf = _build_choropleth(areas, outline=outline, insets=insets)
    for ax in [mf.main_ax, *mf.inset_axes]:
        borders = [c for c in ax.collections if c.get_zorder() == 3.0]
        fills = [c for c in ax.collections if c.get_zorder() in (1.0, 1.1)]
        assert borders and fills
        region_width = max(float(w) for c in borders for w in c.get_linewidths())
        municipal_width = max(float(w) for c in fills for w in c.get_linewidths())
        assert region_width >= 0.7 and region_width >= 3 * municipal_width
        rgb = matplotlib.colors.to_rgba_array(borders[0].get_edgecolor())[0, :3]
        assert rgb @ np.array([0.2126, 0.7152, 0.0722]) < 0.2


def test_inset_limits_show_their_areas(with_insets):
    areas, insets = with_insets
    with map_style():
        mf = _build_choropleth(areas, insets=insets)
    for ax, inset in zip(mf.inset_axes, insets):
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        geoms = areas[areas["municipality_code"].isin(inset.codes)].geometry
        bx0, by0, bx1, by1 = geoms.total_bounds
        assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1


def test_inset_with_unknown_codes_is_skipped(mainland):
    with map_style(), pytest.warns(UserWarning, match="skipped"):
        mf = _build_choropleth(mainland, insets=[Inset("Nowhere", ("ZZZ",))])
    assert mf.inset_axes == []


def test_inset_codes_coerced_to_text():
    assert Inset("X", [1, "02"]).codes == ("1", "02")
    assert Inset("X", "35").codes == ("35",)


def test_outline_and_insets_render(tmp_path, with_insets):
    areas, insets = with_insets
    outline = areas.dissolve("region_code").reset_index()[["region_code", "geometry"]]
    out = choropleth_map(
        areas, "group_share", INDICATOR_CLASSES["group_share"], tmp_path / "m.png",
        legend_title="Share", undefined_label=UNDEFINED, outline=outline, insets=insets,
        footnote="Synthetic demonstration data",
    )
    assert out.exists()


# ------------------------------------------------------------------------------------------------
# Zoom insets
# ------------------------------------------------------------------------------------------------


def _zoom_marks(mf: MapFigure) -> list:
    """The rectangles marking zoom windows on the main map."""
    return [p for p in mf.main_ax.patches if isinstance(p, matplotlib.patches.Rectangle) and not p.get_fill()]


def _polygons_drawn(ax) -> int:
    """Number of area polygons in an axes (fill collections; ``group_share`` has no merged undefined class)."""
    return sum(len(c.get_paths()) for c in ax.collections if c.get_zorder() in (1.0, 1.1))


def _scale(ax) -> float:
    """Display units per data unit of an axes."""
    return float(ax.transData.get_matrix()[0, 0])


@pytest.mark.parametrize("kind", ["choropleth", "points"])
def test_zoom_inset_magnifies_a_window_that_stays_on_the_main_map(with_capital, kind):
    areas, insets, capital = with_capital
    schools = _schools(areas)
    with map_style():
        if kind == "choropleth":
            mf = _build_choropleth(areas, "group_share", insets=[*insets, capital])
        else:
            mf = _build_points(areas, schools, insets=[*insets, capital], other_label="Other")
        legends = _legend_boxes_in_data(mf)
    assert [ax.texts[0].get_text() for ax in mf.inset_axes] == ["Canary Islands", "Ceuta", "Melilla", "Capital"]
    zoom_ax = mf.inset_axes[-1]
    main = areas[areas["municipality_code"].str[0].isin(["A", "K"])]
    own = areas[areas["municipality_code"].isin(capital.codes)]
    # (a) The capital stays in the main frame: every mainland municipality is drawn there.
    x0, x1 = mf.main_ax.get_xlim()
    y0, y1 = mf.main_ax.get_ylim()
    assert shapely.box(x0, y0, x1, y1).contains(shapely.union_all(main.geometry.to_numpy()))
    if kind == "choropleth":
        assert _polygons_drawn(mf.main_ax) == len(main)
        assert _polygons_drawn(zoom_ax) > len(own)  # the neighbours show around the capital
    else:
        assert _n_points(mf.main_ax) == len(main)  # "other" schools included
    # (b) Drawn larger than the main map, a box of about a third of the main frame, with its own scale bar.
    factor = _scale(zoom_ax) / _scale(mf.main_ax)
    assert 1.5 <= factor <= 8
    assert any(type(a).__name__ == "ScaleBar" for a in zoom_ax.artists)
    # The window: the capital's extent with some surroundings, shown in the box and marked on the main map;
    # magnified to about a third of the main frame (the box adds its label and scale bar strips).
    (mark,) = _zoom_marks(mf)
    wx0, wy0, wx1, wy1 = mark.get_bbox().extents
    main_w, main_h = np.ptp(main.total_bounds[[0, 2]]), np.ptp(main.total_bounds[[1, 3]])
    assert 0.2 <= factor * max((wx1 - wx0) / main_w, (wy1 - wy0) / main_h) <= 0.36
    box = _box_in_main_data(mf, zoom_ax)
    assert max((box[2] - box[0]) / main_w, (box[3] - box[1]) / main_h) <= 0.55
    bx0, by0, bx1, by1 = own.total_bounds
    for pad in (bx0 - wx0, by0 - wy0, wx1 - bx1, wy1 - by1):
        assert 0.15 * (bx1 - bx0) <= pad <= 0.25 * (bx1 - bx0)
    zx0, zx1 = zoom_ax.get_xlim()
    zy0, zy1 = zoom_ax.get_ylim()
    assert zx0 <= wx0 and wx1 <= zx1 and zy0 <= wy0 and wy1 <= zy1
    assert mark.get_linewidth() <= 1.0 and mark.get_zorder() > 3.0  # thin, above the region borders
    # (c) The box covers no land of the main map, no other inset, no legend.
    land = shapely.union_all(main.geometry.to_numpy())
    zoom_box = shapely.box(*box)
    assert not zoom_box.intersects(land)
    for other in [shapely.box(*_box_in_main_data(mf, ax)) for ax in mf.inset_axes[:-1]] + legends:
        assert not zoom_box.intersects(other)
    if kind == "points":
        # Schools in the window are repeated in the zoom, clipped to the window's height.
        inside = schools.geometry.within(shapely.box(wx0, wy0, wx1, wy1))
        assert _n_points(zoom_ax) >= int(inside.sum()) > 0
        clip = [c.get_clip_box() for c in zoom_ax.collections]
        assert clip and all(c is not None and c.height < zoom_ax.bbox.height for c in clip)


def test_zoom_inset_leaves_the_main_frame_and_other_insets_alone(with_capital):
    """The main frame, the far-away insets and their place do not move for a zoom inset with free room."""
    areas, insets, capital = with_capital
    with map_style():
        without = _build_choropleth(areas, insets=insets)
        with_zoom = _build_choropleth(areas, insets=[*insets, capital])
    assert with_zoom.main_ax.get_ylim() == without.main_ax.get_ylim()
    assert _scale(with_zoom.main_ax) == pytest.approx(_scale(without.main_ax), rel=0.02)
    assert _zoom_marks(without) == []


def test_zoom_inset_that_cannot_magnify_is_skipped(mainland):
    codes = tuple(mainland["municipality_code"])
    with map_style(), pytest.warns(UserWarning, match="too large to be magnified"):
        mf = _build_choropleth(mainland, insets=[Inset("Everything", codes, zoom=True)])
    assert mf.inset_axes == [] and _zoom_marks(mf) == []


def test_zoom_insets_deterministic(tmp_path, with_capital):
    areas, insets, capital = with_capital
    schools = _schools(areas)
    paths = []
    for name in ("a.png", "b.png", "a.svg", "b.svg"):
        paths.append(choropleth_map(
            areas, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / f"d_{name}",
            legend_title="D", undefined_label=UNDEFINED, insets=[*insets, capital],
        ))
        paths.append(school_points_map(
            areas, schools, tmp_path / f"s_{name}", legend_title="Schools", category_labels=CATEGORY_LABELS,
            size_legend_title="Pupils", insets=[capital],
        ))
    for a, b in ((0, 2), (1, 3), (4, 6), (5, 7)):
        assert _sha(paths[a]) == _sha(paths[b])


def test_inset_zoom_defaults_to_false():
    assert Inset("X", ("1",)).zoom is False
    assert Inset("X", ("1",), zoom=1).zoom is True


# ------------------------------------------------------------------------------------------------
# School points
# ------------------------------------------------------------------------------------------------


def _build_points(areas, schools, **kw) -> MapFigure:
    kw.setdefault("legend_title", "Schools")
    kw.setdefault("category_labels", CATEGORY_LABELS)
    kw.setdefault("size_legend_title", "Pupils")
    return build_school_points_figure(areas, schools, **kw)


def _n_points(ax) -> int:
    """Number of school markers in an axes (scatter collections have per-point sizes, polygons none)."""
    return sum(len(c.get_offsets()) for c in ax.collections if len(c.get_sizes()))


def test_points_legend_and_only_listed_categories(mainland):
    schools = _schools(mainland)
    with map_style():
        mf = _build_points(mainland, schools)
    texts = mf.legend_texts()
    assert texts[:4] == ["Schools", *CATEGORY_LABELS.values()]
    assert texts[4] == "Pupils" and len(texts) == 8  # three reference sizes
    assert _n_points(mf.main_ax) == int(schools["category"].isin(list(CATEGORY_LABELS)).sum())


def test_points_other_label_draws_remaining_categories(mainland):
    schools = _schools(mainland)
    with map_style():
        mf = _build_points(mainland, schools, other_label="Other schools")
    assert mf.legend_texts()[4] == "Other schools"
    assert _n_points(mf.main_ax) == len(schools)


def test_points_empty_schools_frame(tmp_path, mainland):
    empty = _schools(mainland).iloc[0:0]
    out = school_points_map(
        mainland, empty, tmp_path / "s.svg", legend_title="Schools",
        category_labels=CATEGORY_LABELS, size_legend_title="Pupils",
    )
    assert out.exists()
    with map_style():
        mf = _build_points(mainland, empty)
    assert mf.legend_texts()[-3:] == ["100", "500", "1,000"]


def test_points_deterministic_with_insets(tmp_path, with_insets):
    areas, insets = with_insets
    schools = _schools(areas)
    paths = []
    for name in ("a.png", "b.png", "a.svg", "b.svg"):
        paths.append(
            school_points_map(
                areas, schools, tmp_path / name, legend_title="Schools", category_labels=CATEGORY_LABELS,
                size_legend_title="Pupils", insets=insets, footnote="Synthetic demonstration data",
            )
        )
    assert _sha(paths[0]) == _sha(paths[1])
    assert _sha(paths[2]) == _sha(paths[3])
    svg = paths[2].read_text(encoding="utf-8")
    assert "<image" in svg and "<text" in svg


def test_points_in_insets_by_code_or_location(with_insets):
    areas, insets = with_insets
    schools = _schools(areas).assign(category="severe")
    no_code = schools.drop(columns="municipality_code")
    for frame in (schools, no_code):
        with map_style():
            mf = _build_points(areas, frame, insets=insets)
        x0, x1 = mf.main_ax.get_xlim()
        for ax, inset in zip(mf.inset_axes, insets):
            assert _n_points(ax) == len(inset.codes)
        main_offsets = np.concatenate([c.get_offsets() for c in mf.main_ax.collections if len(c.get_sizes())])
        assert len(main_offsets) == int(areas["municipality_code"].str.startswith("A").sum())
        assert np.all((main_offsets[:, 0] >= x0) & (main_offsets[:, 0] <= x1))


def _random_schools(areas: gpd.GeoDataFrame, n: int, n_severe: int = 10, seed: int = 5) -> gpd.GeoDataFrame:
    """n schools spread uniformly over the areas' bounds; the first n_severe are severe, the rest context."""
    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = areas.total_bounds
    return gpd.GeoDataFrame(
        {
            "category": np.where(np.arange(n) < n_severe, "severe", "below_threshold"),
            "pupils_total": np.full(n, 400),
        },
        geometry=shapely.points(rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)),
        crs=areas.crs,
    )


def _scatters(ax, zorder: float) -> list:
    return [c for c in ax.collections if len(c.get_sizes()) and c.get_zorder() == zorder]


def test_context_dots_recede_when_crowded(mainland):
    """Many context schools: smaller, more transparent grey dots; highlighted schools unchanged."""
    from segmap.maps import BASE_FACE, CONTEXT_DIAMETER, CONTEXT_MIN_DIAMETER

    got = {}
    for n in (300, 20_000):
        with map_style():
            mf = _build_points(mainland, _random_schools(mainland, n))
        (context,) = _scatters(mf.main_ax, 4.0)
        (sized,) = _scatters(mf.main_ax, 5.0)
        assert len(context.get_offsets()) == n - 10
        diameters = np.sqrt(context.get_sizes())
        alphas = context.get_facecolors()[:, 3]
        assert np.ptp(diameters) == 0 and np.ptp(alphas) == 0  # one style for all context dots
        rgb = context.get_facecolors()[0, :3]
        assert np.ptp(rgb) < 1e-9  # neutral grey
        handle = mf.legends[0].legend_handles[2]  # "below_threshold"
        # The legend dot shows the dot's colour as seen on the municipality base.
        base = matplotlib.colors.to_rgb(BASE_FACE)
        seen = alphas[0] * rgb + (1 - alphas[0]) * np.array(base)
        assert np.allclose(matplotlib.colors.to_rgb(handle.get_markerfacecolor()), seen, atol=1 / 255)
        got[n] = (diameters[0], alphas[0], handle.get_markersize(), sorted(sized.get_sizes()))
    sparse, crowded = got[300], got[20_000]
    assert sparse[0] == pytest.approx(CONTEXT_DIAMETER)
    assert CONTEXT_MIN_DIAMETER <= crowded[0] < 0.6 * sparse[0]
    assert crowded[1] < sparse[1] - 0.2
    assert crowded[2] < sparse[2]
    assert crowded[3] == sparse[3]  # segregated schools keep their size


def test_context_style_shared_by_main_map_and_insets(with_insets):
    areas, insets = with_insets
    schools = pd.concat([_schools(areas), _random_schools(areas[areas["municipality_code"].str.startswith("A")],
                                                          5_000, n_severe=0)], ignore_index=True)
    schools = schools.drop(columns="municipality_code")  # insets by location
    with map_style():
        mf = _build_points(areas, schools, insets=insets)
    assert any(_scatters(ax, 4.0) for ax in mf.inset_axes)
    styles = set()
    for ax in [mf.main_ax, *mf.inset_axes]:
        for c in _scatters(ax, 4.0):
            styles |= {(round(float(np.sqrt(s)), 6), round(float(a), 6))
                       for s, a in zip(c.get_sizes(), c.get_facecolors()[:, 3])}
    assert len(styles) == 1


def test_size_legend_references_follow_data(mainland):
    schools = _schools(mainland).assign(pupils_total=lambda d: d["pupils_total"] % 300 + 10)  # max < 310
    with map_style():
        mf = _build_points(mainland, schools, decimal_mark=",")
    assert mf.legend_texts()[-3:] == ["20", "100", "200"]


# ------------------------------------------------------------------------------------------------
# Real Bulgarian boundaries (skipped when the reference folder is absent)
# ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bulgaria():
    if not (REFERENCE_BG / "municipalities.geojson").exists():
        pytest.skip("reference boundaries not available")
    m = gpd.read_file(REFERENCE_BG / "municipalities.geojson").to_crs(3035)
    p = gpd.read_file(REFERENCE_BG / "provinces.geojson").to_crs(3035)
    m = m.rename(columns={"LAU_CODE": "municipality_code"})
    rng = np.random.default_rng(3)
    m["group_share"] = np.clip(rng.lognormal(np.log(0.06), 1.0, len(m)), 0, 1)
    d = rng.beta(2, 3, len(m))
    d[rng.random(len(m)) < 0.15] = np.nan
    m["dissimilarity"] = d
    return m, p


def test_bulgaria_maps(tmp_path, bulgaria):
    m, provinces = bulgaria
    out = choropleth_map(
        m, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "bg.png",
        legend_title="Dissimilarity index (D)", undefined_label=UNDEFINED, outline=provinces,
        footnote="Synthetic demonstration data",
    )
    assert out.exists()
    with map_style():
        mf = _build_choropleth(m, outline=provinces)
        boxes = _legend_boxes_in_data(mf)
    geoms = m.geometry.to_numpy()  # some reference polygons are invalid: test each, no union
    assert all(not shapely.intersects(geoms, b).any() for b in boxes)
    rng = np.random.default_rng(4)
    pts = m.geometry.sample_points(3, rng=rng).explode(index_parts=False)
    schools = gpd.GeoDataFrame(
        {
            "municipality_code": m.loc[pts.index, "municipality_code"].to_numpy(),
            "category": rng.choice(["severe", "segregated", "below_threshold"], len(pts), p=[0.05, 0.1, 0.85]),
            "pupils_total": rng.integers(30, 1200, len(pts)),
            "group_share": rng.uniform(0, 1, len(pts)),
        },
        geometry=pts.to_numpy(),
        crs=m.crs,
    )
    out = school_points_map(
        m, schools, tmp_path / "bg_schools.svg", legend_title="Schools", category_labels=CATEGORY_LABELS,
        size_legend_title="Pupils", outline=provinces, footnote="Synthetic demonstration data",
    )
    assert "<image" in out.read_text(encoding="utf-8")


def test_many_polygons_render_quickly(tmp_path):
    import time

    areas = _with_values(_grid(100, 80, 5_000, (3_000_000, 2_000_000), "G"))  # 8,000 municipalities
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        choropleth_map(
            areas, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "many.png",
            legend_title="D", undefined_label=UNDEFINED,
        )
    assert time.perf_counter() - t < 15
