"""No module reaches into another one's private helpers, and reports/ keeps its rooms.

A name with a leading underscore is private to its module: `from reports.x import _helper` in another
module (also `from . import _helper` from a sibling) fails here with the file and line. A helper that
two modules need is made public in a module named after what it knows (reports/navigation.py,
reports/progress/selection.py, reports/exports/responses.py).

reports/ is split by capability (docs/architecture.md): a view, url, import or quota module at its
top level is a sign that a capability is growing outside its subpackage.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Directories that hold no project module.
NOT_PROJECT = {".git", ".venv", "node_modules", "staticfiles", "static", "templates", "locale", "docs", "tests"}
# Top-level files of reports/ that belong in a capability's subpackage.
MISPLACED_IN_REPORTS = ("views_*.py", "urls_*.py", "import_*.py", "quota_*.py")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def project_files(root: Path = ROOT) -> list[Path]:
    """Every .py file of the project outside tests/ (and outside the virtualenv and the like)."""
    return sorted(
        path
        for path in root.rglob("*.py")
        if not set(path.relative_to(root).parts[:-1]) & NOT_PROJECT and not path.name.startswith(".")
    )


def project_top_names(root: Path = ROOT) -> set[str]:
    """The importable names the project defines at its top: its packages and top-level modules."""
    names = {p.parent.name for p in root.glob("*/__init__.py") if p.parent.name not in NOT_PROJECT}
    return names | {p.stem for p in root.glob("*.py")}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(root: Path = ROOT) -> list[str]:
    """`file:line imports module._name` for every private name imported from another project module."""
    top_names = project_top_names(root)
    found = []
    for path in project_files(root):
        own = _module_name(path, root)
        # The package a relative import starts from ("a/b/c.py" and "a/b/__init__.py" are both in a.b).
        dotted = ".".join(path.relative_to(root).with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = dotted.split(".")[: -node.level]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.split(".")[0] not in top_names or module == own:
                continue
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{path.relative_to(root)}:{node.lineno} imports {module}.{alias.name}")
    return found


def misplaced_report_modules(root: Path = ROOT) -> list[str]:
    reports = root / "reports"
    return sorted(str(p.relative_to(root)) for pattern in MISPLACED_IN_REPORTS for p in reports.glob(pattern))


def test_no_module_imports_another_modules_private_name():
    assert private_imports() == []


def test_reports_has_no_top_level_view_url_import_or_quota_modules():
    assert misplaced_report_modules() == []


def test_the_walk_sees_the_project_and_leaves_tests_out():
    files = {str(p.relative_to(ROOT)) for p in project_files()}
    assert {"reports/urls.py", "reports/progress/jobs.py", "members/scoping.py", "partyhub/settings.py"} <= files
    assert not any(f.startswith("tests/") for f in files)


def _write(root: Path, relative: str, text: str = "") -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_checks_can_fail(tmp_path):
    for package in ("reports", "reports/progress", "members"):
        _write(tmp_path, f"{package}/__init__.py")
    _write(tmp_path, "reports/progress/selection.py", "def _period_from(request):\n    pass\n")
    # Absolute, relative from a sibling, relative from a subpackage, inside a function: all refused.
    _write(tmp_path, "reports/progress/views.py", "from .selection import _period_from\nfrom . import _shared\n")
    _write(tmp_path, "reports/exports.py", "def f():\n    from reports.progress.selection import _period_from\n")
    _write(tmp_path, "members/views.py", "import reports\nfrom reports import _x as y\n")
    # Allowed: a module's own names, public names, dunders, and private names of other libraries.
    _write(tmp_path, "reports/progress/__init__.py", "from . import _own\nfrom .selection import __doc__\n")
    _write(tmp_path, "reports/progress/jobs.py", "from django.utils import _os\nfrom . import selection\n")
    # Tests may reach into private helpers; they are not walked.
    _write(tmp_path, "tests/test_x.py", "from reports.progress.selection import _period_from\n")
    assert private_imports(tmp_path) == [
        "members/views.py:2 imports reports._x",
        "reports/exports.py:2 imports reports.progress.selection._period_from",
        "reports/progress/views.py:1 imports reports.progress.selection._period_from",
        "reports/progress/views.py:2 imports reports.progress._shared",
    ]
    _write(tmp_path, "reports/views_jobs.py")
    _write(tmp_path, "reports/quota_math.py")
    _write(tmp_path, "reports/progress/views.py")  # inside a subpackage: fine
    assert misplaced_report_modules(tmp_path) == ["reports/quota_math.py", "reports/views_jobs.py"]
