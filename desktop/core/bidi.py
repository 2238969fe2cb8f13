"""Showing text from others so that its bidirectional controls cannot change what surrounds them.

A message body may hold bidirectional controls (right-to-left text needs them), and the hub passes
them on. Shown as they are, an override reverses the letters after it ("invoice_\\u202egnp.exe" reads
as "invoice_exe.png"), and an embedding left open reorders whatever follows it on the line: the
rest of the body, and any text a window puts after it.

`isolate(text)` returns the text to show instead, with the same visible characters in the same
order, in which every explicit embedding and override is the matching isolate (an override becomes
an isolate of its direction: it sets the direction of the neutral characters in it, but reverses no
letters) closed where the algorithm would have closed it (PDF the innermost embedding, PDI the
innermost isolate and what was opened inside it), a terminator that closes nothing is dropped,
whatever is still open is closed at the end of its paragraph, and each paragraph is one first-strong
isolate (FSI ... PDI). Text without an explicit control is shown as it is. The Unicode
Bidirectional Algorithm gives an isolate no effect on the text around it, and the text around it
none on it (UAX #9, 2.7): whatever the body holds, it reorders nothing outside its own isolates.
"""

from __future__ import annotations

from typing import Final

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"
#: What each opening control is shown as.
_OPENS: Final = {LRE: LRI, LRO: LRI, RLE: RLI, RLO: RLI, LRI: LRI, RLI: RLI, FSI: FSI}
_CONTROL_CHARS: Final = frozenset((*_OPENS, PDF, PDI))
#: Paragraph separators (bidi class B): each ends every embedding and isolate opened before it.
PARAGRAPH_SEPARATORS: Final = frozenset("\n\r\x1c\x1d\x1e\x85\u2029")
#: The isolates opened in one paragraph, at most: as deep as the algorithm follows (UAX #9 BD2: 125),
#: less the one around the paragraph. Deeper ones are dropped with their terminators.
MAX_DEPTH: Final = 124


def isolate(text: str) -> str:
    """`text` as it should be shown (see the module's docstring). Text without an explicit
    bidirectional control is returned as it is: it has nothing to neutralise, and the plain right-to-left
    text in it orders itself as usual."""
    if not _CONTROL_CHARS.intersection(text):
        return text
    out: list[str] = [FSI]
    #: What is open in this paragraph, innermost last: (opened by an isolate, shown).
    stack: list[tuple[bool, bool]] = []
    shown = 0
    for char in text:
        opened = _OPENS.get(char)
        if opened is not None:
            show = shown < MAX_DEPTH
            stack.append((char in (LRI, RLI, FSI), show))
            if show:
                out.append(opened)
                shown += 1
        elif char == PDF:  # closes the innermost embedding or override, if that is what is innermost
            if stack and not stack[-1][0]:
                shown -= _close(out, stack.pop())
        elif char == PDI:  # closes the innermost isolate and what was opened in it
            if any(by_isolate for by_isolate, _ in stack):
                while True:
                    entry = stack.pop()
                    shown -= _close(out, entry)
                    if entry[0]:
                        break
        elif char in PARAGRAPH_SEPARATORS:
            out.append(PDI * (shown + 1))
            out.append(char)
            out.append(FSI)
            stack.clear()
            shown = 0
        else:
            out.append(char)
    out.append(PDI * (shown + 1))
    return "".join(out)


def _close(out: list[str], entry: tuple[bool, bool]) -> int:
    """Close one opened control; 1 when it was shown (a PDI written), else 0."""
    if entry[1]:
        out.append(PDI)
        return 1
    return 0


def balanced(text: str) -> bool:
    """Whether every isolate in `text` is closed in its paragraph, no terminator closes what it did
    not open, and no embedding or override is left (what `isolate` guarantees; for tests)."""
    depth = 0
    for char in text:
        if char in (LRE, RLE, LRO, RLO, PDF):
            return False
        if char in (LRI, RLI, FSI):
            depth += 1
        elif char == PDI:
            if depth == 0:
                return False
            depth -= 1
        elif char in PARAGRAPH_SEPARATORS:
            if depth:
                return False
    return depth == 0
