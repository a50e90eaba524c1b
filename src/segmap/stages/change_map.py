"""Stage ``change_map``: the map of the change in dissimilarity beyond chance between two school years."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from segmap.files import atomic_path, read_csv, read_geoparquet
from segmap.maps import national
from segmap.maps.captions import change_map_texts, no_data_label, page_texts
from segmap.maps.classes import INDICATOR_CLASSES

log = logging.getLogger(__name__)


def draw_change_map(*, change_in, census_in, municipality_layer_in, region_layer_in, settings: Mapping[str, Any],
                    language: str, out: str | Path) -> None:
    """Draw the map of the change in dissimilarity beyond chance between the first compared school year and
    the report year (diverging classes; grey where the change is not clear; hatched where not comparable).
    With a single school year there is no change: a blank placeholder figure is written, which the report
    does not show."""
    change = read_csv(change_in)
    if change.empty:
        write_placeholder_svg(out)
        log.info("one school year only: no change to map")
        return
    layer = read_geoparquet(municipality_layer_in)
    regions = read_geoparquet(region_layer_in)
    columns = ["municipality_code", "dissimilarity_adjusted_change", "change_status"]
    areas = layer.merge(change[columns], on="municipality_code", how="left", validate="one_to_one")
    comparable = areas["change_status"].isin(["increase", "decrease", "no_clear_change"]).to_numpy(bool)
    areas["dissimilarity_adjusted_change"] = areas["dissimilarity_adjusted_change"].where(comparable)
    areas["no_census_data"] = ~areas["in_census"].astype(bool) if "in_census" in areas else False
    areas["no_clear_change"] = (areas["change_status"] == "no_clear_change").to_numpy(bool)
    texts = change_map_texts(settings, str(change["year_from"].iloc[0]), str(change["year_to"].iloc[0]), language)
    national.choropleth_map(
        areas, "dissimilarity_adjusted_change", INDICATOR_CLASSES["dissimilarity_adjusted_change"], out,
        legend_title=texts["legend_title"], undefined_label=texts["undefined_label"], outline=regions,
        muted_column="no_clear_change", muted_label=texts["muted_label"],
        no_data_column="no_census_data", no_data_label=no_data_label(language),
        **page_texts(settings, read_csv(census_in), language))


PLACEHOLDER_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1" viewBox="0 0 1 1">'
                   '<desc>segmap: one school year, no change to map</desc></svg>\n')


def write_placeholder_svg(path: str | Path) -> None:
    """A blank 1 x 1 SVG (an output that exists when there is nothing to draw)."""
    with atomic_path(path) as temporary:
        temporary.write_text(PLACEHOLDER_SVG, encoding="utf-8")
