"""Rule atlas: the offline interactive atlas of one country in one language."""

from segmap.logs import run_logged
from segmap.stages.atlas import build_atlas

run_logged(
    snakemake.log[0],
    lambda: build_atlas(
        municipalities_in=snakemake.input.municipalities,
        regions_in=snakemake.input.regions,
        change_in=snakemake.input.change,
        schools_in=snakemake.input.schools,
        school_locations_in=snakemake.input.school_locations,
        municipality_layer_in=snakemake.input.municipality_layer,
        region_layer_in=snakemake.input.region_layer,
        settings=snakemake.params.settings,
        language=snakemake.wildcards.lang,
        out=snakemake.output[0],
    ),
)
