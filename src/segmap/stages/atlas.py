"""Stage ``atlas``: the offline interactive atlas of one country in one language (:mod:`segmap.atlas`),
from the published tables and the projected map layers."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from segmap.atlas.assemble import atlas_page
from segmap.files import atomic_path, read_csv, read_geoparquet

log = logging.getLogger(__name__)


def build_atlas(*, municipalities_in, regions_in, change_in, schools_in, school_locations_in, municipality_layer_in,
                region_layer_in, settings: Mapping[str, Any], language: str, out: str | Path) -> None:
    """Write ``out``, one self-contained HTML file. Only published tables are read (small counts suppressed);
    schools are drawn only where ``publish_school_names`` allows it (their names are then in the published
    school table, and their coordinates are those of ``school_locations_in``)."""
    schools = None
    if settings.get("publish_school_names"):
        published = read_csv(schools_in)
        locations = read_csv(school_locations_in)
        if "school_id" in published and {"school_id", "lon", "lat"} <= set(locations.columns):
            keys = ["school_id"] + (["year"] if "year" in published and "year" in locations else [])
            schools = published.merge(locations[[*keys, "lon", "lat"]].drop_duplicates(keys), on=keys, how="left")
    html = atlas_page(
        layer=read_geoparquet(municipality_layer_in), regions_layer=read_geoparquet(region_layer_in),
        municipalities=read_csv(municipalities_in), regions=read_csv(regions_in), change=read_csv(change_in),
        settings=settings, language=language, schools=schools)
    with atomic_path(out) as temporary:
        temporary.write_text(html, encoding="utf-8")
    log.info("atlas: %s, %.1f MB", out, Path(out).stat().st_size / 1e6)
