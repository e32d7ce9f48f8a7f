"""A student's feedback page: one self-contained HTML file (inline CSS, no scripts, no links).

Every value taken from the result goes through `esc` (`html.escape(..., quote=True)` of the
cleaned text); the only markup is this module's own. A Content-Security-Policy meta tag
forbids scripts and every external resource, should anything ever slip through.
"""

from __future__ import annotations

import html
from pathlib import Path
from string import Template

from autograder.engine.results import CellGrade, NotebookReport, SubmissionResult
from autograder.kernel.atomic import write_text
from autograder.report.summary import (
    WRITTEN_NOTE,
    notebook_auto_max,
    notebook_auto_score,
    score_line,
)
from autograder.report.text import MAX_TEXT, clean, one_line, points

CSP = "default-src 'none'; style-src 'unsafe-inline'"
STATUS_CLASS = {"graded": "ok", "missing": "bad", "invalid": "bad", "stopped": "bad"}
MAX_LISTED = 20

CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222;
       padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1em; }
section { border-top: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
tr.pass td.result { color: #1a7f37; } tr.fail td.result { color: #b42318; font-weight: bold; }
.badge { font-size: 0.8em; padding: 0.1em 0.5em; border-radius: 0.3em; background: #eee; }
.badge.ok { background: #dcfce7; } .badge.bad { background: #fee2e2; }
.message, .errors li, .mono { white-space: pre-wrap; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, monospace; }
.small { font-size: 0.85em; color: #666; }
""".strip()

PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="$csp">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Autograder feedback: $title</title>
<style>
$css
</style>
</head>
<body>
<h1>Autograder feedback</h1>
<p>Student: <span class="mono">$student</span></p>
<p><strong>$score_line</strong></p>
$refused$notebooks<p class="small">Submission digest: <span class="mono">$digest</span></p>
</body>
</html>
""")

NOTEBOOK = Template("""<section>
<h2>$name <span class="badge $badge">$status</span> $score</h2>
$message$errors$cells</section>
""")

CHECKS = Template("""<h3>$cell: $score / $max</h3>
<table>
<tr><th>Check</th><th>Points</th><th>Result</th><th>Details</th></tr>
$rows</table>
""")

CHECK_ROW = Template('<tr class="$row"><td class="mono">$name</td><td>$score / $max</td>'
                     '<td class="result">$result</td><td class="message">$details</td></tr>\n')


def esc(text: object, limit: int = MAX_TEXT) -> str:
    """Cleaned, HTML-escaped text (quotes included): safe in element content and attributes."""
    return html.escape(clean(text, limit), quote=True)


def feedback_html(result: SubmissionResult) -> str:
    """The whole feedback page of one submission."""
    return PAGE.substitute(
        csp=CSP, css=CSS, title=esc(one_line(result.student, 200)),
        student=esc(result.student, 200), score_line=esc(score_line(result)),
        refused=_refused(result.problems, result.notes), digest=esc(result.digest, 200),
        notebooks="".join(_notebook(nb) for nb in result.notebooks),
    )


def write_feedback(result: SubmissionResult, path: Path) -> None:
    write_text(Path(path), feedback_html(result))


def _refused(problems: list[str], notes: list[str] | None = None) -> str:
    """Files refused (something to fix), then files set aside or renamed (nothing to fix)."""
    html = ""
    if problems:
        items = "".join(f"<li>{esc(p, 300)}</li>\n" for p in problems[:MAX_LISTED])
        html += f'<h2>Files not accepted</h2>\n<ul class="errors">\n{items}</ul>\n'
    if notes:
        items = "".join(f"<li>{esc(n, 500)}</li>\n" for n in notes[:MAX_LISTED])
        html += f'<h2>Notes on your files</h2>\n<ul class="small">\n{items}</ul>\n'
    return html


def _notebook(report: NotebookReport) -> str:
    score = (f"{esc(points(notebook_auto_score(report)))} / "
             f"{esc(points(notebook_auto_max(report)))}") if report.cells else ""
    message = f'<p class="message">{esc(report.message)}</p>\n' if report.message else ""
    if report.late_penalty:
        message += (f'<p class="message">Late: {esc(points(report.late_penalty))} points taken '
                    "off this notebook under the course's late policy.</p>\n")
    errors = ""
    if report.cell_errors:
        items = "".join(f"<li>{esc(e, 400)}</li>\n" for e in report.cell_errors[:MAX_LISTED])
        errors = f'<h3>Errors while running your notebook</h3>\n<ul class="errors">\n{items}</ul>\n'
    return NOTEBOOK.substitute(
        name=esc(report.name, 100), badge=STATUS_CLASS.get(report.status, "bad"),
        status=esc(report.status, 40), score=score,
        message=message, errors=errors, cells="".join(_cell(c) for c in report.cells),
    )


def _cell(cell: CellGrade) -> str:
    if not cell.auto:
        verdict = WRITTEN_NOTE
        if cell.score == 0:
            verdict = f"no answer found: 0 points so far; {WRITTEN_NOTE}"
        return (f"<h3>{esc(cell.grade_id, 100)}: written answer "
                f"({esc(points(cell.max_points))} points)</h3>\n<p>{esc(verdict)}</p>\n")
    rows = "".join(_check_row(c.name, c.score, c.points, c.description, c.message, c.note)
                   for c in cell.checks)
    if not cell.checks:
        message = None if (cell.score or 0.0) >= cell.max_points else "not all points earned"
        rows = _check_row(cell.grade_id, cell.score or 0.0, cell.max_points, "", message)
    return CHECKS.substitute(cell=esc(cell.grade_id, 100), score=esc(points(cell.score)),
                             max=esc(points(cell.max_points)), rows=rows)


def _check_row(name: str, score: float, max_points: float, description: str,
               message: str | None, note: str | None = None) -> str:
    """One check: what it tests, what went wrong (or, for advice worth no points, what to
    improve) and the notes on accepted equivalent forms."""
    details = esc(description, 500)
    for extra in (message, note):
        if extra:
            details += "\n" + esc(extra)
    advice = message is not None and max_points == 0
    result = "advice" if advice else ("passed" if message is None else "failed")
    return CHECK_ROW.substitute(
        row="pass" if message is None or advice else "fail", name=esc(name, 100),
        score=esc(points(score)), max=esc(points(max_points)), result=result, details=details,
    )
