"""Reading and checking the inputs: the data contract of DESIGN.md.

- :mod:`segmap.io.readers` — plain files: CSV/TSV/TXT (encoding and separator detected), Excel, ODS, boundary
  layers; canonical column names from the config's ``columns:``.
- :mod:`segmap.io.validate` — every check of schools, census and boundaries, with the file, column and row
  in each problem; school years; duplicate ids.
- :mod:`segmap.io.locate` — schools with coordinates placed in municipalities (point in polygon).
- :mod:`segmap.io.gisco` — Eurostat GISCO boundaries, downloaded once into a cache and checked.

Official layouts that a column mapping cannot read are :mod:`segmap.recipes`, which builds on the readers
(the readers never import the recipes).
"""
