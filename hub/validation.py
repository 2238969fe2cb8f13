"""The one place input is validated: a pydantic model, a stable code and one human sentence.

Every Socket.IO event, the connect `auth` object and every HTTP body or query goes through
`validate`: anything but an object is `invalid_payload` ("expected a JSON object, got list"), a
field past its limit is `too_large`, any other mistake `invalid_payload`, with the message of
`describe_validation_error`.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hub.errors import InvalidPayload, TooLarge
from hub.online import OnlinePage
from hub.protocol import ErrorCode, RoomPage, RoomRef
from hub.pydantic_internals import validator

M = TypeVar("M", bound=BaseModel)


def describe_validation_error(exc: ValidationError) -> tuple[ErrorCode, str]:
    """Turn a pydantic error into a stable code and one human sentence."""
    first = exc.errors(include_url=False)[0]
    code = ErrorCode.TOO_LARGE if first["type"] in {"too_large", "string_too_long"} else ErrorCode.INVALID_PAYLOAD
    where = ".".join(str(part) for part in first["loc"])
    text = first["msg"]
    return code, f"{where}: {text}" if where else text


def validate(
    model: type[M], data: Any, *, shape: str = "a JSON object", prefix: str = "", oversize_is_invalid: bool = False
) -> M:
    """`data` as a `model`, or `InvalidPayload` / `TooLarge` saying what is wrong.

    `shape` names what was expected, `prefix` goes in front of every message, and
    `oversize_is_invalid` answers a field past its limit as `invalid_payload` too (sign-in and the
    connect `auth` object, whose answers have always been that)."""
    if not isinstance(data, dict):
        raise InvalidPayload(f"{prefix}expected {shape}, got {kind_of(data)}")
    try:
        # `model_validate` without its own frame (every event and body passes here): the model's
        # validator, which that method calls with the same defaults.
        return validator(model).validate_python(data)  # type: ignore[no-any-return]
    except ValidationError as exc:
        code, message = describe_validation_error(exc)
        too_large = code is ErrorCode.TOO_LARGE and not oversize_is_invalid
        raise (TooLarge if too_large else InvalidPayload)(prefix + message) from None


def parse_event(model: type[M], args: tuple[Any, ...]) -> M:
    """An event's first argument as a `model`."""
    data = args[0] if args else None
    if model is RoomRef and isinstance(data, str):
        data = {"room": data}  # the seed guide sends a bare room name
    elif model in (RoomPage, OnlinePage) and not isinstance(data, dict):
        data = {}  # the first page: what came with `list_rooms` / `list_online` before pages was ignored
    return validate(model, data)


def kind_of(value: Any) -> str:
    """What a value that is not an object is, in a message: `nothing`, `binary data`, `list`, `str`..."""
    if value is None:
        return "nothing"
    if isinstance(value, bytes | bytearray):
        return "binary data"
    return type(value).__name__
