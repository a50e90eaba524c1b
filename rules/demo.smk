# Synthetic demonstration inputs (deterministic, seeded): data/raw/demo/{demo}/...


rule demo_inputs:
    message:
        "Generating synthetic demonstration data for {wildcards.demo}"
    input:
        code=stage_code("demo_inputs"),
    output:
        schools="data/raw/demo/{demo}/schools.csv",
        census="data/raw/demo/{demo}/census.csv",
        boundaries="data/raw/demo/{demo}/municipalities.geojson",
    params:
        seed=DEMO_SEED,
    wildcard_constraints:
        demo="|".join(sorted(DEMO_PROFILES)),
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["demo_inputs"]["mem_mb"],
        runtime=RULE_RESOURCES["demo_inputs"]["runtime"],
    log:
        "logs/{demo}/demo_inputs.log",
    benchmark:
        "benchmarks/{demo}/demo_inputs.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/demo_inputs.py"
