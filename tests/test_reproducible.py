"""The index tables are the same bytes on every run with the same seeds, and follow the seeds."""

from __future__ import annotations

import pandas as pd

from segmap.stages.indices import compute_indices
from segmap.stages.ingest import ingest_country
from segmap.settings import country_settings

THRESHOLDS = {"segregated": 0.5, "severe": 0.8, "comparison": "at_least", "require_alternative": False}
TABLES = ("school", "municipality", "region", "national")


def write_tables(tiny_inputs, folder, inference):
    folder.mkdir()
    ingest_country({role: {"path": str(path)} for role, path in tiny_inputs.items()},
                            folder / "schools.csv", folder / "census.csv", folder / "boundaries.parquet",
                            folder / "inputs.json")
    outputs = {key: folder / f"{key}_indices.csv" for key in TABLES}
    compute_indices(folder / "schools.csv", folder / "census.csv", country="xx", country_name="Testland",
                             thresholds=THRESHOLDS, inference=inference, outputs=outputs)
    return outputs


def inference_settings(seed_random, seed_bootstrap, replicates=200):
    return {"random_allocation": {"replicates": replicates, "seed": seed_random},
            "bootstrap": {"replicates": replicates, "seed": seed_bootstrap}}


def test_same_seeds_give_identical_bytes(tiny_inputs, tmp_path):
    first = write_tables(tiny_inputs, tmp_path / "first", inference_settings(1, 2))
    second = write_tables(tiny_inputs, tmp_path / "second", inference_settings(1, 2))
    for key in TABLES:
        assert first[key].read_bytes() == second[key].read_bytes(), key


def test_other_seeds_change_only_the_simulated_columns(tiny_inputs, tmp_path):
    first = pd.read_csv(write_tables(tiny_inputs, tmp_path / "first", inference_settings(1, 2))["municipality"])
    other = pd.read_csv(write_tables(tiny_inputs, tmp_path / "other", inference_settings(3, 4))["municipality"])
    ok = first["status"] == "ok"
    assert ok.any()
    pd.testing.assert_series_equal(first["dissimilarity"], other["dissimilarity"])
    pd.testing.assert_series_equal(first["mutual_information"], other["mutual_information"])
    assert not first.loc[ok, "dissimilarity_expected"].equals(other.loc[ok, "dissimilarity_expected"])
    assert not first.loc[ok, "dissimilarity_bc"].equals(other.loc[ok, "dissimilarity_bc"])


def test_config_passes_seeds_and_replicates():
    config = {"countries": {"xx": {"name": "X", "deliverable": "D", "schools": "s.csv", "census": "c.csv",
                                   "boundaries": "b.gpkg", "seeds": {"bootstrap": 7},
                                   "replicates": {"random_allocation": 50}}}}
    settings = country_settings(config, "xx")
    assert settings["inference"] == {"random_allocation": {"replicates": 50, "seed": 20240901},
                                     "bootstrap": {"replicates": 500, "seed": 7}}
