"""The report: escaping, the restricted resource fetcher, formatting."""

from __future__ import annotations

import pytest

from segmap.report import render as report
from segmap.settings import report_filename

from conftest import REPO

TEMPLATES = REPO / "reports" / "templates"


def test_jinja_autoescapes_hostile_names(tmp_path):
    (tmp_path / "t.html.j2").write_text("<p>{{ name }}</p>")
    environment = report.make_environment(tmp_path)
    html = environment.get_template("t.html.j2").render(name='<img src="file:///etc/passwd">')
    assert html == "<p>&lt;img src=&#34;file:///etc/passwd&#34;&gt;</p>"


def test_fetcher_serves_only_allowed_folders(tmp_path):
    allowed = tmp_path / "assets"
    allowed.mkdir()
    (allowed / "a.css").write_text("p {}")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    fetcher = report.RestrictedURLFetcher([allowed])
    assert fetcher.fetch((allowed / "a.css").as_uri()).read() == b"p {}"
    for url in (outside.as_uri(), "file:///etc/passwd", (allowed / ".." / "secret.txt").as_uri(),
                "http://127.0.0.1:9/x.css", "https://example.org/a.png", "ftp://127.0.0.1/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


def test_pdf_reads_nothing_outside_assets(tmp_path):
    """Markup that would load files or connect, if it reached WeasyPrint, is refused and recorded."""
    figures = tmp_path / "figures"
    figures.mkdir()
    html = ('<html><head><link rel="stylesheet" href="report.css">'
            '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
            '<body><p>x</p><img src="file:///etc/hostname"><img src="../../../etc/passwd"></body></html>')
    fetcher = report.write_pdf(html, tmp_path / "out.pdf", base_dir=TEMPLATES, allowed_dirs=[TEMPLATES, figures])
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    assert any("report.css" in served for served in fetcher.served)
    assert len(fetcher.refused) == 3
    assert not any("hostname" in s or "passwd" in s for s in fetcher.served)


def test_number_formats():
    assert report.format_number(1234567) == "1,234,567"
    assert report.format_percent(0.1234) == "12.3%"
    assert report.format_index(0.4567) == "0.46"
    assert report.format_index(float("nan")) == "–"
    assert report.format_percent(None) == "–"


def test_report_filename_follows_output_contract():
    assert report_filename("D.2.1", "bg", "en") == "D.2.1_school_segregation_maps_bg_en.pdf"
