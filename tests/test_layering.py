"""The layering rules, read from the source with ``ast``, and the layout rules of the README.

* ``graph/`` is the library: it never imports flask, click, rich, werkzeug, waitress or
  ``esgkg.service`` (the CLI and the web service format what it returns).
* ``service/backends/`` runs SPARQL under limits, also inside worker processes: no flask, no
  werkzeug.
* Nobody imports another module's private name (``from x import _name``): a name used
  across modules is public, or it is not used there.

Every import counts, also those inside functions and under ``if TYPE_CHECKING:``.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = REPO = Path(__file__).resolve().parents[1]
# The folders are installed as sub-packages of `esgkg` (pyproject.toml [tool.setuptools]).
PACKAGES = {"graph": "esgkg.graph", "service": "esgkg.service"}

GRAPH_FORBIDDEN = ("flask", "click", "rich", "werkzeug", "waitress", "esgkg.service")
BACKENDS_FORBIDDEN = ("flask", "werkzeug")

# (file, imported name) pairs allowed to cross a module boundary although private. Only for
# files another developer owns (service/backends/*, service/server.py, graph/sparql_text.py);
# each needs a comment saying why. Empty today: keep it that way.
PRIVATE_IMPORTS_ALLOWED: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    folder, *rest = path.relative_to(ROOT).with_suffix("").parts
    parts = [PACKAGES[folder], *rest]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) for every import in ``path``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.append((node.lineno, target, [alias.name for alias in node.names]))
    return found


def _files(folder: str, pattern: str = "**/*.py") -> list[Path]:
    files = sorted((ROOT / folder).glob(pattern))
    assert files, f"no Python files under {folder}/"
    return files


def _is_under(module: str, roots: tuple[str, ...]) -> str | None:
    return next((r for r in roots if module == r or module.startswith(r + ".")), None)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _violations(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in files:
        for line, module, names in _imports(path):
            # `from esgkg import service` names the package in the imported names.
            candidates = [module, *(f"{module}.{n}" for n in names)]
            hit = next((r for c in candidates if (r := _is_under(c, forbidden))), None)
            if hit:
                out.append(f"{_rel(path)}:{line} imports {hit}")
    return out


def test_graph_imports_no_ui_web_or_service() -> None:
    assert _violations(_files("graph"), GRAPH_FORBIDDEN) == []


def test_backends_import_no_flask() -> None:
    assert _violations(_files("service", "backends/*.py"), BACKENDS_FORBIDDEN) == []


def test_no_private_names_cross_modules() -> None:
    found = []
    for path in [*_files("graph"), *_files("service")]:
        for line, module, names in _imports(path):
            for name in names:
                if name.startswith("_") and not name.startswith("__") \
                        and (_rel(path), name) not in PRIVATE_IMPORTS_ALLOWED:
                    found.append(f"{_rel(path)}:{line} imports {name} from {module}")
    assert found == []


@pytest.mark.parametrize(("source", "expected"), [
    ("import flask\n", ["graph/probe.py:1 imports flask"]),
    ("from rich.console import Console\n", ["graph/probe.py:1 imports rich"]),
    ("def f():\n    import click\n", ["graph/probe.py:2 imports click"]),
    ("from ..service import app\n", ["graph/probe.py:1 imports esgkg.service"]),
    ("from esgkg import service\n", ["graph/probe.py:1 imports esgkg.service"]),
    ("from .store import StoreRoot\nimport pyoxigraph\n", []),
])
def test_the_scanner_sees_what_it_must(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       source: str, expected: list[str]) -> None:
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    (tmp_path / "graph").mkdir()
    probe = tmp_path / "graph" / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert _violations([probe], GRAPH_FORBIDDEN) == expected


def _area_of(rule: str) -> str:
    first = rule.strip("/").split("/", 1)[0].removesuffix(".json")  # /queries.json: the twin of /queries
    # The root, its twin /.json and what browsers ask the root for are the front door's.
    return {"update": "sparql", "store": "sparql", "": "home", "favicon.ico": "home"}.get(first, first)


def test_every_url_area_lives_in_the_module_named_after_it() -> None:
    """URL /x is served by a blueprint ``bp`` of service/x.py or service/x/; paths that are no
    area of their own (``/<path>``, /sitemap.xml) belong to linked data."""
    from esgkg.service.app import create_app
    from esgkg.service.config import Config

    app = create_app(Config(store="/nonexistent"), backend=object())  # type: ignore[arg-type]
    def is_area(name: str) -> bool:  # a module or package of service/ named after the path
        return bool(name) and ((REPO / "service" / f"{name}.py").is_file() or (REPO / "service" / name).is_dir())

    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        module = view.__module__.removeprefix("esgkg.service.")
        area = _area_of(rule.rule)
        expected = area if is_area(area) and area not in ("commands", "backends", "templates", "static") else "linked_data"
        assert module.split(".")[0] == expected, f"{rule.rule} is served from {module}, not service/{expected}"
        blueprint = sys.modules[view.__module__].bp
        assert rule.endpoint.startswith(blueprint.name + "."), rule.rule
        checked += 1
    assert checked >= 15


def test_every_template_is_in_its_areas_folder() -> None:
    templates = REPO / "service" / "templates"
    top = sorted(p.name for p in templates.glob("*.html"))
    assert top == ["base.html", "error.html"]  # shared by every area
    areas = {p.name for p in templates.iterdir() if p.is_dir()}
    assert {"home", "search", "sparql", "queries", "sdg", "dumps", "linked_data"} <= areas
    for area in areas:
        module = REPO / "service" / (area if (REPO / "service" / area).is_dir() else area + ".py")
        assert module.exists(), f"templates/{area}/ has no service/{area}"
