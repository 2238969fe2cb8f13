"""desktop.core.bidi.isolate: a body's bidirectional controls cannot reorder what surrounds them,
and the characters a reader sees stay the same, in the same order. No Qt."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.bidi import FSI, LRE, LRI, LRO, MAX_DEPTH, PDF, PDI, RLE, RLI, RLO, balanced, isolate

CONTROLS = (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI)


def visible(text: str) -> str:
    return "".join(c for c in text if c not in CONTROLS)


def test_an_override_becomes_an_isolate_that_reverses_no_letters() -> None:
    # "invoice_\u202egnp.exe" would read "invoice_exe.png": the override becomes a right-to-left
    # isolate, in which Latin letters keep their order.
    assert isolate("invoice_\u202egnp.exe") == f"{FSI}invoice_{RLI}gnp.exe{PDI}{PDI}"
    assert isolate(f"a{LRO}b{PDF}c") == f"{FSI}a{LRI}b{PDI}c{PDI}"
    assert isolate(f"a{RLE}b{PDF}c{LRE}d") == f"{FSI}a{RLI}b{PDI}c{LRI}d{PDI}{PDI}"


def test_what_is_left_open_is_closed_and_what_closes_nothing_is_dropped() -> None:
    assert isolate(f"a{RLI}b") == f"{FSI}a{RLI}b{PDI}{PDI}"
    # A terminator of nothing would close the isolate around the body and let the rest out.
    assert isolate(f"a{PDI}{RLO}b") == f"{FSI}a{RLI}b{PDI}{PDI}"
    assert isolate(f"{PDF}{PDF}x") == f"{FSI}x{PDI}"


def test_terminators_close_what_the_algorithm_would_close() -> None:
    # A PDF inside an isolate closes nothing (the isolate is innermost); a PDI closes its isolate
    # and the embedding opened inside it.
    assert isolate(f"{RLI}a{PDF}b{PDI}c") == f"{FSI}{RLI}ab{PDI}c{PDI}"
    assert isolate(f"{LRI}a{RLE}b{PDI}c") == f"{FSI}{LRI}a{RLI}b{PDI}{PDI}c{PDI}"


def test_each_paragraph_is_its_own_isolate() -> None:
    assert isolate(f"a{RLO}b\nc\u2029d") == f"{FSI}a{RLI}b{PDI}{PDI}\n{FSI}c{PDI}\u2029{FSI}d{PDI}"


def test_text_without_controls_is_shown_as_it_is() -> None:
    for text in ("", "Build 118 failed", "שלום world", "مرحبا 123!", "line\nbreak\u2028here"):
        assert isolate(text) == text


def test_nesting_past_the_algorithms_depth_is_dropped_with_its_terminators() -> None:
    shown = isolate(RLO * 300 + "x" + PDF * 300 + "y")
    assert shown == FSI + RLI * MAX_DEPTH + "x" + PDI * MAX_DEPTH + "y" + PDI
    assert balanced(shown)


text_with_controls = st.text(
    st.one_of(
        st.sampled_from(CONTROLS),
        st.sampled_from("\n\r\x85\u2029\u2028 .:-"),
        st.sampled_from("abc\u05d0\u05d1\u05d2\u0627\u0628\u062a0123"),
    ),
    max_size=200,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(text=text_with_controls, before=st.sampled_from(["", "alice: ", "אליס: "]))
def test_any_text_is_balanced_and_shows_the_same_characters(text: str, before: str) -> None:
    shown = isolate(text)
    assert visible(shown) == visible(text)
    if any(c in CONTROLS for c in text):
        assert balanced(shown), repr(shown)
        # Around other text, what follows the body is outside every isolate the body opened.
        assert balanced(before + shown + " (from alice)")
