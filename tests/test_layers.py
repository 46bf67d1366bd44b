"""The packages of `pipelines` are layers: each imports only the packages below it (pipelines.LAYERS), no
module imports itself back through others, and nothing under pipelines imports streamlit or the pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pipelines

ROOT = Path(pipelines.__file__).parent


def _modules(root: Path = ROOT) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imports(path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """Every module of the project `path` imports, at any depth of the file (function-level imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        targets = set()
        for name in names:
            # the longest prefix that is a module of ours: `pipelines.core.filters.Filters` -> pipelines.core.filters
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name not in ("pipelines", "views"):
                targets.add(name)
        if isinstance(node, ast.ImportFrom) and len(targets) > 1:
            targets.discard(node.module)  # `from pkg import a, b`: the modules a and b, not pkg's __init__ besides
        found += [(name, node.lineno) for name in sorted(targets)]
    return found


def _package(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in pipelines.LAYERS) else None


def test_every_package_imports_only_the_packages_below_it():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        src = _package(module)
        if src is None:  # pipelines/__init__, cli, bench, __main__: on top, they may import anything
            continue
        for target, line in _imports(path, modules):
            dst = _package(target)
            if dst is None:
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line} imports {target}, which sits on top")
            elif pipelines.LAYERS.index(dst) > pipelines.LAYERS.index(src):
                wrong.append(f"{path.relative_to(ROOT.parent)}:{line} ({src}) imports {target} ({dst}), a layer above")
    assert wrong == []


def test_every_package_is_a_declared_layer_with_its_rule_written_down():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - {"__pycache__"}
    assert packages == set(pipelines.LAYERS)
    for name in pipelines.LAYERS:
        doc = ast.get_docstring(ast.parse((ROOT / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Import" in doc, f"pipelines/{name}/__init__.py must say what it holds and what it may import"


def _circles(modules: dict[str, Path]) -> list[list[str]]:
    """The groups of modules that import one another round (Tarjan's strongly connected components)."""
    # a package's __init__ re-exporting its own modules is no arrow back
    graph = {m: {t for t, _ in _imports(p, modules)
                 if t != m and not (p.name == "__init__.py" and t.startswith(m + "."))} for m, p in modules.items()}
    index, low, stack, on, cycles = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_no_module_imports_itself_back_through_others():
    assert _circles(_modules()) == []


def test_no_page_helper_imports_itself_back_through_others():
    """views/: the helpers the pages draw with (_widgets, _blocks, _state, ...) import one another one way too
    (the records dialog lives with the charts that open it, not in _blocks that draws with them)."""
    assert _circles(_modules(ROOT.parent / "views")) == []


def test_pipelines_never_imports_streamlit_or_the_pages():
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n.split(".")[0] in ("streamlit", "views") for n in names), path
