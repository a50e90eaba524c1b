"""Rule maps: the national maps of one country in one language."""

from segmap.logs import run_logged
from segmap.stages.maps import draw_maps

run_logged(
    snakemake.log[0],
    lambda: draw_maps(
        municipalities_in=snakemake.input.municipalities,
        schools_in=snakemake.input.schools,
        census_in=snakemake.input.census,
        municipality_layer_in=snakemake.input.municipality_layer,
        region_layer_in=snakemake.input.region_layer,
        upper_level_in=snakemake.input.upper_level,
        settings=snakemake.params.settings,
        language=snakemake.wildcards.lang,
        outputs=dict(snakemake.output.items()),
    ),
)
