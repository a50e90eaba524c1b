# Map figures per country and language (the titles and legends are in the report's language).


rule maps:
    message:
        "Drawing the maps of {wildcards.country} ({wildcards.lang})"
    input:
        municipalities="outputs/{country}/municipality_indices.csv",
        schools="outputs/{country}/school_indices.csv",
        census="data/processed/{country}/census.csv",
        municipality_layer="data/processed/{country}/municipalities_map.parquet",
        region_layer="data/processed/{country}/regions_map.parquet",
        upper_level="outputs/{country}/upper_level_indices.csv",
        code=stage_code("maps"),
        catalog=message_catalog,
    output:
        group_share="data/processed/{country}/figures/{lang}/group_share.svg",
        dissimilarity="data/processed/{country}/figures/{lang}/dissimilarity.svg",
        isolation="data/processed/{country}/figures/{lang}/isolation.svg",
        segregated_schools="data/processed/{country}/figures/{lang}/segregated_schools.svg",
        # the map of the level above the regions (a blank placeholder when the country has none)
        upper_dissimilarity="data/processed/{country}/figures/{lang}/upper_dissimilarity.svg",
    params:
        settings=settings,
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["maps"]["mem_mb"],
        runtime=RULE_RESOURCES["maps"]["runtime"],
    log:
        "logs/{country}/maps_{lang}.log",
    benchmark:
        "benchmarks/{country}/maps_{lang}.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/maps.py"


# The map of the change in dissimilarity beyond chance between the first compared school year and the report
# year (a blank placeholder with a single school year; the report then has no change chapter).
rule change_map:
    message:
        "Drawing the change map of {wildcards.country} ({wildcards.lang})"
    input:
        change="outputs/{country}/municipality_change.csv",
        census="data/processed/{country}/census.csv",
        municipality_layer="data/processed/{country}/municipalities_map.parquet",
        region_layer="data/processed/{country}/regions_map.parquet",
        code=stage_code("change_map"),
        catalog=message_catalog,
    output:
        figure="data/processed/{country}/figures/{lang}/dissimilarity_change.svg",
    params:
        settings=settings,
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["change_map"]["mem_mb"],
        runtime=RULE_RESOURCES["change_map"]["runtime"],
    log:
        "logs/{country}/change_map_{lang}.log",
    benchmark:
        "benchmarks/{country}/change_map_{lang}.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/change_map.py"
