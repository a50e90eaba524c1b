# Projected, simplified map layers, computed once per country and shared by all maps and languages.


rule prepare_geometry:
    message:
        "Projecting and simplifying the boundaries of {wildcards.country}"
    input:
        boundaries="data/processed/{country}/boundaries.parquet",
        census="data/processed/{country}/census.csv",
        code=stage_code("prepare_geometry"),
    output:
        municipalities="data/processed/{country}/municipalities_map.parquet",
        regions="data/processed/{country}/regions_map.parquet",
    params:
        crs=lambda wildcards: settings(wildcards)["map_crs"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["prepare_geometry"]["mem_mb"],
        runtime=RULE_RESOURCES["prepare_geometry"]["runtime"],
    log:
        "logs/{country}/prepare_geometry.log",
    benchmark:
        "benchmarks/{country}/prepare_geometry.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/prepare_geometry.py"
