"""The one safe Markdown renderer: what agreement text may and may not become on a page."""

from __future__ import annotations

import re

import pytest

from services import markdown
from services.distributor.agreements import AGREEMENT_TEXT_MAX, clean_agreement_text
from services.errors import ValidationFailed
from services.markdown import SafeHtml, to_html


def tags(html: str) -> set[str]:
    return {match.lower() for match in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", html)}


def test_the_formatting_an_agreement_needs_is_kept() -> None:
    html = to_html(
        "# Terms\n\n## 1. Scope\n\n**Bold**, _emphasis_, `code`.\n\n- one\n- two\n\n3. three\n\n"
        "> quoted\n\n---\n\n| Fee | Amount |\n| --- | --- |\n| Setup | 100 |\n\n```\nblock\n```\n"
    )
    assert isinstance(html, SafeHtml)
    assert tags(html) == {
        "h1", "h2", "p", "strong", "em", "code", "ul", "ol", "li", "blockquote", "hr",
        "table", "thead", "tbody", "tr", "th", "td", "pre",
    }  # fmt: skip
    assert '<ol start="3">' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>window.__pwned=1</script>",
        "<style>.q-stepper{display:none}</style>",
        '<div style="position:fixed;inset:0;background:white">Sign here</div>',
        '<form action="https://evil.example"><input type="password" name="p"></form>',
        '<img src="x" onerror="window.__pwned=1">',
        '<span style="display:none">The reseller waives every right.</span>',
        "<iframe src=https://evil.example></iframe>",
        '<a href="javascript:alert(1)">click</a>',
        "<!-- hidden clause -->",
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(hostile: str) -> None:
    html = to_html(f"Before {hostile} after")
    assert tags(html) == {"p"}, html
    assert "&lt;" in html  # the reader sees the text that is hashed


def test_images_load_nothing_and_keep_their_text_visible() -> None:
    html = to_html("![Company logo](https://tracker.example/pixel.png) ![x](x)")
    assert "img" not in tags(html) and "Company logo" in html


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[site](https://example.com/terms)", "https://example.com/terms"),
        ("[plain](http://example.com)", "http://example.com"),
        ("[write](mailto:legal@example.com)", "mailto:legal@example.com"),
        ("<https://example.com/auto>", "https://example.com/auto"),
    ],
)
def test_web_and_mail_links_open_in_a_new_tab_without_an_opener(source: str, href: str) -> None:
    html = to_html(source)
    assert f'href="{href}"' in html
    assert 'target="_blank"' in html and 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        "[x](/activate/x)",
        "[x](//evil.example/)",
        "[x](file:///etc/passwd)",
    ],
)
def test_other_link_targets_are_not_links(source: str) -> None:
    assert "href" not in to_html(source)


@pytest.mark.parametrize(
    "source",
    [
        "> " * 25 + "hidden deep inside",
        "- " * 25 + "hidden deep inside",
        ">" * 100_000,
        '[terms](https://example.com "The reseller waives every right")',
    ],
)
def test_text_that_would_render_unseen_is_refused(source: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        markdown.render_text(source)
    assert "text" in refused.value.errors


def test_reference_definitions_and_entities_show_as_written() -> None:
    html = to_html("[terms]: https://example.com\n\nA &#8238; B")
    assert "[terms]: https://example.com" in html and "&amp;#8238;" in html


def test_rendering_is_bounded_in_time() -> None:
    with pytest.raises(ValidationFailed, match="takes too long"):
        markdown.render_text("![" * 50_000, seconds=0.01)


def test_text_that_is_not_a_string_is_a_field_error() -> None:
    with pytest.raises(ValidationFailed):
        markdown.render_text({"text": 1})


def test_a_dense_long_agreement_renders_and_formatting_past_the_element_bound_is_refused() -> None:
    """What a browser must lay out is bounded: a long, richly formatted agreement is shown, while the same number
    of characters spent on formatting alone (25,000 list items or emphasised letters) is refused, not cut."""
    clause = "The Reseller shall keep accurate records of every sale for at least five years. " * 3
    section = (
        f"## Section\n\n{clause}\n\n1. **Duty** {clause}\n2. *Exception* {clause}\n\n| a | b |\n|---|---|\n| x | y |\n"
    )
    dense = (section * (AGREEMENT_TEXT_MAX // len(section)))[:AGREEMENT_TEXT_MAX]
    html = to_html(dense)
    assert 1_000 < html.count("<") - html.count("</") < markdown.ELEMENTS_MAX
    for unit in ("- a\n", "*a", "**_", "`a` "):
        with pytest.raises(ValidationFailed, match="too much formatting"):
            markdown.render_text((unit * AGREEMENT_TEXT_MAX)[:AGREEMENT_TEXT_MAX])


def test_the_largest_hostile_agreement_renders_and_a_larger_one_is_refused() -> None:
    for unit in ("[a](", "<", "&#"):
        text = (unit * AGREEMENT_TEXT_MAX)[:AGREEMENT_TEXT_MAX]
        assert clean_agreement_text(text) == text
    with pytest.raises(ValidationFailed, match="100,000"):
        clean_agreement_text("a" * (AGREEMENT_TEXT_MAX + 1))


def test_text_longer_than_any_agreement_is_refused_before_it_is_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The editor's Preview renders text nobody published: 900,000 characters of emphasis would hold a worker
    that every distributor and reseller shares for about 20 s."""
    parsed: list[str] = []
    monkeypatch.setattr(markdown, "to_html", lambda text, field="text": parsed.append(text))
    with pytest.raises(ValidationFailed, match="at most 100,000 can be shown"):
        markdown.render(None, "*a" * 450_000)  # type: ignore[arg-type]
    assert parsed == []
