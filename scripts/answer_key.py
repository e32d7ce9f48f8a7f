"""The answer key of the source notebooks, generated from `solutions/` (the one source of truth).

Every solution region (`### BEGIN SOLUTION` .. `### END SOLUTION`) of `source/ps1/*.ipynb` holds
code taken from the reference implementation in `solutions/`, so that formgrader, nbgrader's
preview and an instructor reading the notebook see the answer inline, while the grader keeps
judging against `solutions/` itself. Most regions are a reference function's body; the rest are
a slice of one, with a few named textual edits (each edit must match, so a change in
`solutions/` that the key no longer follows stops the generator instead of going stale).

    python scripts/answer_key.py           # rewrite the solution regions of source/ps1/*.ipynb
    python scripts/answer_key.py --check   # exit 1, naming the cells, if a region is stale

tests/course/test_answer_key.py runs the check.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "ps1"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Region:
    """Where a solution region's code comes from.

    module, function: the reference function in solutions/ (its body, docstring left out);
    start, stop: keep only the lines from the one containing `start` up to (not including)
        the one containing `stop`;
    edits: (old, new) replacements applied in order, each of which must match;
    prefix: lines put before the code (the notebook's names for the reference's arguments).
    """

    module: str
    function: str
    start: str | None = None
    stop: str | None = None
    edits: tuple[tuple[str, str], ...] = ()
    prefix: str = ""


# The gradient checker of the reference returns a result object and can be quiet; the
# notebook's returns True or False and always prints the handout's messages.
_GRADCHECK_EDITS = (
    ("STEP", "h"),
    ("THRESHOLD", "1e-5"),
    ("""        if verbose:
            print("Gradient check failed.")
            print(f"First gradient error found at index {ix}")
            print(f"Your gradient: {grad[ix]:f} \\t Numerical gradient: {numgrad:f}")
        return GradcheckResult(False, ix, float(grad[ix]), float(numgrad))""",
     """        print("Gradient check failed.")
        print(f"First gradient error found at index {ix}")
        print(f"Your gradient: {grad[ix]:f} \\t Numerical gradient: {numgrad:f}")
        return False"""),
    ("""if verbose:
    print("Gradient check passed!")
return GradcheckResult(True)""",
     """print("Gradient check passed!")
return True"""),
)

REGIONS: dict[str, Region] = {
    "q1_softmax": Region("softmax", "softmax"),
    "q2_sigmoid": Region("neural", "sigmoid"),
    "q2_sigmoid_grad": Region("neural", "sigmoid_grad"),
    "q2_gradcheck_naive": Region("gradcheck", "gradcheck_naive", edits=_GRADCHECK_EDITS,
                                 prefix="h = 1e-4  # the step of the centred differences\n"),
    # the notebook unpacks params and packs the gradients itself: the middle of the reference
    "q2_forward_backward_prop": Region("neural", "forward_backward_prop",
                                       start="# forward", stop="grad = np.concatenate"),
    "q3_normalizeRows": Region("word2vec", "normalizeRows"),
    "q3_softmaxCostAndGradient": Region("word2vec", "softmaxCostAndGradient"),
    # the notebook draws the samples (indices[0] is the target, indices[1:] the negatives)
    "q3_negSamplingCostAndGradient": Region(
        "word2vec", "negSamplingFromSamples",
        prefix="negatives = np.array(indices[1:], dtype=int)  # (K,)\n"),
    "q3_skipgram": Region("word2vec", "skipgram"),
    "q3_cbow": Region("word2vec", "cbow"),
    # the notebook gives the loop and its bookkeeping: the step itself
    "q3_sgd": Region("sgd", "sgd", start="cost, grad = f(x)", stop="if PRINT_EVERY and"),
    "q4_getSentenceFeatures": Region("sentiment", "getSentenceFeatures"),
    "q4_getRegularizationValues": Region("sentiment", "getRegularizationValues"),
    "q4_chooseBestModel": Region("sentiment", "chooseBestModel"),
}


class StaleKey(Exception):  # noqa: N818  (a state, not a programming error)
    """solutions/ changed in a way a region's edits no longer follow."""


def _body(module: str, function: str) -> list[str]:
    """The source lines of a reference function's body after its docstring."""
    path = REPO / "solutions" / f"{module}.py"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = node.body[0]
            has_doc = (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                       and isinstance(first.value.value, str))
            start = first.end_lineno if has_doc else first.lineno - 1
            return lines[start : node.end_lineno]
    raise StaleKey(f"solutions/{module}.py has no function {function}")


def region_code(grade_id: str) -> str:
    """The code of one solution region, unindented, as generated from solutions/."""
    spec = REGIONS[grade_id]
    lines = _body(spec.module, spec.function)
    if spec.start is not None:
        begin = next((i for i, line in enumerate(lines) if spec.start in line), None)
        if begin is None:
            raise StaleKey(f"{grade_id}: no line of {spec.function} contains {spec.start!r}")
        lines = lines[begin:]
    if spec.stop is not None:
        end = next((i for i, line in enumerate(lines) if spec.stop in line), None)
        if end is None:
            raise StaleKey(f"{grade_id}: no line of {spec.function} contains {spec.stop!r}")
        lines = lines[:end]
    code = textwrap.dedent("\n".join(lines)).strip("\n")
    for old, new in spec.edits:
        if old not in code:
            raise StaleKey(f"{grade_id}: {old.splitlines()[0].strip()!r} is no longer in "
                           f"solutions/{spec.module}.py: update {Path(__file__).name}")
        code = code.replace(old, new)
    return spec.prefix + code


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def with_key(cell_source: str, code: str) -> str:
    """cell_source with its solution region replaced by code (indented as the markers)."""
    lines = cell_source.split("\n")
    begin = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
    body = [indent + line if line else "" for line in code.split("\n")]
    return "\n".join(lines[: begin + 1] + body + lines[end:])


def notebook_with_key(path: Path) -> tuple[dict, list[str]]:
    """The notebook at path with every solution region generated, and the stale cells."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    stale = []
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") != "code" or BEGIN not in _source(cell):
            continue
        if grade_id not in REGIONS:
            raise StaleKey(f"{path.name}: solution cell {grade_id} has no entry in REGIONS")
        new = with_key(_source(cell), region_code(grade_id))
        if new != _source(cell):
            stale.append(grade_id)
            cell["source"] = new.splitlines(keepends=True)
    return nb, stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a solution region is stale")
    args = parser.parse_args(argv)
    all_stale = []
    for path in sorted(SOURCE.glob("q*.ipynb")):
        nb, stale = notebook_with_key(path)
        all_stale += [f"{path.name}: {grade_id}" for grade_id in stale]
        if stale and not args.check:
            path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.check and all_stale:
        print("stale answer key (run python scripts/answer_key.py):\n  " + "\n  ".join(all_stale))
        return 1
    print(("rewrote " if all_stale else "up to date: ") + (", ".join(all_stale) or "all regions"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
