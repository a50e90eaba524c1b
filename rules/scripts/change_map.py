"""Rule change_map: the map of the change in dissimilarity beyond chance between two school years."""

from segmap.logs import run_logged
from segmap.stages.change_map import draw_change_map

run_logged(
    snakemake.log[0],
    lambda: draw_change_map(
        change_in=snakemake.input.change,
        census_in=snakemake.input.census,
        municipality_layer_in=snakemake.input.municipality_layer,
        region_layer_in=snakemake.input.region_layer,
        settings=snakemake.params.settings,
        language=snakemake.wildcards.lang,
        out=snakemake.output.figure,
    ),
)
