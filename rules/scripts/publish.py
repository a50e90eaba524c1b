"""Rule publish: the shareable copy of the index tables."""

from segmap.logs import run_logged
from segmap.stages.publish import publish_tables

run_logged(
    snakemake.log[0],
    lambda: publish_tables(
        dict(snakemake.input.items()),
        dict(snakemake.output.items()),
        min_cell=snakemake.params.min_cell,
        publish_school_names=snakemake.params.publish_school_names,
    ),
)
