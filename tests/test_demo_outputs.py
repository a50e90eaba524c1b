"""Checks on the outputs of `make demo` (skipped when the demo has not been built in this clone)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO

DEMO = {
    "bg": ("Bulgaria", "D.2.1"),
    "es": ("Spain", "D.2.6"),
    "be": ("Belgium", "D.2.5"),
}


def demo_pdf(country):
    name, deliverable = DEMO[country]
    path = REPO / "outputs" / country / f"{deliverable}_school_segregation_maps_{country}_en.pdf"
    if not path.is_file():
        pytest.skip(f"{path.name} not built (run `make demo` first)")
    return path


@pytest.mark.parametrize("country", sorted(DEMO))
def test_demo_report_names_country_indices_and_synthetic_data(country):
    from pypdf import PdfReader

    reader = PdfReader(str(demo_pdf(country)))
    assert len(reader.pages) >= 4
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    everything = " ".join(texts)
    assert DEMO[country][0] in everything and DEMO[country][1] in everything
    for index_name in ("Dissimilarity index", "Isolation index", "Segregated schools"):
        assert index_name in everything
    for number, text in enumerate(texts, start=1):
        assert "SYNTHETIC DEMONSTRATION DATA" in text.upper(), f"page {number} lacks the synthetic-data notice"


@pytest.mark.parametrize("country", sorted(DEMO))
def test_demo_tables_cover_every_municipality(country):
    folder = REPO / "outputs" / country
    if not (folder / "municipality_indices.csv").is_file():
        pytest.skip("demo not built")
    municipalities = pd.read_csv(folder / "municipality_indices.csv", dtype={"municipality_code": str})
    census = pd.read_csv(REPO / "data" / "processed" / country / "census.csv", dtype={"municipality_code": str})
    assert list(municipalities["municipality_code"]) == list(census["municipality_code"])
    defined = municipalities["status"] == "ok"
    assert municipalities.loc[defined, "dissimilarity"].between(0, 1).all()
    assert municipalities.loc[~defined, ["dissimilarity", "isolation"]].isna().all().all()
    national = pd.read_csv(folder / "national_indices.csv")
    assert national["n_schools"].iloc[0] == len(pd.read_csv(folder / "school_indices.csv"))


def test_bulgarian_demo_compares_two_school_years_in_both_languages():
    """The demo's Bulgaria has two school years: the change tables and the translated change chapter."""
    from pypdf import PdfReader

    folder = REPO / "outputs" / "bg"
    demo_pdf("bg")
    change = pd.read_csv(folder / "municipality_change.csv", dtype={"municipality_code": str})
    assert set(change["year_from"]) == {"2022/23"} and set(change["year_to"]) == {"2023/24"}
    counts = change["change_status"].value_counts()
    assert counts.get("increase", 0) >= 1 and counts.get("decrease", 0) >= 1
    assert counts["no_clear_change"] > counts.get("increase", 0) + counts.get("decrease", 0)  # most within noise
    assert (change["not_comparable_reason"] == "schools_in_one_year_only").sum() >= 1
    by_year = pd.read_csv(folder / "national_indices_by_year.csv")
    assert list(by_year["year"]) == ["2022/23", "2023/24"]
    assert set(pd.read_csv(folder / "municipality_indices.csv")["year"]) == {"2023/24"}
    for language, heading, increase in (("en", "Change since 2022/23", "Largest clear increases"),
                                        ("bg", "Промяна след 2022/23", "Най-големи ясни увеличения")):
        pdf = folder / f"D.2.1_school_segregation_maps_bg_{language}.pdf"
        text = " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(str(pdf)).pages)
        assert heading in text and increase in text, language
    for country in ("es", "be"):  # one school year: no change chapter
        if (REPO / "outputs" / country / "national_change.csv").is_file():
            assert pd.read_csv(REPO / "outputs" / country / "national_change.csv").empty
