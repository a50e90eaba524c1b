# Read the configured inputs, validate them, write canonical copies to data/processed/{country}/.


rule ingest:
    message:
        "Reading and validating the inputs of {wildcards.country}"
    input:
        unpack(input_paths),
        code=stage_code("ingest"),
    output:
        schools="data/processed/{country}/schools.csv",
        census="data/processed/{country}/census.csv",
        boundaries="data/processed/{country}/boundaries_input.parquet",
        fixes="data/processed/{country}/code_fixes.csv",
        provenance="data/processed/{country}/inputs.json",
        rejected="data/processed/{country}/rejected_schools.csv",
        locations="data/processed/{country}/school_locations.csv",
    params:
        inputs=input_specs,
        country=lambda wildcards: wildcards.country,
        on_invalid_rows=lambda wildcards: settings(wildcards)["on_invalid_rows"],
        max_problems=lambda wildcards: settings(wildcards)["max_problems"],
        plain_years=lambda wildcards: settings(wildcards)["plain_years"],
        max_repair_area_change=lambda wildcards: settings(wildcards)["max_repair_area_change"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["ingest"]["mem_mb"],
        runtime=RULE_RESOURCES["ingest"]["runtime"],
    log:
        "logs/{country}/ingest.log",
    benchmark:
        "benchmarks/{country}/ingest.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/ingest.py"
