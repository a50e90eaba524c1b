# Compare the codes of schools, census and boundaries (editions that do not match, repaired polygons,
# restored codes); the map layer keeps census municipalities and polygons without a census row apart.


rule code_check:
    message:
        "Comparing the codes of the inputs of {wildcards.country}"
    input:
        schools="data/processed/{country}/schools.csv",
        census="data/processed/{country}/census.csv",
        boundaries="data/processed/{country}/boundaries_input.parquet",
        fixes="data/processed/{country}/code_fixes.csv",
        provenance="data/processed/{country}/inputs.json",
        code=stage_code("code_check"),
    output:
        code_check="data/processed/{country}/code_check.csv",
        boundaries="data/processed/{country}/boundaries.parquet",
    params:
        on_code_mismatch=lambda wildcards: settings(wildcards)["on_code_mismatch"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["code_check"]["mem_mb"],
        runtime=RULE_RESOURCES["code_check"]["runtime"],
    log:
        "logs/{country}/code_check.log",
    benchmark:
        "benchmarks/{country}/code_check.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/code_check.py"
