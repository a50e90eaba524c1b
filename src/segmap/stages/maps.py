"""Stage ``maps``: the national maps of one country in one language (:mod:`segmap.maps.national`, texts from
:mod:`segmap.maps.captions`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from segmap import geo
from segmap.files import read_csv, read_geoparquet
from segmap.maps import national
from segmap.maps.captions import map_texts, no_data_label, page_texts
from segmap.maps.classes import INDICATOR_CLASSES


def draw_maps(*, municipalities_in, schools_in, census_in, municipality_layer_in, region_layer_in,
              settings: Mapping[str, Any], language: str, outputs: Mapping[str, str | Path]) -> None:
    """Draw the national maps of one country: group share, adjusted dissimilarity (municipalities that
    cannot be told apart from random allocation in grey), isolation, segregated schools."""
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
