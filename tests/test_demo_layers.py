"""The demo builder follows the apps' layering: members ← recruitment ← reports. Each app builds its
own part of the demo and the orchestrator (`reports.demo`) runs them, so the members and recruitment
demo packages never import an app above them."""

import ast
from pathlib import Path

import pytest
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
# Package: the apps it must not import.
FORBIDDEN = {
    "members/demo": ("recruitment", "reports"),
    "recruitment/demo": ("reports",),
}


def imported_modules(path: Path) -> set[str]:
    """Absolute names of the modules a file imports, relative imports resolved, lazy ones included."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_demo_package_imports_no_app_above_its_own(package):
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in files
        for module in imported_modules(path)
        if module.split(".")[0] in FORBIDDEN[package]
    }
    assert not wrong


def test_the_layer_check_sees_relative_and_lazy_imports(tmp_path, monkeypatch):
    """The checker itself: a relative import climbing into another app and an import inside a function."""
    source = tmp_path / "members" / "demo" / "x.py"
    source.parent.mkdir(parents=True)
    source.write_text("from ...reports import demo\n\ndef f():\n    import recruitment.demo\n")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert {"reports", "reports.demo", "recruitment.demo"} <= imported_modules(source)


def test_the_demo_commands_belong_to_the_top_layer():
    commands = get_commands()
    assert commands["load_demo"] == "reports"
    assert commands["demo_logins"] == "reports"
