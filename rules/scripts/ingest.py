"""Rule ingest: read, validate and write the canonical inputs of one country."""

from segmap.logs import run_logged
from segmap.stages.ingest import ingest_country

run_logged(
    snakemake.log[0],
    lambda: ingest_country(
        snakemake.params.inputs,
        schools_out=snakemake.output.schools,
        census_out=snakemake.output.census,
        boundaries_out=snakemake.output.boundaries,
        provenance_out=snakemake.output.provenance,
        rejected_out=snakemake.output.rejected,
        locations_out=snakemake.output.locations,
        fixes_out=snakemake.output.fixes,
        country=snakemake.params.country,
        on_invalid_rows=snakemake.params.on_invalid_rows,
        max_problems=snakemake.params.max_problems,
        plain_years=snakemake.params.plain_years,
        max_repair_area_change=snakemake.params.max_repair_area_change,
    ),
)
