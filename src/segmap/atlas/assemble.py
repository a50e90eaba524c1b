"""One atlas page from the published tables and the projected map layers (pure: frames in, HTML text out).

:func:`atlas_page` joins the published municipality figures to the map layer's polygons, moves far-away
territory into its inset box, simplifies the coverage to the size budget, computes the fills of every
indicator map and the figures of every municipality and region, and renders the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from segmap.atlas import content, geometry, page
from segmap.atlas.texts import atlas_texts
from segmap.maps.captions import SYNTHETIC_FOOTNOTE, map_texts
from segmap.maps.classes import as_float
from segmap.maps.national import CATEGORY_STYLES, OTHER_STYLE
from segmap.report import i18n, levels
from segmap.report.levels import country_name


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _figure_texts(row: Mapping[str, Any], words, language, min_cell, with_change, fields) -> list:
    listed = {item["field"]: item for item in content.figures(row, words, language, min_cell, with_change)}
    return [listed[f]["text"] if f in listed else None for f in fields]


def _definition_source(settings: Mapping[str, Any], language: str) -> str:
    """"Source of the definition: ..." of a segregated school, in ``language`` where the config translates the
    source (as in the report's comparability box)."""
    thresholds = settings.get("thresholds") or {}
    text = (thresholds.get("source_translations") or {}).get(language) or thresholds.get("source") or ""
    t = i18n.Translator(language)
    return t.gettext("Source of the definition: %(source)s.", source=t.config_text(text)) if text else ""


def school_points(schools: pd.DataFrame | None, crs, settings: Mapping[str, Any],
                  language: str) -> dict[str, list] | None:
    """Schools to draw (published school rows with a name and coordinates, only where school names may be
    published): position in the map CRS, colour of the PDF's category style, marker size, name, category."""
    if schools is None or schools.empty or not {"school_name", "lon", "lat"} <= set(schools.columns):
        return None
    lon, lat = as_float(schools["lon"]), as_float(schools["lat"])
    ok = np.isfinite(lon) & np.isfinite(lat)
    if not ok.any():
        return None
    rows = schools[ok]
    points = gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs="EPSG:4326").to_crs(crs)
    styles = [CATEGORY_STYLES.get(str(c), OTHER_STYLE) for c in rows["category"]]
    names = map_texts(settings, None, language)["segregated_schools"]["categories"]
    return {"x": list(points.x.astype(np.float32)), "y": list(points.y.astype(np.float32)),
            "color": [s.color for s in styles], "edge": [s.edge for s in styles],
            "size": [7.0 if s.sized else 4.0 for s in styles], "name": [str(n) for n in rows["school_name"]],
            "category": [names.get(str(c), str(c)) for c in rows["category"]]}


def atlas_page(*, layer: gpd.GeoDataFrame, regions_layer: gpd.GeoDataFrame, municipalities: pd.DataFrame,
               regions: pd.DataFrame, change: pd.DataFrame | None, settings: Mapping[str, Any], language: str,
               schools: pd.DataFrame | None = None, max_vertices: int = geometry.MAX_VERTICES) -> str:
    """The atlas of one country in one language, as one HTML text."""
    t = i18n.Translator(language)
    min_cell = int(settings.get("min_cell", 0) or 0)
    texts = atlas_texts(settings, language, levels.region_level(settings, language))
    change = change if change is not None and not change.empty else None
    municipalities = municipalities.assign(municipality_code=municipalities["municipality_code"].astype(str))
    layer = layer.assign(municipality_code=layer["municipality_code"].astype(str),
                         region_code=layer["region_code"].astype(str))
    regions_layer = regions_layer.assign(region_code=regions_layer["region_code"].astype(str))
    insets = [{**inset, "label": t.config_text(inset["label"])} for inset in settings.get("insets") or []]
    layer, regions_layer, boxes = geometry.move_far_insets(layer, regions_layer, insets)
    layer = geometry.simplify_to_budget(layer, max_vertices)
    outline = geometry.simplify_to_budget(regions_layer, max_vertices // 4)

    if change is not None:
        change = change.assign(municipality_code=change["municipality_code"].astype(str))
    areas = content.prepare_areas(layer, municipalities, change)
    specs = content.indicator_specs(settings, language, change)
    columns: dict[str, list] = {}
    hatched: dict[str, dict[str, np.ndarray]] = {}
    indicators = []
    for spec in specs:
        fills = content.indicator_fills(areas, spec, language, texts["suppressed"])
        key = spec["key"]
        hatched[key] = {pattern: fills["pattern"] == pattern for pattern in content.PATTERNS}
        values = content.hover_values(areas, spec, language)
        indicators.append({"key": key, "title": spec["title"], "legend_title": fills["title"],
                           "caption": spec["caption"], "legend": fills["legend"],
                           "entries": [int(e) for e in fills["entry"]], "values": values,
                           "muted_entry": fills["muted_entry"]})
        if not columns:  # the first map as drawn before the page's script runs; the script fills the others
            columns["fill"] = list(fills["fill"])
            columns["hover"] = content.hover_texts(values, fills["entry"], fills["legend"], fills["muted_entry"])
    region_names = levels.region_names(settings, language)
    table_names = dict(zip(regions["region_code"].astype(str), regions["region_name"].astype(str)))
    region_codes = sorted(set(regions["region_code"].astype(str)) | set(layer["region_code"]))
    region_number = {code: n for n, code in enumerate(region_codes)}
    names = areas["municipality_name"].astype(object).where(areas["municipality_name"].notna(),
                                                            areas["municipality_code"]).astype(str)
    columns.update(name=list(names),
                   region=[region_names.get(c) or table_names.get(c, c) for c in areas["region_code"]])
    words = texts
    level = t.percent(0.95, 0)  # the tables' column heads, as in the report's area tables
    short = {"dissimilarity_adjusted": f"D adj. [{level}]", "isolation": f"xPx [{level}]",
             "dissimilarity_adjusted_change": f"Δ D adj. [{level}]"}
    with_change = change is not None
    fields = [f for f in content.FIGURE_FIELDS if with_change or "change" not in f]
    records = _records(areas.drop(columns="geometry"))
    bounds = shapely.bounds(np.asarray(areas.geometry.values))
    region_rows = {str(r["region_code"]): r for r in _records(regions)}
    outline_row = {code: number for number, code in enumerate(outline["region_code"].astype(str))}
    zoom_boxes = []  # zoom insets (a capital): a button zooms to their municipalities
    for inset in insets:
        inside = layer["region_code"].isin([str(c) for c in inset["regions"]]).to_numpy()
        if inset.get("zoom") and inside.any():
            zoom_boxes.append({"label": inset["label"], "box": page.round_box(
                shapely.total_bounds(np.asarray(layer.geometry.values)[inside]))})
    region_bounds = dict(zip(regions_layer["region_code"], shapely.bounds(np.asarray(regions_layer.geometry.values))))
    data = {
        "lang": language,
        "texts": texts,
        "code_label": t.gettext("Code"),
        "subtitle": " · ".join(filter(None, [
            country_name(settings, language),
            str(municipalities["year"].dropna().iloc[0]) if "year" in municipalities and municipalities[
                "year"].notna().any() else None,
            t.gettext(SYNTHETIC_FOOTNOTE) if settings.get("synthetic") else None])),
        "source": _definition_source(settings, language),
        "fields": [{"field": f, "label": texts[f"field_{f}"], "short": short.get(f, texts[f"field_{f}"])}
                   for f in fields],
        "has_change": with_change,
        "indicators": indicators,
        "municipalities": {
            "code": list(areas["municipality_code"]),
            "name": list(names),
            "region": [region_number[c] for c in areas["region_code"]],
            "box": [page.round_box(b) for b in bounds],
            "figures": [_figure_texts(r, words, language, min_cell, with_change, fields) for r in records],
        },
        "regions": [{
            "code": code, "name": region_names.get(code) or table_names.get(code, code),
            "box": page.round_box(region_bounds[code]) if code in region_bounds else page.round_box(
                shapely.total_bounds(np.asarray(layer.geometry.values)[layer["region_code"].to_numpy() == code])),
            "figures": _figure_texts(region_rows.get(code, {}), words, language, min_cell, False, fields),
            "line": outline_row.get(code, -1),
        } for code in region_codes],
        "insets": [{"label": box.label, "box": page.round_box(box.box)} for box in boxes] + zoom_boxes,
        "extent": page.round_box(shapely.total_bounds(np.asarray(layer.geometry.values))),
    }
    points = school_points(schools, layer.crs, settings, language) if settings.get("publish_school_names") else None
    script, div = page.map_document(areas.geometry.values, columns, hatched, outline.geometry.values, boxes, data["extent"],
                                    texts, points)
    title = f"{texts['title']} — {country_name(settings, language)}"
    return page.render_page(language=language, title=title, data=data, bokeh_script=script, bokeh_div=div,
                            texts=texts)
