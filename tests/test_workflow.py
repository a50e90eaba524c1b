"""End to end: Snakemake on a tiny country in a temporary folder, as a new user would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO

pytestmark = pytest.mark.slow

SNAKEMAKE = [sys.executable, "-m", "snakemake"]
HOSTILE = '<img src="file:///etc/passwd">'


def run_snakemake(workdir: Path, *targets: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [*SNAKEMAKE, *targets, "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--configfile", str(workdir / "config.yaml"), "--cores", "2"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def write_config(workdir: Path, entries: dict, **extra) -> None:
    country = {"name": "Testland", "deliverable": "D.9.9", **entries, **extra}
    (workdir / "config.yaml").write_text(yaml.safe_dump({"countries": {"xx": country}}, allow_unicode=True),
                                         encoding="utf-8")


def pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.fixture
def workdir(tmp_path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_one_stage_for_one_country_with_partner_layout(workdir, tiny_inputs_partner_layout):
    _, entries = tiny_inputs_partner_layout
    write_config(workdir, entries)  # only name, deliverable and the three inputs
    run_snakemake(workdir, "outputs/xx/municipality_indices.csv")
    table = pd.read_csv(workdir / "outputs/xx/municipality_indices.csv", dtype={"municipality_code": str,
                                                                               "region_code": str})
    assert list(table["municipality_code"]) == ["01001", "01002", "01003", "02001", "02002", "02003"]
    assert table["region_code"].tolist()[:3] == ["01", "01", "01"]
    status = table.set_index("municipality_code")["status"].to_dict()
    assert status == {"01001": "ok", "01002": "single_school", "01003": "no_group_pupils", "02001": "ok",
                      "02002": "no_other_pupils", "02003": "no_schools"}
    # only what that target needs: no maps, no report
    assert not list((workdir / "outputs" / "xx").glob("*.pdf"))
    assert not (workdir / "data" / "processed" / "xx" / "figures").exists()


def test_full_report_for_a_new_country(workdir, tiny_inputs):
    census = pd.read_csv(tiny_inputs["census"], dtype=str)
    census.loc[0, "municipality_name"] = HOSTILE  # 01001 has defined indices: it is in the ranking
    census.loc[4, "region_name"] = '<link rel=stylesheet href="http://127.0.0.1:9/x.css">'
    census.to_csv(tiny_inputs["census"], index=False)
    write_config(workdir, {role: str(path) for role, path in tiny_inputs.items()})
    run_snakemake(workdir)
    outputs = workdir / "outputs" / "xx"
    for name in ("municipality_indices.csv", "region_indices.csv", "national_indices.csv", "school_indices.csv"):
        assert (outputs / name).is_file(), name
    pdf = outputs / "D.9.9_school_segregation_maps_xx_en.pdf"
    pages, text = pdf_text(pdf)
    assert pages >= 4
    flat = " ".join(text.split())
    assert "Testland" in flat
    for index_name in ("Dissimilarity index", "Isolation index", "Segregated schools"):
        assert index_name in flat
    # printed as text (table cells may wrap it over lines, so compare without white space)
    assert "".join(HOSTILE.split()) in "".join(text.split())
    log = (workdir / "logs" / "xx" / "report_D.9.9_en.log").read_text()
    assert "refused" not in log and "/etc/passwd" not in log  # nothing was even requested
    # the new country's atlas too, with the hostile name only as escaped data
    atlas = (outputs / "atlas" / "D.9.9_atlas_xx_en.html").read_text(encoding="utf-8")
    assert "Testland" in atlas and HOSTILE not in atlas and "Content-Security-Policy" in atlas

    # a no-op rerun does nothing
    again = run_snakemake(workdir, "--dry-run")
    assert "Nothing to be done" in again.stdout + again.stderr

    # the PDF is tagged and carries its provenance in the document information
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    info = {str(key): str(value) for key, value in reader.metadata.items()}
    assert info["/Title"] == "D.9.9 School segregation maps in Testland"
    assert len(info["/segmapconfigsha256"]) == 64 and "/segmapgitcommit" in info
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.outline  # bookmarks for the sections

    # identical rebuilds: everything from clean again gives the same bytes
    first = {path.relative_to(workdir): path.read_bytes() for path in sorted(outputs.rglob("*")) if path.is_file()}
    run_snakemake(workdir, "--forceall")
    second = {path.relative_to(workdir): path.read_bytes() for path in sorted(outputs.rglob("*")) if path.is_file()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def two_year_schools(tiny_inputs) -> Path:
    """The tiny country's schools in 2022/23 and 2023/24 (the same ids), as one file; 02001 desegregated."""
    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    earlier = schools.copy()
    earlier.loc[earlier["school_id"] == "0007", "pupils_group"] = "345"
    earlier.loc[earlier["school_id"] == "0008", "pupils_group"] = "3"
    later = schools.copy()
    later.loc[later["school_id"] == "0007", "pupils_group"] = "180"
    later.loc[later["school_id"] == "0008", "pupils_group"] = "150"
    path = tiny_inputs["schools"].with_name("schools_two_years.csv")
    pd.concat([earlier.assign(curso="2022-2023"), later.assign(curso="2023-2024")]).to_csv(path, index=False)
    return path


def test_two_school_years_end_to_end(workdir, tiny_inputs):
    schools = two_year_schools(tiny_inputs)
    entries = {"schools": {"path": str(schools)}, "census": str(tiny_inputs["census"]),
               "boundaries": str(tiny_inputs["boundaries"])}
    # the year column is not mapped: the run stops instead of adding the years up, and leaves nothing behind
    write_config(workdir, entries)
    failed = run_snakemake(workdir, "outputs/xx/municipality_indices.csv", check=False)
    assert failed.returncode != 0
    assert "column 'curso' holds 2 school years (2022/23, 2023/24)" in failed.stdout + failed.stderr
    assert not (workdir / "outputs" / "xx").exists() or not any((workdir / "outputs" / "xx").iterdir())

    entries["schools"]["columns"] = {"year": "curso"}
    write_config(workdir, entries, languages=["en", "bg"])
    run_snakemake(workdir)
    outputs = workdir / "outputs" / "xx"
    municipality = pd.read_csv(outputs / "municipality_indices.csv", dtype=str)
    assert set(municipality["year"]) == {"2023/24"}
    change = pd.read_csv(outputs / "municipality_change.csv", dtype=str).set_index("municipality_code")
    assert change.at["02001", "change_status"] == "decrease"
    assert (outputs / "published" / "municipality_change.csv").is_file()
    for language, heading in (("en", "Change since 2022/23"), ("bg", "Промяна след 2022/23")):
        _pages, text = pdf_text(outputs / f"D.9.9_school_segregation_maps_xx_{language}.pdf")
        assert heading in " ".join(text.split()), language
    log = (workdir / "logs" / "xx" / "indices.log").read_text()
    assert "report year 2023/24; compared: 2022/23, 2023/24" in log

    # an earlier report year, then one the data do not have
    write_config(workdir, entries, languages=["en"], year=2022)
    run_snakemake(workdir, "outputs/xx/municipality_indices.csv")
    assert set(pd.read_csv(outputs / "municipality_indices.csv", dtype=str)["year"]) == {"2022/23"}
    write_config(workdir, entries, languages=["en"], year="2021/22")
    absent = run_snakemake(workdir, "outputs/xx/municipality_indices.csv", check=False)
    assert absent.returncode != 0
    assert "2021/22 is not in" in absent.stdout + absent.stderr
    assert "school years present: 2022/23, 2023/24" in absent.stdout + absent.stderr


def test_bad_input_fails_clearly_and_leaves_no_output(workdir, tiny_inputs):
    schools = pd.read_csv(tiny_inputs["schools"], dtype=str)
    schools.loc[3, "pupils_group"] = "250"  # above pupils_total (200)
    schools.to_csv(tiny_inputs["schools"], index=False)
    write_config(workdir, {role: str(path) for role, path in tiny_inputs.items()})
    result = run_snakemake(workdir, check=False)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert "schools.csv" in message and "row 5" in message and "pupils_group" in message and "0004" in message
    assert not (workdir / "outputs" / "xx").exists() or not any((workdir / "outputs" / "xx").iterdir())
    assert not (workdir / "data" / "processed" / "xx").exists() or \
        not any((workdir / "data" / "processed" / "xx").iterdir())


def test_snakemake_lint_is_clean():
    result = subprocess.run([*SNAKEMAKE, "--lint"], cwd=REPO, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Congratulations" in output or output.strip() == "", output
