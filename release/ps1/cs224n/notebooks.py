"""Reuse your functions from an earlier notebook of this assignment.

Problem 2 needs your softmax from problem 1, problem 3 your sigmoid and gradient checker, and so
on. Rather than copying code between notebooks, a later notebook imports it:

    softmax, = import_notebook_functions("q1_softmax.ipynb", "softmax")

Only that notebook's definitions run: its import cells, the cells you write (nbgrader
solution cells) and the given cells that only define functions or constants. Its tests and
long training runs do not.
"""

import ast
import json
from pathlib import Path

_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)


def _only_definitions(source: str) -> bool:
    """True if every top-level statement imports, defines, or assigns a literal."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            continue
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            try:
                ast.literal_eval(node.value)
                continue
            except ValueError:
                pass
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a docstring or a bare string
        return False
    return True


def _runs_on_import(cell: dict, source: str) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code":
        return False
    if meta.get("solution", False) or str(meta.get("grade_id", "")).endswith("_imports"):
        return True
    return _only_definitions(source)


def load_notebook_namespace(path: str | Path) -> dict:
    """Run the import cells and solution cells of notebook `path`; return their globals.

    Raises:
        FileNotFoundError: the notebook does not exist.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path.name} must be in the same folder as this notebook")
    with open(path, encoding="utf-8") as f:
        notebook = json.load(f)
    namespace: dict = {"__name__": f"notebook_{path.stem}"}
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if _runs_on_import(cell, source):
            exec(compile(source, f"{path.name}, cell {index}", "exec"), namespace)
    return namespace


def import_notebook_functions(path: str | Path, *names: str) -> tuple:
    """The objects called `names` defined by notebook `path`'s import and solution cells.

    Raises:
        FileNotFoundError: the notebook is not next to this one.
        ImportError: the notebook does not define one of the names.
    """
    if not Path(path).exists():
        raise FileNotFoundError(
            f"{Path(path).name} must be in the same folder as this notebook: this problem "
            f"reuses {', '.join(names)} from it."
        )
    namespace = load_notebook_namespace(path)
    missing = [name for name in names if name not in namespace]
    if missing:
        raise ImportError(f"{Path(path).name} does not define {', '.join(missing)}")
    return tuple(namespace[name] for name in names)
