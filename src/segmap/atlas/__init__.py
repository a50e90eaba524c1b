"""The offline interactive atlas: one self-contained HTML file per country and language.

``geometry``  simplification to a size budget (shared borders stay shared), far-away territory moved into
              an inset box, polygons in the form the map library draws
``content``   the figures of every municipality and region as the atlas shows them (classes, colours,
              hatching and legends of the PDF's national maps, numbers in the report's locale)
``texts``     the atlas's own words, from the report's message catalogs
``page``      the Bokeh map (inline BokehJS, no server) and the page around it: search, region view,
              table view, legend, Content-Security-Policy

The map library is Bokeh (inline resources): it draws projected coordinates directly (the atlas uses the
report's equal-area projection, not web tiles), fills polygons with the PDF's hatching, and embeds its
JavaScript in the page, so the file opens from a USB stick or an e-mail attachment with no network.
"""
