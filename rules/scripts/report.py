"""Rule report: the PDF report of one country in one language."""

from segmap.logs import run_logged
from segmap.stages.report import build_report

run_logged(
    snakemake.log[0],
    lambda: build_report(
        tables={key: snakemake.input[key] for key in ("national", "regions", "municipalities", "schools",
                                                      "national_by_year", "region_by_year", "municipality_change",
                                                      "region_change", "national_change", "upper_level")},
        maps={key: snakemake.input[key] for key in
              ("group_share", "dissimilarity", "isolation", "segregated_schools")},
        change_map=snakemake.input.change_map,
        upper_map=snakemake.input.upper_map,
        definitions=snakemake.params.definitions,
        region_maps_dir=snakemake.input.region_maps,
        provenance_in=snakemake.input.provenance,
        code_check_in=snakemake.input.code_check,
        settings=snakemake.params.settings,
        language=snakemake.params.language,
        pdf_out=snakemake.output.pdf,
    ),
)
