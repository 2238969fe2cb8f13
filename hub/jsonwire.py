"""The one reader of the JSON clients send: HTTP bodies, Socket.IO events and CONNECT packets.

No JSON text fails to parse because of its numbers. Python's `json` turns a digit string into an
`int`, which CPython refuses past 4,300 digits (a plain ValueError, the int-string conversion limit,
which no caller expected: a 500 on HTTP) and which costs time quadratic in the digits below that.
orjson reads an integer past 64 bits as a float and refuses one beyond a double's range. Here an
integer of more than MAX_INT_DIGITS digits becomes a float, as in orjson (infinity past a double's
range), in time linear in its length; a payload model then refuses it where it wants an integer or
text, naming the field (`invalid_payload`), and ignores it in a field it does not know.

`loads` raises ValueError (json.JSONDecodeError, orjson.JSONDecodeError, UnicodeDecodeError) for
text that is not JSON, and RecursionError for nesting too deep to decode. `dumps` is the standard
library's, so this module can stand in for `json` where python-socketio asks for one.
"""

from __future__ import annotations

import json
from json import dumps
from typing import Any, Final

import orjson

__all__ = ["MAX_INT_DIGITS", "dumps", "loads"]

#: The longest integer read as an integer, in digits: 2**64 has 20, and no id or count is longer.
MAX_INT_DIGITS: Final = 20


def _number(text: str) -> int | float:
    digits = len(text) - (text[0] == "-")
    return int(text) if digits <= MAX_INT_DIGITS else float(text)


def loads(data: str | bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        # What orjson refuses and json takes: NaN and Infinity, numbers beyond a double's range;
        # and what neither takes, for json's error message.
        return json.loads(data, parse_int=_number)
