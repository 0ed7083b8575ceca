"""The project's import graph, read from the source with ``ast`` (nothing is imported): every import
statement of every module, at module level or inside a function, with the module it names."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# source folder -> the package it installs as (setup.py)
FOLDERS = {"vacuity": "vacuity", "theory": "vacuity.theory", "kernels": "vacuity.kernels",
           "sims": "vacuity.sims", "proofs_checked": "vacuity.proofs_checked"}
LEAVES = ("vacuity.errors", "vacuity.atomic", "vacuity.progress")  # importable from every layer


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (for `from a import b`: a.b when that is a module, else a)
    line: int
    top_level: bool  # executed at import time (not inside a function)


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT)
    package = FOLDERS[rel.parts[0]]
    parts = list(rel.with_suffix("").parts[1:])
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def source_files() -> dict[str, Path]:
    out = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            out[module_name(path)] = path
    return out


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(module: str, path: Path, known: set[str]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[Import] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                out.extend(Import(module, a.name, child.lineno, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = _resolve(module, is_package, child)
                for a in child.names:
                    sub = f"{base}.{a.name}"
                    out.append(Import(module, sub if sub in known else base, child.lineno, top))
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                continue  # imports for annotations only never run
            visit(child, inner)

    visit(tree, True)
    return out


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def graph() -> list[Import]:
    files = source_files()
    known = set(files)
    return [imp for name, path in files.items() for imp in imports_of(name, path, known)]


def external_imports_of(paths: list[Path]) -> list[tuple[Path, str, int]]:
    """(file, top-level package, line) for every import in scripts outside the package (benchmarks)."""
    out = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out += [(path, a.name, node.lineno) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                out.append((path, node.module, node.lineno))
    return out
