"""Plain text fitted into a box of fixed width: whole lines, at most so many of them, "…" where text was cut.

No Qt: the caller passes `measure`, the width of a string in its font (Qt's
`QFontMetricsF.horizontalAdvance`), so the same text always gets the same lines, and a toast the
same height. Lines break at spaces; a word wider than the box has a line of its own, cut with "…";
the last line ends with "…" when text was left out. Blank lines are kept, one at most in a row.
Cuts never split a character from the marks, joiners or modifiers that follow it (an emoji
sequence stays whole or goes).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

ELLIPSIS: Final = "…"
#: No line holds more characters than this, whatever the width: a cut never measures a 4 KB word whole.
_LONGEST: Final = 1000

Measure = Callable[[str], float]


@dataclass(frozen=True, slots=True)
class Fitted:
    lines: tuple[str, ...]
    #: Some text was left out or cut (a line ends with "…").
    clipped: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _joins_previous(ch: str) -> bool:
    """`ch` belongs to the character before it: a combining mark, a joiner, a variation selector, a skin tone."""
    code = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or unicodedata.category(ch) in {"Mn", "Me", "Mc"}
        or code == 0x200D  # zero-width joiner
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # skin tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def safe_cut(text: str, index: int) -> int:
    """The nearest place at or before `index` where `text` can be cut without breaking a character apart."""
    index = max(0, min(index, len(text)))
    while 0 < index < len(text) and (_joins_previous(text[index]) or text[index - 1] == "\u200d"):
        index -= 1
    if 0 < index < len(text) and _is_regional(text[index]):
        run = 0  # regional indicators pair up into flags: never leave half of one
        while index - run > 0 and _is_regional(text[index - run - 1]):
            run += 1
        if run % 2:
            index -= 1
    return index


def cut(text: str, width: float, measure: Measure) -> str:
    """The longest beginning of `text` that fits in `width` with "…" after it (always ends with "…")."""
    low, high = 0, min(len(text), _LONGEST)
    while low < high:  # the longest prefix that fits, by halving
        middle = (low + high + 1) // 2
        if measure(text[:middle].rstrip() + ELLIPSIS) <= width:
            low = middle
        else:
            high = middle - 1
    return text[: safe_cut(text, low)].rstrip() + ELLIPSIS


def elide(text: str, width: float, measure: Measure) -> str:
    """`text` when it fits in `width`, else its longest beginning that fits with "…" after it."""
    return text if measure(text) <= width else cut(text, width, measure)


def _paragraphs(text: str) -> list[str]:
    """The text's lines with their spaces collapsed; one blank line at most in a row, none at either end."""
    kept: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if line or (kept and kept[-1]):
            kept.append(line)
    while kept and not kept[-1]:
        kept.pop()
    return kept


def _wrapped(text: str, width: float, measure: Measure) -> Iterator[tuple[str, bool]]:
    """The text's lines, broken at spaces to fit `width`, each with whether it was cut; made as they are read."""
    for paragraph in _paragraphs(text):
        line = ""
        for word in paragraph.split(" ") if paragraph else []:
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= width:
                line = candidate
                continue
            if line:
                yield line, False
            line = word
            if measure(word) > width:  # a word wider than the box: a line of its own, cut
                yield cut(word, width, measure), True
                line = ""
        if line or not paragraph:
            yield line, False


def fit(text: str, width: float, max_lines: int, measure: Measure) -> Fitted:
    """`text` in at most `max_lines` lines of `width`, broken at spaces, "…" where text was cut."""
    lines: list[str] = []
    clipped = False
    for line, was_cut in _wrapped(text, width, measure):
        if len(lines) == max_lines:  # there is more: the last line says so
            if not lines[-1].endswith(ELLIPSIS):
                lines[-1] = cut(lines[-1], width, measure)
            return Fitted(tuple(lines), True)
        lines.append(line)
        clipped = clipped or was_cut
    return Fitted(tuple(lines), clipped)
