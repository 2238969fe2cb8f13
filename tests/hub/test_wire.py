"""The hand-written encodings of the hot path say exactly what the general ones would."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from socketio import packet as sio_packet

from hub.protocol import Kind, Notification, NotificationType
from hub.schedule import wants_schedule
from hub.timeutil import utc_now_iso
from hub.transport.frames import encode_ack, encode_event, frame


@pytest.mark.parametrize("room", [None, "ops"])
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"priority": "high"},
        {"receipt": True, "click": "https://example.org/disk"},
        {"key": "disk"},
        {"key": "disk", "replaces": 6, "edited": True},
        {"priority": "default", "key": None},  # given, but a plain notification's values
    ],
)
def test_wire_is_the_model_dump_with_sender(room: str | None, extra: dict[str, Any]) -> None:
    note = Notification(
        id=7,
        kind=Kind.ROOM if room else Kind.DIRECT,
        type=NotificationType.WARNING,
        title="Disk",
        message="<b>91%</b> ünïcødé",
        sender="alice",
        room=room,
        timestamp="2026-12-01T10:00:00.000Z",
        **extra,
    )
    wire = note.wire()
    assert wire == {**note.model_dump(by_alias=True, mode="json"), "sender": "alice"}
    assert all(type(value) is str for value in (wire["kind"], wire["type"]))  # plain JSON strings, not enums


@pytest.mark.parametrize("size", [0, 100, 121, 122, 5000, 65_531, 65_532, 70_000])
def test_event_frames_carry_their_length_at_every_size(size: int) -> None:
    """A frame's header says its payload's length in the form RFC 6455 gives for that length
    (7 bits below 126, then 16, then 64), for the one-write path (`Frames`) as for `frame`."""
    out = encode_event("x", "y" * size)
    (made,) = out.frames
    assert made == frame(b"4" + out._text, text=True)
    assert made[0] == 0x81
    length, start = made[1], 2
    if length == 126:
        length, start = int.from_bytes(made[2:4], "big"), 4
    elif length == 127:
        length, start = int.from_bytes(made[2:10], "big"), 10
    assert length == len(made) - start and (length < 126) == (start == 2) and (length < 65536) == (start <= 4)
    assert made[start : start + 2] == b"42" and json.loads(made[start + 2 :].decode()) == ["x", "y" * size]


@pytest.mark.parametrize(
    ("payload", "scheduled"),
    [
        ({"userId": "bob", "message": "hi"}, False),
        ({"userId": "bob", "message": "hi", "delay": None, "deliver_at": None, "deliverAt": None}, False),
        ({"userId": "bob", "message": "hi", "delay": 60}, True),
        ({"userId": "bob", "message": "hi", "deliverAt": "2026-12-08T10:00:00Z"}, True),
        ({"userId": "bob", "message": "hi", "deliver_at": "2026-12-08T10:00:00Z"}, True),
        ("a bare string", False),
        (["delay"], False),
    ],
)
def test_a_send_is_scheduled_when_it_names_a_time(payload: object, scheduled: bool) -> None:
    assert wants_schedule(payload) is scheduled


@pytest.mark.parametrize(
    "data", [{"id": 1, "message": "ünïcødé ✓ 😀", "room": None}, "a bare string", [1, 2.5, None, True], {}]
)
def test_event_and_ack_encode_as_python_socketio_would(data: object) -> None:
    def decoded(text: bytes) -> tuple[int, int | None, object]:
        pkt = sio_packet.Packet(encoded_packet=text.decode())
        return pkt.packet_type, pkt.id, pkt.data

    stock_event = sio_packet.Packet(sio_packet.EVENT, data=["notification", data]).encode()
    stock_ack = sio_packet.Packet(sio_packet.ACK, data=[data], id=12).encode()
    assert decoded(encode_event("notification", data)._text) == decoded(stock_event.encode())
    assert decoded(encode_ack(12, [data])._text) == decoded(stock_ack.encode())
    frame = encode_event("x", data).frames[0]  # FIN + text, length, then the Engine.IO packet "42[...]"
    assert frame[0] == 0x81 and frame[1] == len(frame) - 2 and frame[2:4] == b"42"
    assert json.loads(frame[4:].decode()) == ["x", data]


def test_timestamps_are_utc_milliseconds_with_a_z() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = utc_now_iso()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    assert before <= datetime.fromisoformat(stamp.replace("Z", "+00:00")) <= datetime.now(UTC)
