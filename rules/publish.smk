# The copy of the index tables meant for sharing: small counts suppressed, schools unnamed by default.


rule publish:
    message:
        "Writing the shareable tables of {wildcards.country}"
    input:
        **INDEX_TABLES,
        code=stage_code("publish"),
    output:
        **published(INDEX_TABLES),
    params:
        min_cell=lambda wildcards: settings(wildcards)["min_cell"],
        publish_school_names=lambda wildcards: settings(wildcards)["publish_school_names"],
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["publish"]["mem_mb"],
        runtime=RULE_RESOURCES["publish"]["runtime"],
    log:
        "logs/{country}/publish.log",
    benchmark:
        "benchmarks/{country}/publish.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/publish.py"
