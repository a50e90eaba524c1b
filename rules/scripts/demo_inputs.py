"""Rule demo_inputs: synthetic demonstration inputs of one demo country."""

from pathlib import Path

from segmap.demo import write_demo_inputs
from segmap.logs import run_logged

run_logged(
    snakemake.log[0],
    lambda: write_demo_inputs(snakemake.wildcards.demo, Path(snakemake.output.schools).parent,
                              seed=snakemake.params.seed),
)
