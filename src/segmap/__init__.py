"""segmap: school segregation maps of Roma pupils from school and census data.

The package, by concern (each subpackage's docstring says what it owns)::

    segmap/
    ├── settings.py    the typed settings tree, the only home of every default
    ├── years.py       school years: labels, plain years, the choice of compared years
    ├── io/            reading and checking inputs (readers, validate, locate, gisco)
    ├── recipes/       official layouts: a registry and one module per country (bg_nsi, es_ine, be_nis)
    ├── geo.py         projected, simplified map layers; regions; school points
    ├── stats/         indices (the formulas), inference (chance, bootstrap), tables, change between years
    ├── maps/          style, classes, frames, layout, legend, draw (shared layer), page, national, regional,
    │                  captions (the maps' translated texts)
    ├── report/        render (context, HTML, PDF), i18n, privacy; templates/ and locales/ as package data
    ├── demo/          synthetic demonstration countries (outlines, profiles, model, writing, CLI)
    ├── stages/        one module per Snakemake rule: what the rule scripts call; stage_code() for code inputs
    ├── provenance.py  versions, git commit, settings digest, how inputs were read
    └── files.py, errors.py, logs.py   atomic outputs and CSV round trips, input problems, rule logs

Dependencies point one way: stages → (io, recipes, stats, maps, report) → (settings, years, geo, files,
errors); ``tests/test_architecture.py`` keeps the import graph free of cycles and of private imports.
"""

__version__ = "0.1.0"
