"""The house's one-way dependencies: members ← recruitment ← reports.

Every import statement, at module level or inside a function, is read with `ast`; a lower app that
imports an upper one fails here with the file and line. Lower layers announce changed figures through
partyhub/figures.py instead.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["members", "recruitment", "reports"]


def _imported_modules(path: Path, root: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # Resolve "from ..x import y" against the file's own package.
                base = package.split(".")[: -node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def upward_imports(app: str, root: Path = ROOT) -> list[str]:
    above = LAYERS[LAYERS.index(app) + 1 :]
    found = []
    for path in sorted((root / app).rglob("*.py")):
        for lineno, module in _imported_modules(path, root):
            top = module.split(".")[0]
            if top in above:
                found.append(f"{path.relative_to(root)}:{lineno} imports {module}")
    return found


@pytest.mark.parametrize("app", ["members", "recruitment"])
def test_no_lower_app_imports_an_upper_one(app):
    assert upward_imports(app) == []


def test_the_walk_sees_an_upward_import_inside_a_function(tmp_path):
    # The check above must be able to fail: a function-level import in a lower app is caught.
    (tmp_path / "members").mkdir()
    (tmp_path / "members" / "bad.py").write_text("def f():\n    from reports.jobs import request_recompute\n")
    assert upward_imports("members", tmp_path) == [
        "members/bad.py:2 imports reports.jobs",
        "members/bad.py:2 imports reports.jobs.request_recompute",
    ]
