"""The hand-written encodings of the hot path say exactly what the general ones would."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from socketio import packet as sio_packet

from hub.protocol import Kind, Notification, NotificationType
from hub.timeutil import utc_now_iso
from hub.transport.frames import encode_ack, encode_event


@pytest.mark.parametrize("room", [None, "ops"])
def test_wire_is_the_model_dump_with_sender(room: str | None) -> None:
    note = Notification(
        id=7,
        kind=Kind.ROOM if room else Kind.DIRECT,
        type=NotificationType.WARNING,
        title="Disk",
        message="<b>91%</b> ünïcødé",
        sender="alice",
        room=room,
        timestamp="2026-12-01T10:00:00.000Z",
    )
    assert note.wire() == {**note.model_dump(by_alias=True, mode="json"), "sender": "alice"}


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
