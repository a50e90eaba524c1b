# The offline interactive atlas per country and language: one self-contained HTML file (outputs/{country}/atlas/),
# made from the published tables (small counts suppressed) and the projected map layers.


rule atlas:
    message:
        "Building the interactive atlas of {wildcards.country} ({wildcards.lang})"
    input:
        municipalities="outputs/{country}/published/municipality_indices.csv",
        regions="outputs/{country}/published/region_indices.csv",
        change="outputs/{country}/published/municipality_change.csv",
        schools="outputs/{country}/published/school_indices.csv",
        school_locations="data/processed/{country}/school_locations.csv",
        municipality_layer="data/processed/{country}/municipalities_map.parquet",
        region_layer="data/processed/{country}/regions_map.parquet",
        code=stage_code("atlas"),
        page=ATLAS_PAGE_FILES,
        catalog=message_catalog,
    output:
        "outputs/{country}/atlas/{deliverable}_atlas_{country}_{lang}.html",
    params:
        settings=settings,
    wildcard_constraints:
        deliverable="[A-Za-z0-9][A-Za-z0-9._-]*",
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["atlas"]["mem_mb"],
        runtime=RULE_RESOURCES["atlas"]["runtime"],
    log:
        "logs/{country}/atlas_{deliverable}_{lang}.log",
    benchmark:
        "benchmarks/{country}/atlas_{deliverable}_{lang}.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/atlas.py"
