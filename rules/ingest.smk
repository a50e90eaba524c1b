# Read the configured inputs, validate them, write canonical copies to data/processed/{country}/.


rule ingest:
    message:
        "Reading and validating the inputs of {wildcards.country}"
    input:
        unpack(input_paths),
        code=package_code("ingest", "validate", "errors", "pipeline"),
    output:
        schools="data/processed/{country}/schools.csv",
        census="data/processed/{country}/census.csv",
        boundaries="data/processed/{country}/boundaries.parquet",
        provenance="data/processed/{country}/inputs.json",
    params:
        inputs=input_specs,
    log:
        "logs/{country}/ingest.log",
    benchmark:
        "benchmarks/{country}/ingest.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/ingest.py"
