"""matching/ must import nothing from marketplace/."""

import ast
from pathlib import Path

import matching

ROOT = Path(matching.__file__).parent


def test_matching_does_not_import_marketplace():
    offenders = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "marketplace"]
    assert offenders == []
