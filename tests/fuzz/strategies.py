"""Hypothesis strategies for hostile input: wrong types, missing fields, huge and strange text, deep
nesting, binary where text belongs, and the hub's own event names used the wrong way round."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hub.protocol import MAX_MESSAGE_BYTES, Event

#: Text that has broken parsers before: NUL, control and bidi characters, lone surrogates (invalid
#: UTF-8 once encoded), escapes, just-too-long values, injection-looking strings.
NASTY_TEXT = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\r\n\r\nHTTP/1.1 200 OK",
    "\u202egnp.exe",
    "\ufeff",
    "\ud800",
    "x\udfffy",
    "é" * (MAX_MESSAGE_BYTES // 2 + 1),
    "x" * (MAX_MESSAGE_BYTES + 1),
    "t" * 201,
    "lnt_" + "A" * 43,
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "'; DROP TABLE notifications; --",
    "%s%s%s%n",
    "{{7*7}}",
    "\\u0000",
    "🎉" * 100,
    "a" * 65,
    "-leading-dash",
    "admin",
    "bob",
    "lobby",
)

any_char = st.characters(codec=None, exclude_categories=())
text = st.one_of(
    st.text(any_char, max_size=40),
    st.sampled_from(NASTY_TEXT),
    st.integers(4000, 70_000).map(lambda n: "y" * n),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(any_char, max_size=12), inner, max_size=4),
    max_leaves=12,
)


def nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = [value] if i % 2 else {"message": value}
    return value


values = st.one_of(
    json_values,
    st.binary(max_size=64),
    st.integers(1, 300).map(nested),
)

#: Bad values for one field, one of each kind: wrong types, empty, NUL and control characters, a lone
#: surrogate (invalid UTF-8), just too long, far too long (a packet over 64 KiB), deep nesting, bytes
#: (a binary attachment), numbers at the edges.
BAD_VALUES: tuple[Any, ...] = (
    None,
    True,
    -1,
    2**70,
    float("nan"),
    "",
    "\x00",
    "a\x00b\x1b[31m\r\n",
    "\ud800",
    "t" * 201,
    "x" * (MAX_MESSAGE_BYTES + 1),
    "y" * 70_000,
    [],
    {"$gt": ""},
    nested(200),
    b"\x00\xff binary",
)
#: Whole payloads of the wrong shape.
NO_PAYLOAD = object()  # the event is sent with no argument at all
BAD_PAYLOADS: tuple[Any, ...] = (NO_PAYLOAD, None, 0, "text", ["a", "list"], {}, b"\xff\xfe", nested(300))

VALID: dict[str, Any] = {
    Event.SEND_NOTIFICATION: {"to": "bob", "message": "hi", "type": "info", "title": "t", "key": "build-1"},
    Event.ROOM_MESSAGE: {"room": "lobby", "message": "hi", "type": "warning", "title": "", "delay": "1h"},
    Event.BROADCAST: {"message": "hi", "type": "success", "deliver_at": "2026-12-08T09:00:00+01:00", "key": "k"},
    Event.ANNOUNCE: {"message": "hi", "title": "t"},
    Event.JOIN_ROOM: {"room": "lobby"},
    Event.LEAVE_ROOM: {"room": "lobby"},
    Event.ACK: {"id": 1},
    Event.SYNC: {"since": 0},
    Event.AUTHENTICATE: {"userId": "mallory", "username": "mallory"},
    Event.LIST_ONLINE: {},
    Event.LIST_USERS: {},
    Event.LIST_ROOMS: {},
    Event.RETRACT: {"key": "build-1", "to": "bob"},
    Event.MARK_READ: {"ids": [1, 2], "all": False, "upto": 2},
    Event.SEEN: {"ids": [1]},
    Event.CANCEL_SCHEDULED: {"key": "build-1"},
}
#: Names python-socketio or the hub use internally: sent as ordinary events they are unknown_event.
RESERVED = ("connect", "disconnect", "connect_error", "message", "*")


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    """A valid payload with fields dropped, replaced by anything, and unexpected keys added."""
    out: dict[str, Any] = {}
    for key, value in base.items():
        choice = draw(st.sampled_from(["keep", "drop", "replace"]))
        if choice == "keep":
            out[key] = value
        elif choice == "replace":
            out[key] = draw(values)
    extra = draw(st.dictionaries(st.sampled_from(["from", "sender", "id", "admin", "userId", "__proto__"]), values))
    out.update(extra)
    return out


@st.composite
def socketio_events(draw: st.DrawFn) -> tuple[str, Any]:
    """(event, payload) for the python client: any hub event, server-only names, or unknown names."""
    known = [str(e) for e in Event]
    event = draw(
        st.one_of(
            st.sampled_from(known),
            st.sampled_from(known),
            st.sampled_from(known),
            st.sampled_from(RESERVED),
            st.text(any_char, min_size=1, max_size=30),
        )
    )
    base = VALID.get(event)
    shapes = [values, st.tuples(values, values)]
    if base is not None:
        shapes.insert(0, mutated(base))
    payload = draw(st.one_of(*shapes))
    return event, payload
