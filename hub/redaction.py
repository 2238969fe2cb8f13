"""Secrets out of log lines: device tokens, and the whole value of anything named like a secret.

Two rules, applied to every line the hub writes (`hub/logs.py`) and to the packet loggers of
python-engineio/socketio (`RedactSecrets`):

- anything shaped like a device token (`lnt_...`) becomes `lnt_[redacted]`, wherever it is;
- the value after a key that names a secret (`token`, `password`, `last_token`, `secret`,
  `authorization`, and keys ending so, such as `access_token`), in JSON, a Python repr, a query
  string or a header, becomes `[redacted]`: a quoted string up to its real closing quote
  (whatever quotes or escapes it holds), a list or an object up to its matching bracket, anything
  else up to the next separator. A value that does not end is redacted to the end of the line.
  (The earlier pattern stopped at the first quote of either kind, so a secret holding an
  apostrophe leaked from there on, and a number or a list was not redacted at all.)

`redact_secrets` applies both; `redact_url` takes the password out of a database or Redis URL.
"""

from __future__ import annotations

import logging
import re

#: The device tokens' prefix (for secret scanners, and to find them in text).
TOKEN_PREFIX = "lnt_"
REDACTED = "[redacted]"
_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"[A-Za-z0-9_\-]+")
#: A key naming a secret, quoted or not, then `:` or `=`.
_KEY = re.compile(r"""(?P<q>["']?)\b[A-Za-z_]*(?:token|password|secret|authorization)(?P=q)\s*[:=]\s*""", re.IGNORECASE)
_CLOSING = {"[": "]", "{": "}", "(": ")"}
#: Where an unquoted value ends.
_UNQUOTED_END = re.compile(r"[\s,;&)\]}]|$")
#: An authorization scheme, whose credentials follow after a space ("Bearer abc").
_SCHEME = re.compile(r"(?:bearer|basic|token)\s+", re.IGNORECASE)


def redact_secrets(text: str) -> str:
    """`text` with device tokens and the values of secret-named keys replaced by `[redacted]`."""
    out: list[str] = []
    pos = 0
    while (key := _KEY.search(text, pos)) is not None:
        start = key.end()
        out.append(text[pos:start])
        end = _value_end(text, start)
        value = text[start:end]
        if value[:1] in ("'", '"') and len(value) >= 2 and value[-1] == value[0]:
            out.append(value[0] + REDACTED + value[0])
        else:
            out.append(REDACTED if value else "")
        pos = end
    out.append(text[pos:])
    return _TOKEN.sub(TOKEN_PREFIX + REDACTED, "".join(out))


def redact_url(url: str) -> str:
    """A database or Redis URL without its password (`postgresql://hub@db/notify`), for logs and output."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    userinfo, host = rest.rsplit("@", 1)
    return f"{scheme}://{userinfo.split(':', 1)[0]}@{host}"


def _value_end(text: str, start: int) -> int:
    """Where the value beginning at `start` ends (exclusive)."""
    if start >= len(text):
        return start
    first = text[start]
    if first in "bu" and text[start + 1 : start + 2] in ("'", '"'):  # a bytes or unicode repr
        return _quoted_end(text, start + 1)
    if first in ("'", '"'):
        return _quoted_end(text, start)
    if first in _CLOSING:
        return _bracketed_end(text, start)
    scheme = _SCHEME.match(text, start)
    if scheme is not None:
        start = scheme.end()
    found = _UNQUOTED_END.search(text, start)
    return found.start() if found is not None else len(text)


def _quoted_end(text: str, start: int) -> int:
    quote = text[start]
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == quote:
            return i + 1
        i += 1
    return len(text)


def _bracketed_end(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        char = text[i]
        if char in ("'", '"'):
            i = _quoted_end(text, i)
            continue
        if char in _CLOSING:
            depth += 1
        elif char in _CLOSING.values():
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


class RedactSecrets(logging.Filter):
    """A logging filter for loggers that print raw packets (python-engineio/socketio log every packet,
    including the `auth` object with the device token, at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return True
        cleaned = redact_secrets(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
