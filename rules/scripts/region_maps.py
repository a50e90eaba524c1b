"""Rule region_maps: one map per region of a country, shared by its report languages."""

from segmap.logs import run_logged
from segmap.stages.region_maps import draw_region_maps

run_logged(
    snakemake.log[0],
    lambda: draw_region_maps(
        municipalities_in=snakemake.input.municipalities,
        schools_in=snakemake.input.schools,
        municipality_layer_in=snakemake.input.municipality_layer,
        region_layer_in=snakemake.input.region_layer,
        out_dir=snakemake.output.figures,
        insets=snakemake.params.insets,
    ),
)
