# segmap: school segregation maps of Roma pupils.
#
#   snakemake --cores 4                                   # every configured country, every language
#   snakemake --cores 4 outputs/bg/municipality_indices.csv   # one stage of one country
#   snakemake --cores 4 --configfile my_country.yaml      # add or override countries
#
# The Snakefile only wires; rules live in rules/*.smk, logic in the segmap package (src/segmap).

from snakemake.utils import min_version, validate

min_version("8.20")


configfile: "config/config.yaml"


validate(config, "config/schemas/config.schema.yaml")


include: "rules/common.smk"


wildcard_constraints:
    country="|".join(COUNTRIES),
    lang="[a-z]{2}",


include: "rules/demo.smk"
include: "rules/ingest.smk"
include: "rules/code_check.smk"
include: "rules/geometry.smk"
include: "rules/indices.smk"
include: "rules/maps.smk"
include: "rules/region_maps.smk"
include: "rules/report.smk"
include: "rules/publish.smk"


rule all:
    input:
        all_reports(),
    default_target: True
