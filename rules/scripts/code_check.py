"""Rule code_check: compare the codes of the inputs; write code_check.csv and the map's boundary layer."""

from segmap.logs import run_logged
from segmap.stages.code_check import check_codes

run_logged(
    snakemake.log[0],
    lambda: check_codes(
        schools_in=snakemake.input.schools,
        census_in=snakemake.input.census,
        boundaries_in=snakemake.input.boundaries,
        fixes_in=snakemake.input.fixes,
        provenance_in=snakemake.input.provenance,
        code_check_out=snakemake.output.code_check,
        boundaries_out=snakemake.output.boundaries,
        on_code_mismatch=snakemake.params.on_code_mismatch,
    ),
)
