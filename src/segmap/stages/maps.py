"""Stage ``maps``: the national maps of one country in one language (:mod:`segmap.maps.national`, texts from
:mod:`segmap.maps.captions`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from segmap import geo
from segmap.files import read_csv, read_geoparquet
from segmap.maps import national
from segmap.maps.captions import map_texts, no_data_label, page_texts, upper_map_texts
from segmap.maps.classes import INDICATOR_CLASSES
from segmap.report import levels
from segmap.stages.change_map import write_placeholder_svg
from segmap.stats.tables import upper_of_regions


def draw_maps(*, municipalities_in, schools_in, census_in, municipality_layer_in, region_layer_in,
              settings: Mapping[str, Any], language: str, outputs: Mapping[str, str | Path],
              upper_level_in=None) -> None:
    """Draw the national maps of one country: group share, adjusted dissimilarity (municipalities that
    cannot be told apart from random allocation in grey), isolation, segregated schools; and, with
    ``upper_level_in`` and ``outputs["upper_dissimilarity"]``, adjusted dissimilarity by unit of the level
    above the regions (a blank placeholder when the country has no such level)."""
    table = read_csv(municipalities_in)
    census = read_csv(census_in)
    layer = read_geoparquet(municipality_layer_in)
    regions = read_geoparquet(region_layer_in)
    areas = layer.merge(table.drop(columns=["region_code"]), on="municipality_code", how="left",
                        validate="one_to_one")
    page = page_texts(settings, census, language)
    schools = read_csv(schools_in)
    texts = map_texts(settings, schools["category"].value_counts().to_dict(), language)
    areas["no_census_data"] = ~areas["in_census"].astype(bool) if "in_census" in areas else False
    areas["not_distinguishable"] = (areas["status"] == "ok") & ~areas["distinguishable_from_random"].astype(
        "boolean").fillna(False).astype(bool)
    for key, column, muted in (("group_share", "group_share", None),
                               ("dissimilarity", "dissimilarity_adjusted", "not_distinguishable"),
                               ("isolation", "isolation", None)):
        national.choropleth_map(
            areas, column, INDICATOR_CLASSES[column], outputs[key],
            legend_title=texts[key]["legend_title"], undefined_label=texts[key]["undefined_label"],
            outline=regions, muted_column=muted, muted_label=texts[key].get("muted_label"),
            no_data_column="no_census_data", no_data_label=no_data_label(language), **page,
        )
    points = geo.school_points(schools, layer.crs)
    national.school_points_map(
        areas, points, outputs["segregated_schools"],
        legend_title=texts["segregated_schools"]["legend_title"],
        category_labels=texts["segregated_schools"]["categories"],
        size_legend_title=texts["segregated_schools"]["size_legend_title"],
        outline=regions, **page,
    )
    if "upper_dissimilarity" in outputs:
        upper = read_csv(upper_level_in) if upper_level_in is not None else None
        if upper is None or upper.empty or not settings.get("upper_level"):
            write_placeholder_svg(outputs["upper_dissimilarity"])
        else:
            draw_upper_map(layer, regions, upper, settings, language, page, outputs["upper_dissimilarity"])


def draw_upper_map(layer, regions, upper, settings: Mapping[str, Any], language: str, page: Mapping[str, Any],
                   out) -> None:
    """Adjusted dissimilarity of each upper-level unit, drawn on its municipalities (so that the insets of the
    national maps apply), with the units' borders as the outline."""
    of_region = upper_of_regions(settings["upper_level"], layer["region_code"].dropna())
    upper = upper.assign(upper_code=upper["upper_code"].astype(str))
    values = upper.set_index("upper_code")
    unit = layer["region_code"].astype(str).map(of_region)
    areas = layer.assign(upper_code=unit)
    for column in ("dissimilarity_adjusted", "status", "distinguishable_from_random"):
        areas[column] = unit.map(values[column])
    areas["no_census_data"] = ~areas["in_census"].astype(bool) if "in_census" in areas else False
    areas["not_distinguishable"] = (areas["status"] == "ok") & ~areas["distinguishable_from_random"].astype(
        "boolean").fillna(False).astype(bool)
    outline = regions.assign(upper_code=regions["region_code"].astype(str).map(of_region)).dissolve(
        "upper_code", as_index=False)
    texts = upper_map_texts(settings, levels.upper_level(settings, language), language)
    national.choropleth_map(
        areas, "dissimilarity_adjusted", INDICATOR_CLASSES["dissimilarity_adjusted"], out,
        legend_title=texts["legend_title"], undefined_label=texts["undefined_label"], outline=outline,
        muted_column="not_distinguishable", muted_label=texts["muted_label"], show_counts=False,
        no_data_column="no_census_data", no_data_label=no_data_label(language), **page,
    )
