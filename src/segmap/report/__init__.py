"""The PDF report: its content, its languages, and what may be printed.

- :mod:`segmap.report.render` — the template's context (key figures, rankings, regional pages, the change
  chapter), the HTML and the PDF (WeasyPrint, fetching only the report's own assets).
- :mod:`segmap.report.i18n` — message catalogs and locale number formats.
- :mod:`segmap.report.privacy` — small-count suppression for the PDFs and the published tables.
- ``templates/`` (``report.html.j2``, ``report.css``) and ``locales/`` (``segmap.pot``, ``{lang}/LC_MESSAGES/
  segmap.po``) are package data: an installed segmap builds reports without the source tree. The
  checkout's ``reports/templates`` and ``reports/locales`` point at these folders.
"""
