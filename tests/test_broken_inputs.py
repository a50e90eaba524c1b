"""The broken-input corpus: every broken input stops the run with a message that names the file and the
culprit, or (``on_invalid_rows: drop``, bad school rows only) is left out and counted; raw inputs are
never modified and a failed run leaves no output — in process, and end to end through Snakemake.

The cases live in ``broken_corpus.py`` (one declarative list); this file runs them.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from segmap.stages.code_check import check_codes
from segmap.stages.ingest import ingest_country
from segmap.errors import InputError
from segmap.files import read_csv

import broken_corpus
from broken_corpus import CASES, CASES_BY_ID, N_SCHOOLS, Dropped, Fails, Repaired

POLICIES = ("error", "drop")


def checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (the raw inputs)."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def case_params(cases=CASES, policies=POLICIES):
    for case in cases:
        for policy in policies:
            raises = case.xfail_raises or pytest.fail.Exception  # default: "DID NOT RAISE"
            marks = ([pytest.mark.xfail(reason=case.xfail, strict=True, raises=raises)]
                     if case.xfail and policy in case.xfail_policies else [])
            yield pytest.param(case, policy, id=f"{case.id}-{policy}", marks=marks)


def test_the_corpus_covers_the_issue():
    """At least 20 cases, every input broken several ways, both outcomes under drop represented."""
    assert len(CASES) >= 20
    for role in broken_corpus.ROLES:
        assert sum(case.breaks == role for case in CASES) >= 5, role
    assert any(isinstance(case.drop, Dropped) for case in CASES)
    assert any(case.drop is None and isinstance(case.error, Fails) for case in CASES)
    for case in CASES:
        assert case.breaks in broken_corpus.ROLES, case.id
        if isinstance(case.drop, Dropped):
            assert case.breaks == "schools", f"{case.id}: only school rows can be dropped"


# --------------------------------------------------------------------------------------------------
# In process: ingest_country on every case, under error and under drop
# --------------------------------------------------------------------------------------------------

INGEST_OUTPUTS = ("schools.csv", "census.csv", "boundaries_input.parquet", "inputs.json", "rejected_schools.csv",
                  "school_locations.csv", "code_fixes.csv")


def ingest(specs, out: Path, policy: str, options) -> None:
    """The ingest and code_check stages, as the workflow runs them (``on_code_mismatch`` goes to the latter)."""
    options = dict(options)
    on_code_mismatch = options.pop("on_code_mismatch", "keep")
    ingest_country(specs, out / "schools.csv", out / "census.csv", out / "boundaries_input.parquet",
                   out / "inputs.json", rejected_out=out / "rejected_schools.csv",
                   locations_out=out / "school_locations.csv", fixes_out=out / "code_fixes.csv", country="xx",
                   on_invalid_rows=policy, **options)
    check_codes(schools_in=out / "schools.csv", census_in=out / "census.csv",
                boundaries_in=out / "boundaries_input.parquet", fixes_in=out / "code_fixes.csv",
                provenance_in=out / "inputs.json", code_check_out=out / "code_check.csv",
                boundaries_out=out / "boundaries.parquet", on_code_mismatch=on_code_mismatch)


@pytest.mark.parametrize("case, policy", list(case_params()))
def test_broken_input(case, policy, tmp_path, caplog):
    raw = tmp_path / "raw"
    raw.mkdir()
    specs = broken_corpus.write_case(case, raw)
    file_name = broken_corpus.broken_file_name(specs, case)
    before = checksums(raw)
    out = tmp_path / "out"
    expected = case.expected(policy)

    if isinstance(expected, Fails):
        with pytest.raises(InputError) as error:
            ingest(specs, out, policy, case.options)
        message = str(error.value)
        for needle in (file_name, *expected.needles):
            assert needle in message, f"{needle!r} not in:\n{message}"
        # nothing written by the stage that stopped, not even a temporary file
        if "on_code_mismatch" in case.options:  # code_check stopped: the ingest stage's outputs stand
            assert sorted(p.name for p in out.iterdir()) == sorted(INGEST_OUTPUTS)
        else:
            assert not out.exists() or not any(out.rglob("*")), sorted(out.rglob("*"))
    else:
        with caplog.at_level(logging.WARNING, logger="segmap"):
            ingest(specs, out, policy, case.options)
        schools = read_csv(out / "schools.csv")
        rejected = read_csv(out / "rejected_schools.csv")
        provenance = json.loads((out / "inputs.json").read_text(encoding="utf-8"))
        if isinstance(expected, Dropped):
            assert len(rejected) == expected.rows, rejected.to_string()
            assert rejected["reason"].str.contains(expected.reason, regex=False).all(), rejected.to_string()
            assert rejected["file"].str.endswith(file_name).all()
            assert len(schools) == N_SCHOOLS - expected.rows
            assert not set(expected.ids) & set(schools["school_id"])
            assert provenance["schools_rejected"] == expected.rows
            assert provenance["schools_used"] == N_SCHOOLS - expected.rows
            assert file_name in caplog.text and "on_invalid_rows: drop" in caplog.text
        else:
            assert isinstance(expected, Repaired)
            assert rejected.empty and len(schools) == N_SCHOOLS
            for needle in expected.log:
                assert needle in caplog.text, f"{needle!r} not in the warnings:\n{caplog.text}"

    assert checksums(raw) == before, "a raw input was modified"


# --------------------------------------------------------------------------------------------------
# End to end: Snakemake to the PDF for a few representative cases
# --------------------------------------------------------------------------------------------------

PDF = "outputs/xx/D.9.9_school_segregation_maps_xx_en.pdf"
SNAKEMAKE_CASES = [
    ("schools_group_above_total", "error"),       # one bad row stops the run
    ("schools_group_above_total", "drop"),        # ... or is left out and counted in the report
    ("schools_duplicate_id", "drop"),             # both rows of a repeated id are left out
    ("census_without_regions", "drop"),           # a whole-file problem stops the run even under drop
    ("boundaries_self_intersecting_polygon", "error"),  # a repair that changes an area stops the run
]


@pytest.mark.slow
@pytest.mark.parametrize("case_id, policy", SNAKEMAKE_CASES, ids=[f"{c}-{p}" for c, p in SNAKEMAKE_CASES])
def test_broken_input_end_to_end(case_id, policy, tmp_path):
    from test_workflow import pdf_text, run_snakemake, write_config

    case = CASES_BY_ID[case_id]
    raw = tmp_path / "raw"
    raw.mkdir()
    specs = broken_corpus.write_case(case, raw)
    file_name = broken_corpus.broken_file_name(specs, case)
    before = checksums(raw)
    workdir = tmp_path / "work"
    workdir.mkdir()
    write_config(workdir, specs, on_invalid_rows=policy,
                 replicates={"random_allocation": 50, "bootstrap": 50})

    result = run_snakemake(workdir, PDF, check=False)
    expected = case.expected(policy)
    outputs = workdir / "outputs" / "xx"
    if isinstance(expected, Fails):
        assert result.returncode != 0
        log = (workdir / "logs" / "xx" / "ingest.log").read_text(encoding="utf-8")
        for text in (result.stderr, log):
            for needle in (file_name, *expected.needles):
                assert needle in text, f"{needle!r} not in:\n{text}"
        assert "Traceback" not in result.stderr  # a user error, not a crash
        assert not list(workdir.rglob("*.pdf"))
        assert not list(outputs.glob("*.csv"))
        assert not (workdir / "data" / "processed" / "xx").exists() or \
            not any((workdir / "data" / "processed" / "xx").rglob("*"))
    else:
        assert isinstance(expected, Dropped)
        assert result.returncode == 0, result.stderr
        rejected = read_csv(workdir / "data" / "processed" / "xx" / "rejected_schools.csv")
        assert len(rejected) == expected.rows
        _, text = pdf_text(workdir / PDF)
        flat = " ".join(text.split())
        rows = "school row was left out" if expected.rows == 1 else "school rows were left out"
        assert f"{expected.rows} {rows}" in flat, flat
        assert "rejected_schools.csv" in flat

    assert checksums(raw) == before, "a raw input was modified"
