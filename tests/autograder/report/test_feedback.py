"""The HTML feedback page: self-contained, and nothing a student wrote becomes markup."""

from html.parser import HTMLParser

import pytest

from autograder.report import feedback_html, write_feedback
from autograder.report.feedback import CSP
from tests.autograder.report.builders import HOSTILE, all_results, faulty, hostile, missing_notebook

TEMPLATE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "p",
                 "strong", "span", "section", "table", "tr", "th", "td", "ul", "li"}
TEMPLATE_ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "class"}
TEMPLATE_CLASSES = {"mono", "small", "badge ok", "badge bad", "message", "errors", "pass",
                    "fail", "result"}


class Page(HTMLParser):
    """Every tag, attribute and piece of text of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        raise AssertionError(f"comment in the page: {data!r}")

    def handle_pi(self, data):
        raise AssertionError(f"processing instruction in the page: {data!r}")


@pytest.mark.parametrize("index", range(4))
def test_only_template_markup(cells, index):
    page = Page(feedback_html(all_results(cells)[index]))
    assert set(page.tags) <= TEMPLATE_TAGS
    assert {name for name, _ in page.attributes} <= TEMPLATE_ATTRIBUTES
    assert not any(name.startswith("on") for name, _ in page.attributes)
    assert {v for n, v in page.attributes if n == "class"} <= TEMPLATE_CLASSES
    assert page.tags.count("script") == page.tags.count("img") == 0


def test_hostile_text_is_escaped(cells, tmp_path):
    result = hostile(cells)
    write_feedback(result, tmp_path / "feedback.html")
    html = (tmp_path / "feedback.html").read_text(encoding="utf-8")
    lower = html.lower()
    assert "<script" not in lower and "<img" not in lower
    page = Page(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attributes)
    text = "".join(page.text)
    assert HOSTILE[0] in text and HOSTILE[1] in text and HOSTILE[2] in text  # shown, as text
    assert "ünïcödé ✓ 漢字 🙂" in text
    assert not {"\x00", "\u202e", "\x1b", "\ud800"} & set(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_self_contained(cells):
    html = feedback_html(hostile(cells))
    page = Page(html)
    assert ("http-equiv", "Content-Security-Policy") in page.attributes
    assert ("content", CSP) in page.attributes
    assert CSP == "default-src 'none'; style-src 'unsafe-inline'"
    assert not {"href", "src", "action", "style"} & {n for n, _ in page.attributes}
    assert "url(" not in html and "@import" not in html


def test_page_content(cells):
    text = "".join(Page(feedback_html(faulty(cells))).text)
    assert "Auto-graded score:" in text and "faulty" in text
    assert "softmax_stability" in text and "failed" in text and "passed" in text
    assert "cell 7: NameError: name 'np' is not defined" in text
    assert "graded by the course staff" in text
    assert "Traceback" not in text
    missing = "".join(Page(feedback_html(missing_notebook(cells))).text)
    assert "missing" in missing and "stopped after 300 s" in missing


def test_refused_files_are_listed(cells):
    text = "".join(Page(feedback_html(hostile(cells))).text)
    assert "Files not accepted" in text
    assert f"{HOSTILE[1]}.ipynb: not a notebook" in text


def test_advice_rows_say_advice_and_notes_are_shown(cells):
    from tests.autograder.report.builders import build

    result = build("s1", cells, failing=frozenset({"sigmoid_stability"}))
    check = next(k for c in result.cells for k in c.checks if k.name == "softmax_vector")
    check.note = "your result is a (1, D) array where a (D,) vector was expected; accepted"
    page = feedback_html(result)
    row = page[page.index(">sigmoid_stability<") - 200:][:900]
    assert 'class="result">advice<' in row and 'class="fail"' not in row
    assert "a (1, D) array where a (D,) vector was expected" in page
