"""The pipeline's stages: one module per Snakemake rule, holding the function its rule script calls.

========================  ======================================  ===========================
rule                      module                                  function
========================  ======================================  ===========================
``demo_inputs``           :mod:`segmap.stages.demo_inputs`        ``write_demo_country``
``ingest``                :mod:`segmap.stages.ingest`             ``ingest_country``
``prepare_geometry``      :mod:`segmap.stages.prepare_geometry`   ``prepare_geometry``
``indices``               :mod:`segmap.stages.indices`            ``compute_indices``
``publish``               :mod:`segmap.stages.publish`            ``publish_tables``
``maps``                  :mod:`segmap.stages.maps`               ``draw_maps``
``change_map``            :mod:`segmap.stages.change_map`         ``draw_change_map``
``region_maps``           :mod:`segmap.stages.region_maps`        ``draw_region_maps``
``report``                :mod:`segmap.stages.report`             ``build_report``
``atlas``                 :mod:`segmap.stages.atlas`              ``build_atlas``
========================  ======================================  ===========================

The functions take file paths and plain settings and can be called from Python or a notebook to rerun one
stage by hand. They read and write files; the work is done by the subpackages (``io``, ``recipes``,
``stats``, ``maps``, ``report``).

:func:`stage_code` lists the source files a stage runs — its module and everything it imports from segmap,
transitively, found by reading the sources (also imports inside functions) — so that each rule's code
inputs are derived, not kept by hand: editing a map caption reruns the maps and reports, not the ingest.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = PACKAGE_DIR.name


def module_file(name: str) -> Path | None:
    """The source file of a segmap module or package (``segmap.maps`` -> ``maps/__init__.py``), or None."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path) -> str:
    """``.../segmap/maps/national.py`` -> ``segmap.maps.national``."""
    relative = path.resolve().relative_to(PACKAGE_DIR).with_suffix("")
    parts = [PACKAGE, *relative.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """The segmap modules a source file imports, anywhere in the file (``import a.b``, ``from a import b``,
    ``from .b import c``); a name imported from a package counts as a module when it is one."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return {module for module in found if module_file(module) is not None}


def with_parents(module: str) -> list[str]:
    """A module and the packages that contain it (their ``__init__`` runs first)."""
    parts = module.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts) + 1)]


@lru_cache(maxsize=None)
def module_closure(*modules: str) -> tuple[str, ...]:
    """The modules (sorted) that importing ``modules`` runs: themselves, their packages and, transitively,
    every segmap module they import."""
    seen: set[str] = set()
    pending = [parent for module in modules for parent in with_parents(module)]
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        path = module_file(module)
        if path is None:
            raise ModuleNotFoundError(f"{module} is not a module of {PACKAGE} ({PACKAGE_DIR})")
        seen.add(module)
        for imported in imported_modules(path):
            pending.extend(parent for parent in with_parents(imported) if parent not in seen)
    return tuple(sorted(seen))


def stage_code(stage: str) -> list[str]:
    """The source files behind rule ``stage``: its stage module, :mod:`segmap.logs` (every rule script logs
    through it) and all they import from segmap, as paths for a rule's ``input:``."""
    modules = module_closure(f"{PACKAGE}.stages.{stage}", f"{PACKAGE}.logs")
    return [str(module_file(module)) for module in modules]
