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


# ---------------------------------------------------------------- issue 9: one way to move, commit, import
MARKETPLACE = ROOT / "marketplace"
ROUTE_MODULES = ("web/routes", "api")
QUERY_FUNCTIONS = {"select", "update", "delete", "insert", "func", "col", "text", "and_", "or_", "not_"}
TRANSACTION_CALLS = {"commit", "rollback"}
ENTRY_POINTS = {"app", "main", "cli", "bench", "migrations"}  # wire packages together; nothing imports them


def route_files(root: Path) -> list[Path]:
    return [p for d in ROUTE_MODULES for p in (root / "marketplace" / d).rglob("*.py")]


def route_offences(path: Path) -> list[str]:
    """Query builders imported from sqlmodel/sqlalchemy, and commit()/rollback() calls."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("sqlmodel",
                                                                                              "sqlalchemy"):
            found += [f"{path.name} imports {node.module}.{a.name}" for a in node.names if a.name in QUERY_FUNCTIONS]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in TRANSACTION_CALLS:
            found.append(f"{path.name}:{node.lineno} calls {node.func.attr}()")
    return found


def test_routes_hold_no_sql_and_never_touch_the_transaction():
    files = route_files(ROOT)
    assert len(files) > 10
    assert [o for p in files for o in route_offences(p)] == []


def package_of(path: Path, root: Path) -> str:
    return path.relative_to(root / "marketplace").parts[0].removesuffix(".py")


def package_graph(root: Path) -> dict[str, set[str]]:
    """marketplace package → the marketplace packages it imports (function-local imports included)."""
    graph: dict[str, set[str]] = {}
    for path in (root / "marketplace").rglob("*.py"):
        source = package_of(path, root)
        for name in imported_modules(path) | from_imports(path):
            parts = name.split(".")
            if parts[0] == "marketplace" and len(parts) > 1 and parts[1] != source:
                graph.setdefault(source, set()).add(parts[1])
    return graph


def from_imports(path: Path) -> set[str]:
    """`from marketplace import x` names the package x."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "marketplace" and node.level == 0:
            names |= {f"marketplace.{a.name}" for a in node.names}
    return names


def two_way_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, set()))


def test_no_two_marketplace_packages_import_each_other():
    graph = package_graph(ROOT)
    assert {"challenges", "bids", "accounts", "search"} <= set(graph)
    assert two_way_imports(graph) == []


def test_nothing_imports_an_entry_point():
    graph = package_graph(ROOT)
    assert sorted((a, b) for a, targets in graph.items() for b in targets
                  if b in ENTRY_POINTS and a not in ENTRY_POINTS) == []


def status_assignments(path: Path) -> list[str]:
    """`x.status = …` (plain, tuple, augmented or annotated) and `setattr(x, "status", …)`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AugAssign | ast.AnnAssign) else []
        for target in targets:
            for t in target.elts if isinstance(target, ast.Tuple | ast.List) else [target]:
                if isinstance(t, ast.Attribute) and t.attr == "status":
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr" \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "status":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_states_move_only_through_the_transition_helper():
    files = [p for p in MARKETPLACE.rglob("*.py") if p != MARKETPLACE / "states.py"]
    assert [o for p in files for o in status_assignments(p)] == []


def test_the_new_rules_catch_planted_violations(tmp_path):
    global ROOT
    routes = tmp_path / "marketplace" / "web" / "routes"
    routes.mkdir(parents=True)
    (routes / "bad.py").write_text("from sqlmodel import Session, select\nfrom sqlalchemy import func\n"
                                   "def view(session):\n    session.rollback()\n    session.commit()\n")
    assert len(route_offences(routes / "bad.py")) == 4  # select, func, rollback, commit (not Session)
    for name, body in {"one": "from marketplace.two import x\n", "two": "def f():\n    from marketplace import one\n",
                       "three": "import marketplace.one\n"}.items():
        (tmp_path / "marketplace" / name).mkdir()
        (tmp_path / "marketplace" / name / "__init__.py").write_text(body)
    assert two_way_imports(package_graph(tmp_path)) == [("one", "two")]
    status = tmp_path / "status.py"
    status.write_text("row.status = 'x'\nrow.status, row.at = 'x', 1\nsetattr(row, 'status', 'x')\nrow.state = 1\n")
    saved, ROOT = ROOT, tmp_path
    try:
        assert len(status_assignments(status)) == 3
    finally:
        ROOT = saved


# ---------------------------------------------------------------- issue 9: shapes beside the domain, forms in one place
API_SHARED = "schemas.py"  # api/schemas.py: the shared error envelope only
FORM_TYPES = {"FormDep", "FormData"}
FORM_READERS = {"form", "form_dict"}  # request.form(…), form_dict(…): only marketplace/web/forms reads fields


def api_models(path: Path) -> list[str]:
    """Classes defined in an /api/v1 route module (its input and output shapes belong to the domain)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.name}:{node.lineno} defines {node.name}" for node in tree.body if isinstance(node, ast.ClassDef)]


def _names(node: ast.AST | None) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} if node is not None else set()


def form_reads(path: Path) -> list[str]:
    """Form fields read in a web route module: `form.get(…)`, `form[…]`, `for key in form` on a form (a
    parameter typed FormDep/FormData, or any name `form`), and calls of request.form()/form_dict()."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    forms = {"form"}
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            forms |= {a.arg for a in fn.args.args + fn.args.kwonlyargs if _names(a.annotation) & FORM_TYPES}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.value, ast.Name) \
                and node.value.id in forms:
            found.append(f"{path.name}:{node.lineno} reads {node.value.id}")
        elif isinstance(node, ast.For | ast.comprehension) and isinstance(node.iter, ast.Name) \
                and node.iter.id in forms:
            found.append(f"{path.name}:{getattr(node, 'lineno', node.iter.lineno)} iterates {node.iter.id}")
        elif isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if called in FORM_READERS:
                found.append(f"{path.name}:{node.lineno} calls {called}()")
    return found


def test_api_route_modules_define_no_pydantic_shapes():
    files = [p for p in (MARKETPLACE / "api").glob("*.py") if p.name != API_SHARED]
    assert len(files) > 8
    assert [o for p in files for o in api_models(p)] == []


def test_web_routes_read_form_fields_only_through_the_forms_modules():
    files = list((MARKETPLACE / "web" / "routes").glob("*.py"))
    assert len(files) > 10 and (MARKETPLACE / "web" / "forms" / "__init__.py").exists()
    assert [o for p in files for o in form_reads(p)] == []


def test_the_shape_and_form_rules_catch_planted_violations(tmp_path):
    api = tmp_path / "api.py"
    api.write_text("from pydantic import BaseModel\nclass ThingOut(BaseModel):\n    id: int\n")
    assert len(api_models(api)) == 1
    route = tmp_path / "route.py"
    route.write_text("async def a(request, form: FormDep, data: Annotated[FormData, x]):\n"
                     "    x = form.get('a'); y = data.getlist('b'); z = form['c']\n"
                     "    f = await request.form(max_part_size=1)\n    return form_dict(f)\n"
                     "def b(form, session):\n    return forms.challenge(form), session.get(1), [k for k in form]\n")
    # get, getlist, [ ], request.form(), form_dict(), iteration; not forms.challenge(form) nor session.get
    assert len(form_reads(route)) == 6
