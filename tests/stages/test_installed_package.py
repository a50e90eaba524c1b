"""An installed (not editable) segmap builds a report outside the checkout: templates and locales are
package data, and no stage looks for files relative to the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import REPO

BUILD = textwrap.dedent('''
    import sys
    from pathlib import Path

    import segmap
    from segmap.settings import country_settings, load_config
    from segmap.stages.change_map import draw_change_map
    from segmap.stages.indices import compute_indices
    from segmap.stages.ingest import ingest_country
    from segmap.stages.maps import draw_maps
    from segmap.stages.prepare_geometry import prepare_geometry
    from segmap.stages.region_maps import draw_region_maps
    from segmap.stages.report import build_report

    installed = Path(sys.argv[1])
    assert Path(segmap.__file__).resolve().is_relative_to(installed), segmap.__file__
    settings = country_settings(load_config("tiny.yaml"), "xx")
    work, out = Path("processed"), Path("outputs")
    ingest_country(settings["inputs"], work / "schools.csv", work / "census.csv", work / "boundaries.parquet",
                   work / "inputs.json", country="xx")
    keys = ("school", "municipality", "region", "national", "school_by_year", "municipality_by_year",
            "region_by_year", "national_by_year", "municipality_change", "region_change", "national_change")
    tables = {key: out / f"{key}.csv" for key in keys}
    compute_indices(work / "schools.csv", work / "census.csv", country="xx", country_name=settings["name"],
                    thresholds=settings["thresholds"], inference=settings["inference"], outputs=tables)
    prepare_geometry(work / "boundaries.parquet", work / "census.csv", settings["map_crs"],
                     municipalities_out=work / "m.parquet", regions_out=work / "r.parquet")
    language = "fr"
    figures = {key: work / "figures" / f"{key}.svg" for key in
               ("group_share", "dissimilarity", "isolation", "segregated_schools")}
    draw_maps(municipalities_in=tables["municipality"], schools_in=tables["school"], census_in=work / "census.csv",
              municipality_layer_in=work / "m.parquet", region_layer_in=work / "r.parquet", settings=settings,
              language=language, outputs=figures)
    draw_change_map(change_in=tables["municipality_change"], census_in=work / "census.csv",
                    municipality_layer_in=work / "m.parquet", region_layer_in=work / "r.parquet", settings=settings,
                    language=language, out=work / "figures" / "change.svg")
    draw_region_maps(municipalities_in=tables["municipality"], schools_in=tables["school"],
                     municipality_layer_in=work / "m.parquet", region_layer_in=work / "r.parquet",
                     out_dir=work / "regions")
    build_report(tables={"national": tables["national"], "regions": tables["region"],
                         "municipalities": tables["municipality"], "schools": tables["school"],
                         **{key: tables[key] for key in ("national_by_year", "region_by_year",
                                                         "municipality_change", "region_change",
                                                         "national_change")}},
                 maps=figures, change_map=work / "figures" / "change.svg", region_maps_dir=work / "regions",
                 provenance_in=work / "inputs.json", settings=settings, language=language,
                 pdf_out=out / "report_fr.pdf")
''')


@pytest.mark.slow
def test_a_non_editable_install_builds_a_report_outside_the_checkout(tiny_inputs, tmp_path):
    from pypdf import PdfReader

    wheels, installed, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(wheels),
                    str(REPO)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(wheels.glob("segmap-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(installed),
                    str(wheel)], check=True, capture_output=True)
    assert (installed / "segmap" / "report" / "templates" / "report.html.j2").is_file()
    assert (installed / "segmap" / "report" / "locales" / "fr" / "LC_MESSAGES" / "segmap.po").is_file()
    work.mkdir()
    (work / "tiny.yaml").write_text(textwrap.dedent(f'''
        countries:
          xx:
            name: Belgium
            deliverable: D.9.9
            languages: [fr]
            schools: {tiny_inputs["schools"]}
            census: {tiny_inputs["census"]}
            boundaries: {tiny_inputs["boundaries"]}
            replicates: {{random_allocation: 40, bootstrap: 40}}
    '''), encoding="utf-8")
    (work / "build.py").write_text(BUILD, encoding="utf-8")
    # the installed copy comes first; the source tree is not on the path, the working folder is outside it
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}
    result = subprocess.run([sys.executable, "build.py", str(installed.resolve())], cwd=work, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    text = "".join(page.extract_text() for page in PdfReader(work / "outputs" / "report_fr.pdf").pages)
    assert "Belgique" in text  # the French catalog, read from the installed package data
