# segmap: school segregation maps of Roma pupils.
#
#   snakemake --cores 4                                       # every configured country (or those of build:)
#   snakemake --cores 4 bg                                    # one country: reports, atlases, shareable tables
#   snakemake --cores 4 outputs/bg/municipality_indices.csv   # one stage of one country
#   snakemake --cores 4 xx --configfile mine.yaml             # add countries; targets BEFORE --configfile
#   make recover CONFIG=mine.yaml                             # after a crash: unlock, finish incomplete outputs
#
# The Snakefile only wires; rules live in rules/*.smk, logic in the segmap package (src/segmap).

import sys

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
include: "rules/atlas.smk"


rule all:
    input:
        all_reports(),
    default_target: True


# One target per country, named by its key: `snakemake --cores 4 bg` builds the reports and atlases (every
# configured language) and the shareable tables of Bulgaria only.
_RULE_NAMES = {rule.name for rule in workflow.rules}
for _country in COUNTRIES:
    if _country in _RULE_NAMES:
        raise ValueError(f"countries: the key {_country!r} is also the name of a rule of the workflow; "
                         "give the country another key (its name in the report comes from 'name:')")

    rule:
        name:
            _country
        message:
            f"Built every report of {_country}"
        input:
            country_targets(_country),


onerror:
    print("segmap: the run stopped. The failing step's message is above and its log is under logs/<country>/. "
          "Fix what it names and run the same command again: Snakemake remakes only what is missing or out of date. "
          "If the run was interrupted (power cut, killed, disk full), run 'make recover' (add CONFIG=mine.yaml for an "
          "extra config file); see README, 'Running one country'.", file=sys.stderr)
