"""Rule demo_inputs: synthetic demonstration inputs of one demo country."""

from pathlib import Path

from segmap.logs import run_logged
from segmap.stages.demo_inputs import write_demo_country

run_logged(
    snakemake.log[0],
    lambda: write_demo_country(snakemake.wildcards.demo, Path(snakemake.output.schools).parent,
                               seed=snakemake.params.seed),
)
