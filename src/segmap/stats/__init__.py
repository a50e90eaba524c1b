"""The statistics: segregation indices, inference against chance and sampling noise, the index tables.

- :mod:`segmap.stats.indices` — the formulas (D, xPx, xPy, V, M, H, local segregation), vectorised over areas.
- :mod:`segmap.stats.inference` — random allocation (D*, Carrington–Troske) and the bootstrap, vectorised
  over replicates.
- :mod:`segmap.stats.tables` — the school, municipality, region and national tables of one school year.
- :mod:`segmap.stats.change` — the change between two school years with paired-bootstrap intervals.
"""
