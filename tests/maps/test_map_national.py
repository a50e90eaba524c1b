"""Tests of segmap.maps.national: the choropleths and the school map (legends, hatching, input checks,
school points and their context dots), on synthetic and real Bulgarian boundaries."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
import shapely
from map_test_data import (
    CATEGORY_LABELS,
    UNDEFINED,
    areas_with_insets,
    build_choropleth,
    build_points,
    centre_schools,
    grid,
    legend_boxes_in_data,
    mainland_areas,
    n_points,
    sha,
    with_values,
)

from segmap.maps.classes import INDICATOR_CLASSES
from segmap.maps.frames import Inset
from segmap.maps.national import choropleth_map, school_points_map
from segmap.maps.style import map_style

REFERENCE_BG = Path("/work/shared/reference/bg")


@pytest.fixture(scope="module")
def mainland() -> gpd.GeoDataFrame:
    return mainland_areas()


@pytest.fixture(scope="module")
def with_insets() -> tuple[gpd.GeoDataFrame, list[Inset]]:
    return areas_with_insets()


# ------------------------------------------------------------------------------------------------
# Choropleth
# ------------------------------------------------------------------------------------------------


def test_choropleth_legend_lists_every_class_even_if_empty(mainland):
    with map_style():
        mf = build_choropleth(mainland, legend_title="Dissimilarity index (D)")
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
        mf = build_choropleth(areas, show_counts=False)
    entries = [t.replace("\n", " ") for t in mf.legend_texts()[1:]]
    assert entries == [*INDICATOR_CLASSES["dissimilarity"].labels(), UNDEFINED]
    assert mf.class_counts == [0] * 6


def test_undefined_hatch_is_light_visible_and_matches_legend(mainland):
    """Undefined areas: a light texture (no dark moiré on many small areas), yet clearly hatched."""
    from segmap.maps.style import HATCH_COLOR, HATCH_WIDTH, UNDEFINED_FACE, UNDEFINED_HATCH

    # Medium-grey lines of about 0.4 pt, 3-4.5 pt apart (matplotlib draws 6 lines per inch per "/"),
    # on a very light face.
    assert set(UNDEFINED_HATCH) == {"/"} and 3.0 <= 72 / (6 * len(UNDEFINED_HATCH)) <= 4.5
    assert 0.35 <= HATCH_WIDTH <= 0.5
    grey = matplotlib.colors.to_rgb(HATCH_COLOR)
    assert np.ptp(grey) < 1e-9 and 0.4 <= grey[0] <= 0.6
    assert min(matplotlib.colors.to_rgb(UNDEFINED_FACE)) >= 0.94

    areas = mainland.assign(dissimilarity=np.nan)
    with map_style():
        mf = build_choropleth(areas)
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


def test_legend_does_not_cover_land(mainland):
    with map_style():
        mf = build_choropleth(mainland)
        boxes = legend_boxes_in_data(mf)
    land = shapely.union_all(mainland.geometry.to_numpy())
    for box in boxes:
        assert not box.intersects(land)


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
        mf = build_choropleth(areas)
    assert mf.class_counts[-1] == 1


# ------------------------------------------------------------------------------------------------
# School points
# ------------------------------------------------------------------------------------------------


def test_points_legend_and_only_listed_categories(mainland):
    schools = centre_schools(mainland)
    with map_style():
        mf = build_points(mainland, schools)
    texts = mf.legend_texts()
    assert texts[:4] == ["Schools", *CATEGORY_LABELS.values()]
    assert texts[4] == "Pupils" and len(texts) == 8  # three reference sizes
    assert n_points(mf.main_ax) == int(schools["category"].isin(list(CATEGORY_LABELS)).sum())


def test_points_other_label_draws_remaining_categories(mainland):
    schools = centre_schools(mainland)
    with map_style():
        mf = build_points(mainland, schools, other_label="Other schools")
    assert mf.legend_texts()[4] == "Other schools"
    assert n_points(mf.main_ax) == len(schools)


def test_points_empty_schools_frame(tmp_path, mainland):
    empty = centre_schools(mainland).iloc[0:0]
    out = school_points_map(
        mainland, empty, tmp_path / "s.svg", legend_title="Schools",
        category_labels=CATEGORY_LABELS, size_legend_title="Pupils",
    )
    assert out.exists()
    with map_style():
        mf = build_points(mainland, empty)
    assert mf.legend_texts()[-3:] == ["100", "500", "1,000"]


def test_points_deterministic_with_insets(tmp_path, with_insets):
    areas, insets = with_insets
    schools = centre_schools(areas)
    paths = []
    for name in ("a.png", "b.png", "a.svg", "b.svg"):
        paths.append(
            school_points_map(
                areas, schools, tmp_path / name, legend_title="Schools", category_labels=CATEGORY_LABELS,
                size_legend_title="Pupils", insets=insets, footnote="Synthetic demonstration data",
            )
        )
    assert sha(paths[0]) == sha(paths[1])
    assert sha(paths[2]) == sha(paths[3])
    svg = paths[2].read_text(encoding="utf-8")
    assert "<image" in svg and "<text" in svg


def test_points_in_insets_by_code_or_location(with_insets):
    areas, insets = with_insets
    schools = centre_schools(areas).assign(category="severe")
    no_code = schools.drop(columns="municipality_code")
    for frame in (schools, no_code):
        with map_style():
            mf = build_points(areas, frame, insets=insets)
        x0, x1 = mf.main_ax.get_xlim()
        for ax, inset in zip(mf.inset_axes, insets):
            assert n_points(ax) == len(inset.codes)
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
    from segmap.maps.national import CONTEXT_DIAMETER, CONTEXT_MIN_DIAMETER
    from segmap.maps.style import BASE_FACE

    got = {}
    for n in (300, 20_000):
        with map_style():
            mf = build_points(mainland, _random_schools(mainland, n))
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
    schools = pd.concat([centre_schools(areas), _random_schools(areas[areas["municipality_code"].str.startswith("A")],
                                                          5_000, n_severe=0)], ignore_index=True)
    schools = schools.drop(columns="municipality_code")  # insets by location
    with map_style():
        mf = build_points(areas, schools, insets=insets)
    assert any(_scatters(ax, 4.0) for ax in mf.inset_axes)
    styles = set()
    for ax in [mf.main_ax, *mf.inset_axes]:
        for c in _scatters(ax, 4.0):
            styles |= {(round(float(np.sqrt(s)), 6), round(float(a), 6))
                       for s, a in zip(c.get_sizes(), c.get_facecolors()[:, 3])}
    assert len(styles) == 1


def test_size_legend_references_follow_data(mainland):
    schools = centre_schools(mainland).assign(pupils_total=lambda d: d["pupils_total"] % 300 + 10)  # max < 310
    with map_style():
        mf = build_points(mainland, schools, decimal_mark=",")
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
        mf = build_choropleth(m, outline=provinces)
        boxes = legend_boxes_in_data(mf)
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

    areas = with_values(grid(100, 80, 5_000, (3_000_000, 2_000_000), "G"))  # 8,000 municipalities
    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        choropleth_map(
            areas, "dissimilarity", INDICATOR_CLASSES["dissimilarity"], tmp_path / "many.png",
            legend_title="D", undefined_label=UNDEFINED,
        )
    assert time.perf_counter() - t < 15
