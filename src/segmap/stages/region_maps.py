"""Stage ``region_maps``: one map per region, shared by every language (:mod:`segmap.maps.regional`)."""

from __future__ import annotations

import logging
from pathlib import Path

from segmap import geo
from segmap.files import read_csv, read_geoparquet
from segmap.maps import regional

log = logging.getLogger(__name__)


def draw_region_maps(*, municipalities_in, schools_in, municipality_layer_in, region_layer_in,
                     out_dir: str | Path, insets: list | tuple = ()) -> None:
    """Draw one map per region (see :mod:`segmap.maps.regional`) into ``out_dir``, with its index and a locator
    map per region (far-away ``insets`` of the settings moved beside the country)."""
    layer = read_geoparquet(municipality_layer_in)
    schools = geo.school_points(read_csv(schools_in), layer.crs)
    index = regional.draw_region_maps(layer, read_geoparquet(region_layer_in), read_csv(municipalities_in),
                                         schools, out_dir, insets=insets)
    log.info("drew %d regional maps into %s", len(index), out_dir)
