# The PDF report per country and language, named by the output contract.


rule report:
    message:
        "Writing the {wildcards.lang} report of {wildcards.country}"
    input:
        national="outputs/{country}/national_indices.csv",
        regions="outputs/{country}/region_indices.csv",
        municipalities="outputs/{country}/municipality_indices.csv",
        schools="outputs/{country}/school_indices.csv",
        national_by_year="outputs/{country}/national_indices_by_year.csv",
        region_by_year="outputs/{country}/region_indices_by_year.csv",
        municipality_change="outputs/{country}/municipality_change.csv",
        region_change="outputs/{country}/region_change.csv",
        national_change="outputs/{country}/national_change.csv",
        upper_level="outputs/{country}/upper_level_indices.csv",
        provenance="data/processed/{country}/inputs.json",
        code_check="data/processed/{country}/code_check.csv",
        group_share="data/processed/{country}/figures/{lang}/group_share.svg",
        dissimilarity="data/processed/{country}/figures/{lang}/dissimilarity.svg",
        isolation="data/processed/{country}/figures/{lang}/isolation.svg",
        segregated_schools="data/processed/{country}/figures/{lang}/segregated_schools.svg",
        change_map="data/processed/{country}/figures/{lang}/dissimilarity_change.svg",
        upper_map="data/processed/{country}/figures/{lang}/upper_dissimilarity.svg",
        region_maps="data/processed/{country}/figures/regions",
        template=REPORT_TEMPLATE,
        stylesheet=REPORT_STYLESHEET,
        code=stage_code("report"),
        catalog=message_catalog,
    output:
        pdf="outputs/{country}/{deliverable}_school_segregation_maps_{country}_{lang}.pdf",
    params:
        settings=settings,
        language=report_language,
        # every configured country's definition of a segregated school, for the comparability box
        definitions=SETTINGS.definitions(),
    wildcard_constraints:
        deliverable="[A-Za-z0-9][A-Za-z0-9._-]*",
    threads: 1
    resources:
        mem_mb=RULE_RESOURCES["report"]["mem_mb"],
        runtime=RULE_RESOURCES["report"]["runtime"],
    log:
        "logs/{country}/report_{deliverable}_{lang}.log",
    benchmark:
        "benchmarks/{country}/report_{deliverable}_{lang}.tsv"
    conda:
        "../environment.yml"
    script:
        "scripts/report.py"
