"""inline_html: the inline Markdown of descriptions as safe HTML, agreeing with Python-Markdown."""

from __future__ import annotations

import markdown
import pytest

from aigc_resources.render.inline import inline_html

AGREES_WITH_PYTHON_MARKDOWN = [
    "A plain sentence with no markup.",
    "Uses **strong** and *emphasis* and _emphasis_ and __strong__.",
    "Code `x < y && z` and ``a `tick` b``.",
    "A [link](https://example.org/a_b?c=1&d=2) and [another](http://example.org).",
    "snake_case_names and file__name stay as they are; 2 * 3 * 4 too.",
    "Escapes: \\*not em\\* and \\_not em\\_ and \\[not a link\\].",
    "Chinese 中文 **粗体** 与 *斜体* 混排。",
]


@pytest.mark.parametrize("text", AGREES_WITH_PYTHON_MARKDOWN)
def test_agrees_with_python_markdown(text):
    expected = markdown.markdown(text)
    assert expected.startswith("<p>") and expected.endswith("</p>")
    assert f"<p>{inline_html(text)}</p>" == expected


@pytest.mark.parametrize(("text", "html"), [
    ('<img src=x onerror="alert(1)">', '&lt;img src=x onerror="alert(1)"&gt;'),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[click](javascript:alert(1))", "click"),
    ("[x](data:text/html,hi)", "x"),
    ('[q](https://e.org/"onmouseover="a)', '<a href="https://e.org/&quot;onmouseover=&quot;a">q</a>'),
    ("{{ config }} {% x %}", "&#123;&#123; config &#125;&#125; &#123;% x %&#125;"),
    ("window.__xss=1 and window.__xss=2", "window.__xss=1 and window.__xss=2"),
    ("`<b>` **<i>**", "<code>&lt;b&gt;</code> <strong>&lt;i&gt;</strong>"),
])
def test_markup_in_text_stays_text(text, html):
    assert str(inline_html(text)) == html
