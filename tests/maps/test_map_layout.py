"""Tests of the frames and the page layout of the national maps (segmap.maps.frames, segmap.maps.layout,
segmap.maps.page): insets placed towards their true position, zoom insets, the same layout on every map of
the same areas."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
import shapely
from map_test_data import (
    CATEGORY_LABELS,
    UNDEFINED,
    areas_with_capital,
    areas_with_insets,
    build_choropleth,
    build_points,
    centre_schools,
    legend_boxes_in_data,
    mainland_areas,
    n_points,
    sha,
)

from segmap.maps.classes import INDICATOR_CLASSES, IndicatorClasses
from segmap.maps.frames import Inset
from segmap.maps.national import build_choropleth_figure, choropleth_map, school_points_map
from segmap.maps.page import MapFigure
from segmap.maps.style import map_style


@pytest.fixture(scope="module")
def mainland() -> gpd.GeoDataFrame:
    return mainland_areas()


@pytest.fixture(scope="module")
def with_insets() -> tuple[gpd.GeoDataFrame, list[Inset]]:
    return areas_with_insets()


@pytest.fixture(scope="module")
def with_capital(with_insets) -> tuple[gpd.GeoDataFrame, list[Inset], Inset]:
    return areas_with_capital(with_insets)


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
        mf = build_choropleth(areas, insets=insets)
        boxes = legend_boxes_in_data(mf)
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
    for build in (build_choropleth, lambda a, **kw: build_points(a, centre_schools(a), **kw)):
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
            figures.append(build_choropleth(case_areas, "group_share", legend_title="Share\nof Roma pupils",
                                             insets=case_insets, footnote="Synthetic data"))
            figures.append(build_choropleth(case_areas, undefined_label=long_undefined, insets=case_insets,
                                             footnote="Synthetic data", show_counts=False))
            figures.append(build_points(case_areas, centre_schools(case_areas), category_labels=long_categories,
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
        mf = build_choropleth(areas, outline=outline, insets=insets)
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
        mf = build_choropleth(areas, insets=insets)
    for ax, inset in zip(mf.inset_axes, insets):
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        geoms = areas[areas["municipality_code"].isin(inset.codes)].geometry
        bx0, by0, bx1, by1 = geoms.total_bounds
        assert x0 <= bx0 and bx1 <= x1 and y0 <= by0 and by1 <= y1


def test_inset_with_unknown_codes_is_skipped(mainland):
    with map_style(), pytest.warns(UserWarning, match="skipped"):
        mf = build_choropleth(mainland, insets=[Inset("Nowhere", ("ZZZ",))])
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
    schools = centre_schools(areas)
    with map_style():
        if kind == "choropleth":
            mf = build_choropleth(areas, "group_share", insets=[*insets, capital])
        else:
            mf = build_points(areas, schools, insets=[*insets, capital], other_label="Other")
        legends = legend_boxes_in_data(mf)
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
        assert n_points(mf.main_ax) == len(main)  # "other" schools included
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
        assert n_points(zoom_ax) >= int(inside.sum()) > 0
        clip = [c.get_clip_box() for c in zoom_ax.collections]
        assert clip and all(c is not None and c.height < zoom_ax.bbox.height for c in clip)


def test_zoom_inset_leaves_the_main_frame_and_other_insets_alone(with_capital):
    """The main frame, the far-away insets and their place do not move for a zoom inset with free room."""
    areas, insets, capital = with_capital
    with map_style():
        without = build_choropleth(areas, insets=insets)
        with_zoom = build_choropleth(areas, insets=[*insets, capital])
    assert with_zoom.main_ax.get_ylim() == without.main_ax.get_ylim()
    assert _scale(with_zoom.main_ax) == pytest.approx(_scale(without.main_ax), rel=0.02)
    assert _zoom_marks(without) == []


def test_zoom_inset_that_cannot_magnify_is_skipped(mainland):
    codes = tuple(mainland["municipality_code"])
    with map_style(), pytest.warns(UserWarning, match="too large to be magnified"):
        mf = build_choropleth(mainland, insets=[Inset("Everything", codes, zoom=True)])
    assert mf.inset_axes == [] and _zoom_marks(mf) == []


def test_zoom_insets_deterministic(tmp_path, with_capital):
    areas, insets, capital = with_capital
    schools = centre_schools(areas)
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
        assert sha(paths[a]) == sha(paths[b])


def test_inset_zoom_defaults_to_false():
    assert Inset("X", ("1",)).zoom is False
    assert Inset("X", ("1",), zoom=1).zoom is True
