# One map per region (its municipalities and schools), drawn once per country and shared by every
# language: the figures hold no translated text; the report prints their legend and scale bar.


rule region_maps:
    message:
        "Drawing the regional maps of {wildcards.country}"
    input:
        municipalities="outputs/{country}/municipality_indices.csv",
        schools="outputs/{country}/school_indices.csv",
        municipality_layer="data/processed/{country}/municipalities_map.parquet",
        region_layer="data/processed/{country}/regions_map.parquet",
        code=stage_code("region_maps"),
    output:
        figures=directory("data/processed/{country}/figures/regions"),
    params:
        insets=lambda wildcards: settings(wildcards)["insets"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["region_maps"]["mem_mb"],
        runtime=RULE_RESOURCES["region_maps"]["runtime"],
    log:
        "logs/{country}/region_maps.log",
    benchmark:
        "benchmarks/{country}/region_maps.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/region_maps.py"
