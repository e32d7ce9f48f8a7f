"""The corpus of faulty submissions: real notebooks made from the source, one classic mistake each.

Each Mistake replaces the solution region of one solution cell with faulty code and names the
hidden checks it must fail; every other check must still pass. The same list drives a fast test
of the catalogue alone and the slow test through `nbgrader autograde`.

    python -m tests.course.corpus OUT_DIR   # writes OUT_DIR/<student>/ps1/*.ipynb + expected.json
"""

from __future__ import annotations

import json
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks import CATALOGUE, cell_points
from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# A notebook imports functions from the notebooks before it.
DEPENDS = {name: NOTEBOOKS[: i + 1] for i, name in enumerate(NOTEBOOKS)}


@dataclass(frozen=True)
class Mistake:
    student: str  # also the student id in the corpus
    notebook: str
    cell: str  # grade_id of the solution cell
    body: str  # replaces the lines of the solution region
    fails: tuple[str, ...]  # the hidden checks it must fail, and no others


# Correct answers as a student writes them (not the reference's code): each replaces the
# solution region of its cell. The honest submission is the release with all of them.
STUDENT_SOLUTIONS: dict[str, str] = {
    "q1_softmax": """
        x = np.asarray(x, dtype=float)
        e = np.exp(x - np.max(x, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
        """,
    "q2_sigmoid": """
        x = np.asarray(x, dtype=float)
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        """,
    "q2_sigmoid_grad": """
        return s * (1 - s)
        """,
    "q2_gradcheck_naive": """
        rndstate, npstate = random.getstate(), np.random.get_state()
        random.setstate(rndstate)
        np.random.set_state(npstate)
        fx, grad = f(x)
        h = 1e-4
        it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fxph = f(x)[0]
            x[ix] = old - h
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fxmh = f(x)[0]
            x[ix] = old
            numgrad = (fxph - fxmh) / (2 * h)
            reldiff = abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix]))
            if reldiff > 1e-5:
                print("Gradient check failed.")
                print("First gradient error found at index %s" % str(ix))
                return False
            it.iternext()
        print("Gradient check passed!")
        return True
        """,
    "q2_forward_backward_prop": """
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T @ delta2
        gradb2 = delta2.sum(axis=0, keepdims=True)
        delta1 = delta2 @ W2.T * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1 = delta1.sum(axis=0, keepdims=True)
        """,
    "q3_normalizeRows": """
        return x / np.linalg.norm(x, axis=1, keepdims=True)
        """,
    "q3_softmaxCostAndGradient": """
        y_hat = softmax(outputVectors @ predicted)
        cost = -np.log(y_hat[target])
        delta = y_hat.copy()
        delta[target] -= 1
        gradPred = outputVectors.T @ delta
        grad = np.outer(delta, predicted)
        return cost, gradPred, grad
        """,
    "q3_negSamplingCostAndGradient": """
        signs = np.array([1.0] + [-1.0] * K)
        u = outputVectors[indices]
        s = sigmoid(signs * (u @ predicted))
        cost = -np.sum(np.log(s))
        coef = -(1 - s) * signs
        gradPred = coef @ u
        grad = np.zeros_like(outputVectors)
        np.add.at(grad, indices, np.outer(coef, predicted))
        return cost, gradPred, grad
        """,
    "q3_skipgram": """
        c = tokens[currentWord]
        cost = 0.0
        gradIn = np.zeros_like(inputVectors)
        gradOut = np.zeros_like(outputVectors)
        for word in contextWords:
            cj, gradPred, grad = word2vecCostAndGradient(
                inputVectors[c], tokens[word], outputVectors, dataset)
            cost += cj
            gradIn[c] += gradPred
            gradOut += grad
        return cost, gradIn, gradOut
        """,
    "q3_cbow": """
        context = [tokens[w] for w in contextWords]
        predicted = inputVectors[context].sum(axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        for j in context:
            gradIn[j] += gradPred
        return cost, gradIn, gradOut
        """,
    "q3_sgd": """
        cost, grad = f(x)
        x = x - step * grad
        x = postprocessing(x)
        """,
    "q4_getSentenceFeatures": """
        sentVector = np.zeros(wordVectors.shape[1])
        for word in sentence:
            sentVector += wordVectors[tokens[word]]
        return sentVector / len(sentence)
        """,
    "q4_getRegularizationValues": """
        return list(np.logspace(-4, 2, 13))
        """,
    "q4_chooseBestModel": """
        return max(results, key=lambda r: r["dev"])
        """,
}


MISTAKES: tuple[Mistake, ...] = (
    Mistake("softmax_no_shift", "q1_softmax", "q1_softmax", """
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)
        """, ("softmax_stability",)),
    Mistake("softmax_wrong_axis", "q1_softmax", "q1_softmax", """
        e = np.exp(x - np.max(x))
        return e / np.sum(e)
        """, ("softmax_matrix_rows",)),
    Mistake("sigmoid_grad_of_x", "q2_neural", "q2_sigmoid_grad", """
        sig = 1 / (1 + np.exp(-s))
        return sig * (1 - sig)
        """, ("sigmoid_grad_values",)),
    Mistake("gradcheck_no_random_restore", "q2_neural", "q2_gradcheck_naive", """
        fx, grad = f(x)
        h = 1e-4
        it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            fxph = f(x)[0]
            x[ix] = old - h
            fxmh = f(x)[0]
            x[ix] = old
            numgrad = (fxph - fxmh) / (2 * h)
            if abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])) > 1e-5:
                return False
            it.iternext()
        return True
        """, ("gradcheck_restores_random_state",)),
    Mistake("gradcheck_one_sided", "q2_neural", "q2_gradcheck_naive", """
        rndstate, npstate = random.getstate(), np.random.get_state()
        random.setstate(rndstate)
        np.random.set_state(npstate)
        fx, grad = f(x)
        h = 1e-4
        it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
        while not it.finished:
            ix = it.multi_index
            old = x[ix]
            x[ix] = old + h
            random.setstate(rndstate)
            np.random.set_state(npstate)
            fxph = f(x)[0]
            x[ix] = old
            numgrad = (fxph - fx) / h
            if abs(numgrad - grad[ix]) / max(1, abs(numgrad), abs(grad[ix])) > 1e-5:
                return False
            it.iternext()
        return True
        """, ("gradcheck_accepts_correct",)),
    Mistake("backprop_no_bias_gradient", "q2_neural", "q2_forward_backward_prop", """
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.sum(labels * np.log(y_hat))
        delta2 = y_hat - labels
        gradW2 = h.T @ delta2
        delta1 = delta2 @ W2.T * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1, gradb2 = np.zeros_like(b1), np.zeros_like(b2)
        """, ("forward_backward_gradient", "forward_backward_gradcheck")),
    Mistake("cost_mean_not_sum", "q2_neural", "q2_forward_backward_prop", """
        N = X.shape[0]
        h = sigmoid(X @ W1 + b1)
        y_hat = softmax(h @ W2 + b2)
        cost = -np.sum(labels * np.log(y_hat)) / N
        delta2 = (y_hat - labels) / N
        gradW2 = h.T @ delta2
        gradb2 = delta2.sum(axis=0, keepdims=True)
        delta1 = delta2 @ W2.T * sigmoid_grad(h)
        gradW1 = X.T @ delta1
        gradb1 = delta1.sum(axis=0, keepdims=True)
        """, ("forward_backward_cost", "forward_backward_gradient")),
    Mistake("normalize_wrong_axis", "q3_word2vec", "q3_normalizeRows", """
        return x / np.linalg.norm(x, axis=0, keepdims=True)
        """, ("normalize_rows",)),
    Mistake("softmax_cost_grad_transposed", "q3_word2vec", "q3_softmaxCostAndGradient", """
        y_hat = softmax(outputVectors @ predicted)
        delta = y_hat.copy()
        delta[target] -= 1
        return -np.log(y_hat[target]), outputVectors.T @ delta, np.outer(predicted, delta)
        """, ("softmax_cost_grad",)),
    Mistake("neg_sampling_drops_repeats", "q3_word2vec", "q3_negSamplingCostAndGradient", """
        signs = np.array([1.0] + [-1.0] * K)
        u = outputVectors[indices]
        s = sigmoid(signs * (u @ predicted))
        coef = -(1 - s) * signs
        grad = np.zeros_like(outputVectors)
        grad[indices] += np.outer(coef, predicted)  # a repeated index is written once
        return -np.sum(np.log(s)), coef @ u, grad
        """, ("neg_sampling_repeated_samples",)),
    Mistake("skipgram_wrong_rows", "q3_word2vec", "q3_skipgram", """
        cost = 0.0
        gradIn = np.zeros_like(inputVectors)
        gradOut = np.zeros_like(outputVectors)
        for word in contextWords:
            cj, gradPred, grad = word2vecCostAndGradient(
                inputVectors[tokens[currentWord]], tokens[word], outputVectors, dataset)
            cost += cj
            gradIn[tokens[word]] += gradPred  # should go to the centre word's row
            gradOut += grad
        return cost, gradIn, gradOut
        """, ("skipgram_gradients", "skipgram_repeated_context")),
    Mistake("cbow_mean_not_sum", "q3_word2vec", "q3_cbow", """
        context = [tokens[w] for w in contextWords]
        predicted = inputVectors[context].mean(axis=0)
        cost, gradPred, gradOut = word2vecCostAndGradient(
            predicted, tokens[currentWord], outputVectors, dataset)
        gradIn = np.zeros_like(inputVectors)
        np.add.at(gradIn, context, gradPred / len(context))
        return cost, gradIn, gradOut
        """, ("cbow_gradients", "cbow_repeated_context")),
    Mistake("sgd_without_postprocessing", "q3_word2vec", "q3_sgd", """
        cost, grad = f(x)
        x = x - step * grad
        postprocessing(x)  # the result is thrown away
        """, ("sgd_postprocessing",)),
    Mistake("features_summed", "q4_sentiment", "q4_getSentenceFeatures", """
        return wordVectors[[tokens[w] for w in sentence]].sum(axis=0)
        """, ("sentence_features_mean",)),
    Mistake("best_model_by_train", "q4_sentiment", "q4_chooseBestModel", """
        return max(results, key=lambda r: r["train"])
        """, ("choose_best_model",)),
)


def replace_region(source: str, body: str) -> str:
    """Replace the lines between BEGIN and END SOLUTION with body, at the region's indent."""
    lines = source.split("\n")
    start = next(i for i, line in enumerate(lines) if BEGIN in line)
    stop = next(i for i, line in enumerate(lines) if END in line)
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    new = textwrap.indent(textwrap.dedent(body).strip("\n"), indent).split("\n")
    return "\n".join(lines[:start] + new + lines[stop + 1 :])


def source_notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)


def release_notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "release" / ASSIGNMENT / f"{name}.ipynb", as_version=4)


def _grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def answered_notebook(name: str, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release notebook with the given solution cells answered (grade_id -> body).

    The answered cell is the source cell with its solution region replaced: exactly what a
    student gets by replacing the release's stub with the body.
    """
    source_cells = {_grade_id(c): c for c in source_notebook(name).cells}
    nb = release_notebook(name)
    for cell in nb.cells:
        gid = _grade_id(cell)
        if gid in answers:
            cell.source = replace_region(source_cells[gid].source, answers[gid])
    return nb


def honest_notebook(name: str) -> nbformat.NotebookNode:
    return answered_notebook(name, STUDENT_SOLUTIONS)


def honest_submission() -> dict[str, nbformat.NotebookNode]:
    return {name: honest_notebook(name) for name in NOTEBOOKS}


def faulty_notebook(mistake: Mistake) -> nbformat.NotebookNode:
    assert mistake.cell in STUDENT_SOLUTIONS, f"no solution cell {mistake.cell}"
    return answered_notebook(mistake.notebook, {**STUDENT_SOLUTIONS, mistake.cell: mistake.body})


def submission(mistake: Mistake) -> dict[str, nbformat.NotebookNode]:
    """The faulty notebook plus the honest notebooks it imports from."""
    notebooks = {name: honest_notebook(name) for name in DEPENDS[mistake.notebook]}
    notebooks[mistake.notebook] = faulty_notebook(mistake)
    return notebooks


def expected_cell_scores(mistake: Mistake) -> dict[tuple[str, str], float]:
    """(notebook, hidden cell) -> expected score, for the hidden cells of the submission."""
    failing = set(mistake.fails)
    unknown = failing - {c.name for c in CATALOGUE}
    assert not unknown, f"unknown checks {unknown}"
    notebook_of_cell = _hidden_cells()
    scores = {}
    for cell, points in cell_points().items():
        notebook = notebook_of_cell[cell]
        if notebook in DEPENDS[mistake.notebook]:
            lost = sum(c.points for c in CATALOGUE if c.cell == cell and c.name in failing)
            scores[(notebook, cell)] = points - lost
    return scores


def _hidden_cells() -> dict[str, str]:
    found = {}
    for name in NOTEBOOKS:
        for cell in source_notebook(name).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and not meta.get("solution"):
                found[meta["grade_id"]] = name
    return found


def write_corpus(out: Path) -> None:
    """nbgrader's submitted/<student>/ps1/ layout (the honest submission as student
    "honest", one student per mistake), and expected.json with per-cell scores."""
    expected = {"honest": {f"{nb}/{cell}": points
                           for (nb, cell), points in _full_scores().items()}}
    submissions = {"honest": honest_submission()}
    for mistake in MISTAKES:
        submissions[mistake.student] = submission(mistake)
        expected[mistake.student] = {
            f"{nb}/{cell}": score for (nb, cell), score in expected_cell_scores(mistake).items()
        }
    for student, notebooks in submissions.items():
        folder = out / student / ASSIGNMENT
        folder.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, folder / f"{name}.ipynb")
    (out / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True))


def _full_scores() -> dict[tuple[str, str], float]:
    notebook_of_cell = _hidden_cells()
    return {(notebook_of_cell[cell], cell): points for cell, points in cell_points().items()}


if __name__ == "__main__":
    write_corpus(Path(sys.argv[1]))
