# The index tables of the output contract: the four tables of the report year, one row per area and
# compared school year (*_by_year), and the change from the first compared year to the report year (*_change).


rule indices:
    message:
        "Computing segregation indices for {wildcards.country}"
    input:
        schools="data/processed/{country}/schools.csv",
        census="data/processed/{country}/census.csv",
        code=stage_code("indices"),
    output:
        **INDEX_TABLES,
    params:
        country=lambda wildcards: wildcards.country,
        country_name=lambda wildcards: settings(wildcards)["name"],
        thresholds=lambda wildcards: school_thresholds(wildcards),
        inference=lambda wildcards: settings(wildcards)["inference"],
        year=lambda wildcards: settings(wildcards)["year"],
        years=lambda wildcards: settings(wildcards)["years"],
        upper_level=lambda wildcards: settings(wildcards)["upper_level"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["indices"]["mem_mb"],
        runtime=RULE_RESOURCES["indices"]["runtime"],
    log:
        "logs/{country}/indices.log",
    benchmark:
        "benchmarks/{country}/indices.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/indices.py"
