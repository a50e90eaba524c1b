"""Rule indices: the school, municipality, region and national index tables, by year and their change."""

from segmap.logs import run_logged
from segmap.stages.indices import compute_indices

run_logged(
    snakemake.log[0],
    lambda: compute_indices(
        snakemake.input.schools,
        snakemake.input.census,
        country=snakemake.params.country,
        country_name=snakemake.params.country_name,
        thresholds=snakemake.params.thresholds,
        inference=snakemake.params.inference,
        year=snakemake.params.year,
        years=snakemake.params.years,
        upper_level=snakemake.params.upper_level,
        outputs=dict(snakemake.output.items()),
    ),
)
