"""Demo profiles (segmap.demo.profiles): the built-in ones meet their targets, invalid ones are rejected."""

from __future__ import annotations

import dataclasses

import pytest

from segmap.demo import PROFILES, DemoProfile, Land, Region, build_demo, write_demo_inputs
from segmap.demo.outlines import DEMOLAND_OUTLINE


TARGETS = {  # municipalities, regions, schools, census group share
    "bg": (265, 28, 2000, 0.05),
    "es": (8100, 52, 19000, 0.015),
    "be": (565, 11, 4000, 0.004),
}


@pytest.mark.parametrize("country", sorted(TARGETS))
def test_built_in_profiles_meet_targets(country):
    profile = PROFILES[country]
    municipalities, regions, schools, share = TARGETS[country]
    assert abs(profile.n_municipalities - municipalities) <= 0.1 * municipalities
    assert profile.n_regions == regions == len(profile.regions)
    assert abs(profile.n_schools - schools) <= 0.1 * schools
    assert profile.group_share == pytest.approx(share, rel=0.1)


def test_spain_uses_semicolons_and_bulgaria_kod_neispuo():
    assert PROFILES["es"].sep == ";"
    assert PROFILES["bg"].school_id_column == "kod_neispuo"
    assert PROFILES["be"].sep == "," and PROFILES["be"].school_id_column == "school_id"


def test_region_centre_must_lie_on_its_own_land():
    island = ((12.20, 47.60), (12.50, 47.55), (12.55, 47.80), (12.25, 47.85))
    profile = DemoProfile(
        n_municipalities=20,
        n_regions=2,
        lands=(Land("Demoland", DEMOLAND_OUTLINE), Land("Isle", island, 3, "02")),
        regions=(Region("01", "Main", 10.0, 48.0), Region("02", "Isle", 10.5, 47.5)),
    )
    with pytest.raises(ValueError, match="outside their own lands"):
        build_demo("xx", profile=profile)


def test_unknown_country_needs_a_profile(tmp_path):
    with pytest.raises(ValueError, match="no demo profile"):
        write_demo_inputs("xx", tmp_path)
    assert not any(tmp_path.iterdir())


def test_invalid_profile_is_rejected():
    with pytest.raises(ValueError, match="n_regions"):
        build_demo("xx", profile=DemoProfile(n_municipalities=3, n_regions=5))
    spain = PROFILES["es"]
    too_big = tuple(
        Region(r.code, r.name, r.lon, r.lat, r.code_prefixes, main_population_share=0.6) if r.code in ("51", "52")
        else r
        for r in spain.regions
    )  # fmt: skip
    with pytest.raises(ValueError, match="main_population_share"):
        build_demo("es", profile=dataclasses.replace(spain, regions=too_big))
    bulgaria = PROFILES["bg"]
    sized_capital = tuple(
        dataclasses.replace(r, main_population_share=0.1) if r.code == "BG411" else r for r in bulgaria.regions
    )
    with pytest.raises(ValueError, match="capital region"):
        build_demo("bg", profile=dataclasses.replace(bulgaria, regions=sized_capital))
