"""Rule prepare_geometry: projected, simplified municipality and region layers."""

from segmap.logs import run_logged
from segmap.stages.prepare_geometry import prepare_geometry

run_logged(
    snakemake.log[0],
    lambda: prepare_geometry(
        snakemake.input.boundaries,
        snakemake.input.census,
        snakemake.params.crs,
        municipalities_out=snakemake.output.municipalities,
        regions_out=snakemake.output.regions,
    ),
)
