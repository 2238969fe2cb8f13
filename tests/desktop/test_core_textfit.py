"""Fitting text into a box: whole lines, a fixed number, "…" where cut. One unit of width per character."""

from __future__ import annotations

from desktop.core.textfit import ELLIPSIS, cut, elide, fit, safe_cut

WIDTH = 20


def measure(text: str) -> float:
    return float(len(text))


def test_short_text_is_left_alone() -> None:
    fitted = fit("Backup done", WIDTH, 4, measure)
    assert fitted.lines == ("Backup done",)
    assert not fitted.clipped


def test_lines_break_at_spaces_and_never_pass_the_width() -> None:
    fitted = fit("the quick brown fox jumps over the lazy dog and runs away", WIDTH, 4, measure)
    assert fitted.lines == ("the quick brown fox", "jumps over the lazy", "dog and runs away")
    assert all(len(line) <= WIDTH for line in fitted.lines)
    assert not fitted.clipped


def test_a_long_body_keeps_a_fixed_number_of_lines_and_ends_with_an_ellipsis() -> None:
    body = " ".join(f"word{i}" for i in range(1000))  # ~7 KB
    fitted = fit(body, WIDTH, 4, measure)
    assert len(fitted.lines) == 4
    assert fitted.clipped and fitted.lines[-1].endswith(ELLIPSIS)
    assert all(len(line) <= WIDTH for line in fitted.lines)
    assert fitted.lines[0] == "word0 word1 word2"  # from the top: nothing is cut off before the first line


def test_the_same_text_gets_the_same_lines() -> None:
    body = "x " * 3000
    assert fit(body, WIDTH, 4, measure) == fit(body, WIDTH, 4, measure)
    assert len(fit(body, WIDTH, 4, measure).lines) == len(fit(body * 2, WIDTH, 4, measure).lines) == 4


def test_a_long_unbroken_word_is_cut_with_an_ellipsis_on_its_own_line() -> None:
    fitted = fit("see https://example.org/" + "a" * 100 + " now", WIDTH, 4, measure)
    assert fitted.lines == ("see", "https://example.org…", "now")
    assert fitted.clipped


def test_blank_lines_collapse_and_none_at_the_ends() -> None:
    fitted = fit("\n\nfirst\r\n\n\n\nsecond\t  line\n\n", WIDTH, 4, measure)
    assert fitted.lines == ("first", "", "second line")


def test_more_paragraphs_than_lines_end_with_an_ellipsis() -> None:
    fitted = fit("one\ntwo\nthree\nfour\nfive", WIDTH, 3, measure)
    assert fitted.lines == ("one", "two", "three…")
    assert fitted.clipped


def test_elide_a_title() -> None:
    assert elide("Short title", WIDTH, measure) == "Short title"
    long = elide("A very long title that goes on and on", WIDTH, measure)
    assert long == "A very long title t…" and len(long) == WIDTH


def test_cuts_keep_emoji_sequences_whole() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji made of three joined ones
    text = "ab" + family + "cd"
    for index in range(len(text) + 1):
        kept = text[: safe_cut(text, index)]
        assert not kept.endswith("\u200d")
        assert family in kept or kept in {"", "a", "ab"}
    flags = "\U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea"  # two flags: four regional indicators
    assert safe_cut(flags, 3) == 2 and safe_cut(flags, 1) == 0
    assert safe_cut("e\u0301t\u00e9", 1) == 0  # an accent stays with its letter
    assert cut("thumbs \U0001f44d\U0001f3fd up", 9, measure) == "thumbs…"
