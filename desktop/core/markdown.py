"""A notification's Markdown as rich text Qt can show, safe whatever the sender wrote. No Qt.

Two steps, each a maintained library doing what it is built for:

1. markdown-it-py renders CommonMark with raw HTML **off** (`<script>` shows as the characters it
   is), its nesting capped, images replaced by their alt text (nothing is ever fetched), headings
   drawn as bold paragraphs (a toast has no room for a 2em title), and links kept only when they
   pass the protocol's link rule (`hub.rich.safe_link`: http, https, mailto); any other link stays
   the text it was written as.
2. nh3 (ammonia) cleans the result to an allowlist that Qt's rich text draws: paragraphs, line
   breaks, emphasis, code, links (`href` only, the same schemes), lists, quotes, rules. Whatever
   step 1 might let through by a bug in it, step 2 drops.

The message itself stays the Markdown source: clients that know nothing of Markdown show it as text.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from hub.rich import LINK_SCHEMES, safe_link

#: The tags the sanitiser keeps; everything else goes (its text stays, if it is text).
TAGS: Final = frozenset({"p", "br", "em", "strong", "b", "i", "code", "pre", "a", "ul", "ol", "li", "blockquote", "hr"})
ATTRIBUTES: Final = {"a": {"href"}, "ol": {"start"}}
#: Blocks and inlines nested deeper than this are left as text (CommonMark's preset has 20; a toast needs less).
MAX_NESTING: Final = 12


def _image_as_alt(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return html.escape(f"[{alt}]" if alt else "[image]")


def _heading_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "<p><strong>"


def _heading_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "</strong></p>\n"


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": MAX_NESTING})
    md.validateLink = safe_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image_as_alt)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


_MD: Final = _parser()


def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=set(TAGS),
        attributes={"*": set(), **{tag: set(names) for tag, names in ATTRIBUTES.items()}},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


def _too_deep(tokens: Sequence[Token]) -> bool:
    """Whether the parser reached its nesting cap somewhere: past it, markdown-it drops the text inside."""
    for token in tokens:
        if token.level >= MAX_NESTING - 1 or (token.children and _too_deep(token.children)):
            return True
    return False


def _as_text(source: str) -> str:
    paragraphs = (html.escape(part).replace("\n", "<br>") for part in source.split("\n\n") if part.strip())
    return "".join(f"<p>{part}</p>\n" for part in paragraphs)


def render(source: str) -> str:
    """The Markdown `source` as sanitised rich text (a fragment of HTML Qt's `QLabel`/`QTextDocument` draws).

    Text nested deeper than `MAX_NESTING` (which the parser would drop) is shown as plain text instead.
    """
    env: EnvType = {}
    tokens = _MD.parse(source, env)
    if _too_deep(tokens):
        return _clean(_as_text(source))
    return _clean(_MD.renderer.render(tokens, _MD.options, env))


def links(markup: str) -> list[str]:
    """The link targets in rendered rich text, in order (for tests and the history's link list)."""
    found: list[str] = []

    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "a" and attribute == "href":
            found.append(value)
        return value

    nh3.clean(markup, tags=set(TAGS), attributes={"a": {"href"}}, attribute_filter=keep, link_rel=None)
    return found


def plain(source: str) -> str:
    """The Markdown `source` as plain text: what a reader sees of it, without the marks (for places that
    show text only, such as a system notification on a service that reads no markup)."""
    text = nh3.clean(
        render(source).replace("</p>", "</p>\n").replace("<br>", "\n").replace("</li>", "</li>\n"), tags=set()
    )
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line)
