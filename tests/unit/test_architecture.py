"""Layering rules: matching/ imports nothing of ours; the domain imports no web framework."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB_PACKAGES = ("fastapi", "starlette", "jinja2", "jinja2_fragments", "marketplace.web", "marketplace.api")
EDGE = {"web", "api", "app.py", "main.py", "cli.py", "bench"}  # app.py: the composition root; bench: load generators


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(files, forbidden) -> list[str]:
    found = []
    for path in files:
        for name in imported_modules(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_matching_imports_nothing_from_marketplace():
    assert offenders((ROOT / "matching").rglob("*.py"), ("marketplace",)) == []


def test_domain_imports_no_web_framework():
    domain = [p for p in (ROOT / "marketplace").rglob("*.py")
              if p.relative_to(ROOT / "marketplace").parts[0] not in EDGE]
    assert domain, "the domain layer should have modules"
    assert offenders(domain, WEB_PACKAGES) == []


def test_the_checker_itself_catches_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from fastapi import Request\nimport marketplace.web.deps\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(offenders([bad], WEB_PACKAGES)) == 2
    finally:
        ROOT = saved
