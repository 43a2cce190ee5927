"""The package's import picture in numbers: import cycles, imports that point up the layers,
top-level modules, and modules or functions past their size limits.

    python tools/layers.py            # the report
    python tools/layers.py --check    # exit 1 on a cycle, an upward import or a size past its limit

Every ``import`` counts, those inside functions included (a lazy import still ties two modules
together). Layers, bottom first (DESIGN section 2): a module may import its own layer and the
layers below it, never one above. ``peql/__init__.py`` is the public facade: nothing inside the
package may import it, and it may import anything. tests/test_layers.py runs ``--check``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "peql"

#: Layer of every part of the package, bottom first. A part is a subpackage or a top-level module.
#: Names of the layout before the tasks existed (peql/latent.py, peql/evaluate.py, ...) are mapped
#: too, so the same command measures an older checkout.
LAYERS = [
    ("contract", ["_version", "coerce", "registry", "hookspecs", "results"]),
    ("components", ["nn", "data"]),
    ("engines", ["fit", "baselines", "bench"]),
    ("symbolic", ["symbolic"]),
    ("evaluate", ["evaluate"]),
    ("report", ["report", "paper_results", "dynamics_report"]),
    ("tasks", ["tasks", "latent", "dynamics"]),
    ("plugins", ["builtin", "plugins", "testing"]),
    ("pipeline", ["pipeline", "workflow_config"]),
    ("discover", ["discover", "regressor", "user_data", "discover_figures"]),
    ("suite", ["suite"]),
    ("cli", ["cli", "__main__"]),
]
RANK = {part: i for i, (_, parts) in enumerate(LAYERS) for part in parts}
MAX_MODULE_LINES, MAX_FUNCTION_LINES, MAX_TOP_LEVEL = 400, 60, 10


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _resolve(importer: str, is_package: bool, node: ast.AST, known: set[str]) -> list[str]:
    """The package modules an import statement names (``from .a import b`` is ``a.b`` when that
    is a module, else ``a``)."""
    out = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == "peql" or alias.name.startswith("peql."):
                out.append(alias.name)
        return out
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
        if target != "peql" and not target.startswith("peql."):
            return out
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append(sub if sub in known else target)
    return out


def import_graph() -> dict[str, set[str]]:
    """importer -> imported package modules (every import, function bodies included)."""
    mods = modules()
    known = set(mods)
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in mods.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _resolve(name, path.name == "__init__.py", node, known):
                    while target not in known and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target in known and target != name:
                        graph[name].add(target)
    return graph


def part(module: str) -> str:
    pieces = module.split(".")
    if len(pieces) > 2 and pieces[2] == "cli" or (len(pieces) > 1 and pieces[-1] == "cli"):
        return "cli"   # a subpackage's command-line verbs sit on top
    return pieces[1] if len(pieces) > 1 else "__init__"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
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
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(set(graph) | {w for ws in graph.values() for w in ws}):
        if v not in index:
            visit(v)
    return sorted(out)


def upward(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """Imports from a lower layer to a higher one, and any import of the ``peql`` facade."""
    bad = []
    for a, targets in graph.items():
        for b in targets:
            pa, pb = part(a), part(b)
            if pb == "__init__" and pa != "__init__":
                bad.append((a, b))
            elif pa in RANK and pb in RANK and RANK[pb] > RANK[pa]:
                bad.append((a, b))
    return sorted(bad)


def long_functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text())
    return [(f"{module_name(path)}.{n.name}", n.end_lineno - n.lineno + 1) for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]


def report() -> dict:
    graph = import_graph()
    mods = modules()
    top = sorted(n for n, p in mods.items() if p.parent == ROOT and p.name != "__init__.py")
    unplaced = sorted({part(m) for m in mods} - set(RANK) - {"__init__"})
    return {
        "modules": len(mods),
        "arrows": sum(len(v) for v in graph.values()),
        "cycles": cycles(graph),
        "upward": upward(graph),
        "top_level": top,
        "unplaced": unplaced,
        "long_modules": sorted((n, len(p.read_text().splitlines())) for n, p in mods.items()
                               if len(p.read_text().splitlines()) > MAX_MODULE_LINES),
        "long_functions": sorted(f for p in mods.values() for f in long_functions(p)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a limit is broken")
    parser.add_argument("--repo", type=Path, help="measure another checkout (default: this one)")
    args = parser.parse_args(argv)
    if args.repo is not None:
        global ROOT
        ROOT = args.repo.resolve() / "peql"
    r = report()
    print(f"{r['modules']} modules, {r['arrows']} import arrows")
    print(f"import cycles: {len(r['cycles'])}")
    for c in r["cycles"]:
        print("  " + " <-> ".join(c))
    print(f"upward imports: {len(r['upward'])} of {r['arrows']}")
    for a, b in r["upward"]:
        print(f"  {a} -> {b}")
    print(f"top-level modules: {len(r['top_level'])} (limit {MAX_TOP_LEVEL}): {', '.join(r['top_level'])}")
    if r["unplaced"]:
        print(f"parts in no layer: {', '.join(r['unplaced'])}")
    print(f"modules over {MAX_MODULE_LINES} lines: {len(r['long_modules'])}")
    for n, k in r["long_modules"]:
        print(f"  {n} ({k})")
    print(f"functions over {MAX_FUNCTION_LINES} lines: {len(r['long_functions'])}")
    for n, k in r["long_functions"]:
        print(f"  {n} ({k})")
    broken = (r["cycles"] or r["upward"] or r["unplaced"] or r["long_modules"] or r["long_functions"]
              or len(r["top_level"]) > MAX_TOP_LEVEL)
    return 1 if args.check and broken else 0


if __name__ == "__main__":
    sys.exit(main())
