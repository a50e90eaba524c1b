"""Stage ``prepare_geometry``: the projected, simplified map layers of one country (:mod:`segmap.geo`)."""

from __future__ import annotations

from pathlib import Path

from segmap import geo
from segmap.files import read_csv, read_geoparquet, write_geoparquet


def prepare_geometry(boundaries_in: str | Path, census_in: str | Path, crs: str,
                     municipalities_out: str | Path, regions_out: str | Path) -> None:
    """Project and simplify the municipalities once per country; dissolve them into regions."""
    census = read_csv(census_in)
    municipalities = geo.municipality_map_layer(read_geoparquet(boundaries_in), census, crs)
    regions = geo.region_map_layer(municipalities)
    write_geoparquet(municipalities, municipalities_out)
    write_geoparquet(regions, regions_out)
