"""The package's shape: no import cycles, no module using another module's private names, short modules,
and rules whose code inputs hold every module their stage runs."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from segmap.stages import PACKAGE_DIR, imported_modules, module_closure, module_file, module_name, stage_code

SOURCES = sorted(PACKAGE_DIR.rglob("*.py"))
MAX_LINES = 650


def import_graph(files: list[Path]) -> dict[str, set[str]]:
    """Module -> the segmap modules it imports (anywhere in the file)."""
    return {module_name(path): imported_modules(path) - {module_name(path)} for path in files}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph as a path ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def private_uses(path: Path) -> list[str]:
    """Places where a module imports another module's ``_private`` name or reads ``module._name``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: set[str] = set()  # local names bound to segmap modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("segmap"):
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.name}:{node.lineno} imports {node.module}.{alias.name}")
                if module_file(f"{node.module}.{alias.name}") is not None:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("segmap"):
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"{path.name}:{node.lineno} reads {node.value.id}.{node.attr}")
    return found


# --------------------------------------------------------------------------------------------------
# The checks fail on what they look for (a fake package with a cycle and a private import)
# --------------------------------------------------------------------------------------------------

def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_private_check_finds_private_imports_and_attributes(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text("from segmap.files import _umask\nfrom segmap import files\nfiles._umask()\n", encoding="utf-8")
    assert private_uses(fake) == ["fake.py:1 imports segmap.files._umask", "fake.py:3 reads files._umask"]


# --------------------------------------------------------------------------------------------------
# The package
# --------------------------------------------------------------------------------------------------

def test_no_import_cycles():
    assert find_cycle(import_graph(SOURCES)) is None


def test_no_module_uses_another_modules_private_names():
    files = [*SOURCES, *sorted((REPO / "rules" / "scripts").glob("*.py")), *sorted((REPO / "benchmarks").glob("*.py"))]
    assert [use for path in files for use in private_uses(path)] == []


def test_every_module_has_a_docstring_and_long_ones_say_why():
    for path in SOURCES:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring, f"{path.relative_to(PACKAGE_DIR)} has no module docstring"
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_LINES:
            assert "long" in docstring.lower(), f"{path.relative_to(PACKAGE_DIR)}: {lines} lines, no reason given"


def test_subpackages_by_concern():
    for package in ("io", "recipes", "stats", "maps", "report", "atlas", "demo", "stages"):
        assert (PACKAGE_DIR / package / "__init__.py").is_file()
    for module in ("provenance", "settings", "years", "geo", "files", "errors", "logs"):
        assert (PACKAGE_DIR / f"{module}.py").is_file()


def test_the_readers_do_not_depend_on_the_recipes():
    assert "segmap.recipes" not in module_closure("segmap.io.readers")


# --------------------------------------------------------------------------------------------------
# Rules: code inputs derived from what each stage imports
# --------------------------------------------------------------------------------------------------

def runtime_modules(module: str) -> set[str]:
    """The segmap source files that importing ``module`` (and segmap.logs) loads, in a fresh interpreter."""
    code = (f"import sys, json, importlib; importlib.import_module({module!r}); import segmap.logs; "
            "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() "
            "if n.split('.')[0] == 'segmap' and getattr(m, '__file__', None))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {str(Path(p).resolve()) for p in json.loads(result.stdout)}


def rule_stages() -> dict[str, str]:
    """Rule name -> the stage module its script calls (from rules/*.smk and rules/scripts/*.py)."""
    stages = {}
    for smk in sorted((REPO / "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        for rule, body in re.findall(r"^rule (\w+):\n(.*?)(?=^rule |\Z)", text, flags=re.M | re.S):
            script = re.search(r'script:\s*\n\s*"scripts/(\w+\.py)"', body)
            if script:
                source = (REPO / "rules" / "scripts" / script.group(1)).read_text(encoding="utf-8")
                stages[rule] = re.search(r"from segmap\.stages\.(\w+) import", source).group(1)
    return stages


def missing_code_inputs(rule_inputs: set[str], stage: str) -> set[str]:
    """The modules that the rule's stage loads but that are not among the rule's inputs."""
    return runtime_modules(f"segmap.stages.{stage}") - {str(Path(p).resolve()) for p in rule_inputs}


def test_every_rule_script_calls_a_stage_module_named_after_its_rule():
    stages = rule_stages()
    assert set(stages) == {"demo_inputs", "ingest", "code_check", "prepare_geometry", "indices", "publish", "maps", "change_map",
                           "region_maps", "report", "atlas"}
    assert all(rule == stage for rule, stage in stages.items())


def test_the_missing_input_check_finds_a_missing_module():
    inputs = set(stage_code("maps")) - {str(PACKAGE_DIR / "maps" / "captions.py")}
    assert missing_code_inputs(inputs, "maps") == {str(PACKAGE_DIR / "maps" / "captions.py")}


def test_stage_code_holds_every_module_the_stage_loads():
    for stage in set(rule_stages().values()):
        assert missing_code_inputs(set(stage_code(stage)), stage) == set(), stage


@pytest.mark.slow
def test_the_workflows_rules_depend_on_every_module_their_stage_loads():
    """The input files of every rule as Snakemake's DAG has them (``--filegraph``: per rule its input and
    output files; unlike ``--detailed-summary``, not the inputs recorded when existing outputs were made)."""
    result = subprocess.run([sys.executable, "-m", "snakemake", "--nolock", "--forceall", "--filegraph",
                             "--cores", "1"], cwd=REPO, capture_output=True, text=True, check=True)
    inputs: dict[str, set[str]] = {}
    for rule, node in re.findall(r'<font point-size="18">(\w+)</font>(.*?)(?=<font point-size="18">|\Z)',
                                 result.stdout, flags=re.S):
        listed = node.split("output &rarr;")[0]
        inputs.setdefault(rule, set()).update(re.findall(r'<font face="monospace">([^<]+)</font>', listed))
    stages = rule_stages()
    assert set(stages) <= set(inputs)
    for rule, stage in stages.items():
        assert missing_code_inputs(inputs[rule], stage) == set(), rule


def test_a_caption_edit_reruns_only_the_maps_reports_and_atlases():
    captions = str(PACKAGE_DIR / "maps" / "captions.py")
    users = {stage for stage in set(rule_stages().values()) if captions in stage_code(stage)}
    assert users == {"maps", "change_map", "report", "atlas"}  # the atlas's legends are the maps' legends
