"""Does a window lay out? No child widget overlaps a sibling, none is cut off, none is squeezed below
what its text needs, and the window fits on the screen.

    problems = layout_problems(window)           # at the window's current size
    problems = problems_at_sizes(window)         # as shown, then at its minimum size

Each problem is a sentence naming the widget ("QLabel 'Give bob this…' needs 64 px of height, has 40").
A widget may opt out of the text check when it elides on purpose: `widget.setProperty("elides", True)`.
Complex widgets (line edits, combo boxes, spin boxes, lists, scroll areas, tab bars) are checked as a
whole: what they draw inside is theirs to scroll or elide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QTabBar,
    QWidget,
)

#: Widgets whose insides are not checked (they scroll, elide or draw their parts themselves).
OPAQUE = (QAbstractScrollArea, QComboBox, QAbstractSpinBox, QLineEdit, QTabBar)


def describe(widget: QWidget) -> str:
    """A widget as a person would find it: its class and its text, name or object name."""
    text = ""
    if isinstance(widget, QLabel | QAbstractButton):
        text = widget.text()
    elif isinstance(widget, QLineEdit):
        text = widget.text() or widget.placeholderText()
    text = text or widget.accessibleName() or widget.objectName()
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:39] + "…"
    return f"{type(widget).__name__} {text!r}" if text else type(widget).__name__


def _children(widget: QWidget, window: QWidget) -> list[QWidget]:
    return [
        child
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not child.isWindow() and child.isVisibleTo(window)
    ]


def _walk(widget: QWidget, window: QWidget) -> Iterator[tuple[QWidget, list[QWidget]]]:
    """Each widget that holds others, with its visible children (the insides of OPAQUE widgets left out)."""
    children = _children(widget, window)
    yield widget, children
    for child in children:
        if not isinstance(child, OPAQUE):
            yield from _walk(child, window)


def _text_problem(widget: QWidget) -> str:
    if widget.property("elides"):
        return ""
    policy = widget.sizePolicy()
    if QSizePolicy.Policy.Ignored in {policy.horizontalPolicy(), policy.verticalPolicy()}:
        return ""
    size = widget.size()
    if isinstance(widget, QLabel) and widget.wordWrap() and widget.text():
        need = widget.heightForWidth(size.width())
        if need > size.height():
            return f"{describe(widget)} needs {need} px of height at its width of {size.width()}, has {size.height()}"
        return ""
    hint = widget.minimumSizeHint()
    if isinstance(widget, QLabel | QAbstractButton) and not widget.minimumSize().isEmpty():
        hint = hint.expandedTo(widget.minimumSize())
    if hint.width() > size.width() or hint.height() > size.height():
        return f"{describe(widget)} needs {hint.width()}x{hint.height()} px, has {size.width()}x{size.height()}"
    return ""


def layout_problems(window: QWidget) -> list[str]:
    """What is wrong with the window's layout at its current size (empty: nothing)."""
    problems: list[str] = []
    for parent, children in _walk(window, window):
        inside = parent.rect()
        for child in children:
            if not inside.contains(child.geometry()):
                problems.append(f"{describe(child)} is cut off by {describe(parent)} ({_box(child.geometry())} "
                                f"outside {_box(inside)})")  # fmt: skip
            if (problem := _text_problem(child)) != "":
                problems.append(problem)
        for i, first in enumerate(children):
            for second in children[i + 1 :]:
                if first.geometry().intersects(second.geometry()):
                    problems.append(f"{describe(first)} overlaps {describe(second)} in {describe(parent)}")
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry().size()
        if window.width() > room.width() or window.height() > room.height():
            problems.append(f"the window ({window.width()}x{window.height()}) does not fit on the screen "
                            f"({room.width()}x{room.height()})")  # fmt: skip
    return problems


def problems_at_sizes(window: QWidget, resize: Callable[[QSize], None] | None = None) -> list[str]:
    """The window's problems as it is shown now, then resized to its minimum size (as small as a person
    can drag it). `resize` waits for the window system to apply a size (default: resize, process events)."""

    def plain(size: QSize) -> None:
        window.resize(size)
        QApplication.processEvents()

    shown = [f"as shown ({window.width()}x{window.height()}): {p}" for p in layout_problems(window)]
    smallest = window.minimumSize()
    if smallest.isEmpty():
        smallest = window.minimumSizeHint()
    window.resize(smallest)
    (resize or plain)(smallest)
    at_minimum = [f"at its minimum size ({window.width()}x{window.height()}): {p}" for p in layout_problems(window)]
    return shown + at_minimum


def _box(rect: QRect) -> str:
    return f"{rect.width()}x{rect.height()} at {rect.x()},{rect.y()}"
