# The copy of the index tables meant for sharing: small counts suppressed, schools unnamed by default.


rule publish:
    message:
        "Writing the shareable tables of {wildcards.country}"
    input:
        school="outputs/{country}/school_indices.csv",
        municipality="outputs/{country}/municipality_indices.csv",
        region="outputs/{country}/region_indices.csv",
        national="outputs/{country}/national_indices.csv",
        code=package_code("privacy"),
    output:
        school="outputs/{country}/published/school_indices.csv",
        municipality="outputs/{country}/published/municipality_indices.csv",
        region="outputs/{country}/published/region_indices.csv",
        national="outputs/{country}/published/national_indices.csv",
    params:
        min_cell=lambda wildcards: settings(wildcards)["min_cell"],
        publish_school_names=lambda wildcards: settings(wildcards)["publish_school_names"],
    log:
        "logs/{country}/publish.log",
    benchmark:
        "benchmarks/{country}/publish.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/publish.py"
