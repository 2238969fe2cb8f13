"""Markdown in notifications: what renders, and a fuzz campaign of hostile Markdown that must end in
readable, inert rich text (only allowlisted tags, only safe links, every word still there, bounded size)."""

from __future__ import annotations

import html
import re

import nh3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.markdown import ATTRIBUTES, TAGS, links, plain, render
from hub.protocol import MAX_MESSAGE_BYTES
from hub.rich import safe_link
from tests.support.fuzz import fuzz_settings


def visible(markup: str) -> str:
    """The text a reader sees of rich text."""
    return html.unescape(nh3.clean(markup, tags=set()))


def test_the_subset_renders() -> None:
    out = render(
        "# Deploy\n\n**2.14** passed *staging*: `make deploy`.\n\n- one\n- two\n\n1. first\n\n"
        "> quoted\n\n[Changelog](https://git.lan/rel) and <mailto:ops@example.com>\n\n```\ncode block\n```"
    )
    assert "<p><strong>Deploy</strong></p>" in out  # a heading is bold text, not a 2em title
    assert "<strong>2.14</strong>" in out and "<em>staging</em>" in out and "<code>make deploy</code>" in out
    assert "<ul>\n<li>one</li>" in out and "<ol>\n<li>first</li>" in out
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in out
    assert links(out) == ["https://git.lan/rel", "mailto:ops@example.com"]
    assert "<pre><code>code block\n</code></pre>" in out


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        (
            '<img src="http://evil.lan/x.png" onerror="alert(1)">',
            '<img src="http://evil.lan/x.png" onerror="alert(1)">',
        ),
        ("[click](javascript:alert(1))", "[click](javascript:alert(1))"),
        ("[click](&#106;avascript:alert(1))", "[click](javascript:alert(1))"),
        ("[file](file:///etc/passwd)", "[file](file:///etc/passwd)"),
        ("![the cat](http://evil.lan/cat.png)", "[the cat]"),
        ('<a href="https://x.lan">x</a>', '<a href="https://x.lan">x</a>'),
    ],
)
def test_hostile_markdown_shows_as_the_text_it_is(source: str, shown: str) -> None:
    out = render(source)
    assert visible(out).strip() == shown
    assert links(out) == []
    assert "<img" not in out and "<script" not in out and "<a " not in out


def test_link_attributes_are_only_href() -> None:
    out = render('[x](https://a.lan "a title")')
    assert out == '<p><a href="https://a.lan">x</a></p>\n'


def test_nesting_past_the_cap_shows_as_plain_text() -> None:
    source = "> " * 200 + "deep"
    out = render(source)
    assert "deep" in visible(out) and "<blockquote>" not in out
    assert plain("**2.14** passed\n\n- one") == "2.14 passed\none"


# --------------------------------------------------------------------------- the campaign

words = st.from_regex(r"[a-z]{3,8}", fullmatch=True)
depth = st.integers(min_value=1, max_value=80)


@st.composite
def hostile_piece(draw: st.DrawFn) -> tuple[str, str]:
    """A piece of hostile Markdown and the word a reader must still see in it."""
    word = draw(words)
    n = draw(depth)
    piece = draw(
        st.sampled_from(
            [
                f"**{word}**",
                f"*{word}*",
                f"`{word}`",
                f"<script>{word}</script>",
                f"<img src=x onerror=alert(1)>{word}",
                f'<a href="javascript:alert(1)">{word}</a>',
                f"[{word}](javascript:alert(1))",
                f"[{word}](JaVaScRiPt:alert(1))",
                f"[{word}](&#106;avascript:alert(1))",
                f"[{word}](data:text/html;base64,PHNjcmlwdD4=)",
                f"[{word}](vbscript:msgbox)",
                f"![{word}](http://evil.lan/{word}.png)",
                f"[{word}](https://ok.lan/{word})",
                f"<https://ok.lan/{word}>",
                f"<style>{word}</style>",
                f"<!-- {word} -->",
                f"&lt;{word}&gt; &#0; &#x110000;",
                "> " * n + word,
                "- " * n + word,
                "1. " * n + word,
                "*" * n + word + "*" * n,
                "[" * n + word + "]" * n + "(https://ok.lan)",
                "#" * min(n, 9) + " " + word,
                f"| {word} | b |\n|---|---|\n" + "| c | d |\n" * n * 4,
                word + "x" * (n * 40),
                f"\n```\n<script>{word}</script>\n```\n",  # on lines of its own: text after a fence is its info string
                f"    indented {word}",
                f"{word}\\\n",
            ]
        )
    )
    return piece, word


hostile_documents = st.lists(
    st.tuples(hostile_piece(), st.sampled_from(["\n", "\n\n", " ", ""])), min_size=1, max_size=12
)

TAG = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)([^>]*)>")


def check_inert_and_readable(pieces: list[tuple[tuple[str, str], str]]) -> None:
    source = "".join(piece + sep for (piece, _), sep in pieces)
    source = source.encode()[:MAX_MESSAGE_BYTES].decode(errors="ignore")
    out = render(source)
    for tag, attributes in TAG.findall(out):
        assert tag.lower() in TAGS, (tag, out)
        names = set(re.findall(r"([a-zA-Z-]+)=", attributes))
        assert names <= ATTRIBUTES.get(tag.lower(), set()), (tag, attributes)
    assert all(safe_link(target) for target in links(out)), out
    assert "javascript:" not in "".join(links(out)).lower()
    assert len(out) <= 8 * len(source) + 64, (len(source), len(out))
    seen = visible(out)
    for (piece, word), _ in pieces:
        if piece in source:  # not cut off at the message's size limit
            assert word in seen, (word, piece, out)
    assert plain(source) is not None


@fuzz_settings(slow=False, default=150)
@given(hostile_documents)
def test_hostile_markdown_ends_in_inert_readable_text(pieces: list[tuple[tuple[str, str], str]]) -> None:
    check_inert_and_readable(pieces)


@pytest.mark.slow
@fuzz_settings(slow=True, long=3000)
@given(hostile_documents)
def test_hostile_markdown_ends_in_inert_readable_text_long(pieces: list[tuple[tuple[str, str], str]]) -> None:
    check_inert_and_readable(pieces)


@fuzz_settings(slow=False, default=100)
@given(st.text(max_size=600))
def test_any_text_renders_without_an_error_and_stays_bounded(source: str) -> None:
    out = render(source)
    assert len(out) <= 8 * len(source) + 64
    assert all(safe_link(target) for target in links(out))
