"""The map figures of the reports: national maps per country and language, one map per region.

This subpackage owns everything drawn on a map, from a projected layer of municipalities (and schools)
to a deterministic SVG or PNG file. The map types are:

* :mod:`segmap.maps.national`: the national maps (the indicator choropleths, the change map and the
  segregated schools map), with framed insets for far-away territories and zoom windows;
* :mod:`segmap.maps.regional`: one map per region, with its municipalities and schools, drawn once and
  shared by every language of a country's reports.

The parts they are built from, each module using only the ones listed before it:

* :mod:`segmap.maps.style`: fonts, colours, line widths, sizes and :func:`~segmap.maps.style.map_style`;
* :mod:`segmap.maps.classes`: the fixed class breaks and palettes of each indicator (``INDICATOR_CLASSES``);
* :mod:`segmap.maps.draw`: the shared drawing layer: geometries, polygons, figures and axes, saving;
* :mod:`segmap.maps.legend`: legends, scale bars and measuring text in the map font;
* :mod:`segmap.maps.frames`: the main frame and the insets of a national map (``Inset``);
* :mod:`segmap.maps.layout`: the solver placing the legend area, inset boxes and scale bar on the page;
* :mod:`segmap.maps.page`: the assembly of a national map page from the layout, legends and insets.
"""
