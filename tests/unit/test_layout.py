"""gan_core's rooms and the one way their imports flow (docs/architecture.md: The rooms).

engine (torch, numpy, scikit-learn) <- figures (Plotly, Pillow) <- live (processes) <- the
entry points at the top (cli, presets, sweep, export). For the direction every import
counts, also those inside functions and under TYPE_CHECKING: a lazy import is still a
dependency, and a lower room does not even name a higher one's types. Circles are
looked for among what runs (a trainer and its cohort name each other's types).

And no module of the app is over MAX_LINES lines: a longer one holds more than one concept.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "gan_core"
RANK = {"engine": 0, "figures": 1, "live": 2, "top": 3}
OUTSIDE = ("streamlit", "ui", "app_pages")
"""What no module of gan_core imports: the pages sit above it."""
MAX_LINES = 450
SIZED = ("gan_core", "ui", "app_pages", "app.py", "serve.py")
"""Where no module may be longer than MAX_LINES: folders (every .py in them) and files."""


def room(module: str) -> str:
    """``gan_core.engine.trainer`` -> engine; ``gan_core.cli`` -> top."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in RANK else "top"


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts)
        out[name.removesuffix(".__init__")] = path
    return out


def imports(path: Path, known: set[str], typing: bool = True) -> set[str]:
    """Every module ``path`` imports (gan_core's by full name, others by their top name);
    without ``typing``, not those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text())
    hidden = set()
    for node in ast.walk(tree):
        if not typing and isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            hidden |= {id(n) for part in node.body for n in ast.walk(part)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:  # from gan_core.engine import targets: a module
                child = f"{node.module}.{alias.name}"
                found.add(child if child in known else node.module)
    return {m if m.startswith("gan_core") else m.split(".")[0] for m in found}


def graph(typing: bool = True) -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, set(known), typing) for name, path in known.items()}


def wrong_way(deps: dict[str, set[str]]) -> list[str]:
    """Each import that goes up or sideways out of its room, or into the CLI or the pages."""
    bad = []
    for module, targets in deps.items():
        for target in sorted(targets):
            if target in OUTSIDE:
                bad.append(f"{module} imports {target}")
            elif not target.startswith("gan_core."):
                continue  # (the package itself: its __init__ runs before any of it)
            elif target == "gan_core.cli" and module != "gan_core.__main__":
                bad.append(f"{module} imports the CLI")
            elif RANK[room(target)] > RANK[room(module)]:
                bad.append(f"{module} ({room(module)}) imports {target} ({room(target)})")
    return bad


def circles(deps: dict[str, set[str]]) -> list[list[str]]:
    """Import circles among gan_core's modules (depth-first search for back edges)."""
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(deps.get(node, ())):
            if nxt not in deps or nxt == node or not nxt.startswith("gan_core."):
                continue  # (a package's __init__ is not a dependency of its modules)
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(deps):
        if module not in state:
            visit(module, [module])
    return found


def test_every_module_sits_in_a_room_with_a_docstring():
    for sub in ("engine", "figures", "live"):
        doc = ast.get_docstring(ast.parse((PACKAGE / sub / "__init__.py").read_text()))
        assert doc, f"gan_core/{sub} says what lives there"
    assert {room(m) for m in modules()} == set(RANK)


def test_imports_flow_one_way():
    assert wrong_way(graph()) == []


def test_no_import_circles():
    assert circles(graph(typing=False)) == []


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("gan_core.engine.trainer", "gan_core.figures.plots"),
        ("gan_core.engine.snapshot", "gan_core.live.history"),
        ("gan_core.figures.plots", "gan_core.live.runner"),
        ("gan_core.live.worker", "gan_core.presets"),
        ("gan_core.presets", "gan_core.cli"),
        ("gan_core.figures.plots", "streamlit"),
    ],
)
def test_the_checks_catch_a_wrong_import(module, target):
    deps = graph()
    deps[module] = deps[module] | {target}
    assert wrong_way(deps), f"{module} -> {target} should be refused"


def test_the_checks_catch_a_circle():
    deps = graph(typing=False)
    deps["gan_core.figures.base"] = deps["gan_core.figures.base"] | {"gan_core.figures.plots"}
    assert circles(deps)


def sized_modules() -> list[Path]:
    """Every module SIZED names, in order."""
    out = []
    for name in SIZED:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def line_count(path: Path) -> int:
    """Lines as ``wc -l`` counts them: newline characters."""
    return path.read_bytes().count(b"\n")


def too_long(paths: list[Path]) -> list[str]:
    """Each module over MAX_LINES lines, named with its length."""
    bad = []
    for path in paths:
        n = line_count(path)
        if n > MAX_LINES:
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            bad.append(f"{name}: {n} lines (at most {MAX_LINES}; split it by concept)")
    return bad


def test_no_module_over_the_line_limit():
    paths = sized_modules()
    assert ROOT / "app.py" in paths and ROOT / "serve.py" in paths
    assert any(p.parent.name == "app_pages" for p in paths)
    assert too_long(paths) == []


def test_the_check_catches_a_long_module(tmp_path):
    fine = tmp_path / "fine.py"
    fine.write_text("x = 1\n" * MAX_LINES)
    no_last_newline = tmp_path / "no_last_newline.py"  # (wc -l counts 450 here too)
    no_last_newline.write_text("x = 1\n" * MAX_LINES + "x = 1")
    long = tmp_path / "long.py"
    long.write_text("x = 1\n" * (MAX_LINES + 1))
    assert too_long([fine, no_last_newline]) == []
    assert too_long([fine, long, no_last_newline]) == [
        f"{long}: {MAX_LINES + 1} lines (at most {MAX_LINES}; split it by concept)"
    ]
