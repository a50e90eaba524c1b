# The four index tables of the output contract.


rule indices:
    message:
        "Computing segregation indices for {wildcards.country}"
    input:
        schools="data/processed/{country}/schools.csv",
        census="data/processed/{country}/census.csv",
        code=package_code("indices", "inference", "tables"),
    output:
        school="outputs/{country}/school_indices.csv",
        municipality="outputs/{country}/municipality_indices.csv",
        region="outputs/{country}/region_indices.csv",
        national="outputs/{country}/national_indices.csv",
    params:
        country=lambda wildcards: wildcards.country,
        country_name=lambda wildcards: settings(wildcards)["name"],
        thresholds=lambda wildcards: school_thresholds(wildcards),
        inference=lambda wildcards: settings(wildcards)["inference"],
    log:
        "logs/{country}/indices.log",
    benchmark:
        "benchmarks/{country}/indices.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/indices.py"
