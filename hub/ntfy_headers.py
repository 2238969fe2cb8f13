"""ntfy's headers on the HTTP send endpoints (`X-Priority`, `X-Click`, `X-Actions`, `X-Markdown`),
read into `hub.rich`'s fields by one model, `NtfyHeaders`.

`X-Actions`:
ntfy's short format: actions separated by `;`, fields by `,`; the first fields by position (the
kind, the label, then the URL for `view`), the rest as `key=value`; a value holding `,` or `;` in
double or single quotes::

    view, Open portal, https://home.lan/; respond, Approve; respond, Reject
    action=view, label="Logs, last hour", url=https://grafana.lan/d/x, clear=true

ntfy's JSON form (an array of objects, as in `POST /api/notifications`) is taken too. Of ntfy's kinds
only `view` is supported (`http` and `broadcast` run on ntfy's Android app, which we are not); ours
add `reply` and `respond`. Anything else is refused with a sentence that names the action and why;
the limits (three actions, label and URL length) are `hub.rich.Actions`'s, applied afterwards.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from hub.rich import ActionKind, Actions, HttpPriority, LinkUrl, Priority, RichFields, TextFormat, markdown_from_http

#: The fields each kind takes by position, after its kind.
_POSITIONAL: Final = {ActionKind.VIEW: ("label", "url"), ActionKind.REPLY: ("label",), ActionKind.RESPOND: ("label",)}
#: Keys ntfy defines; a field `key=value` is read as one only when `key` is among them.
_NTFY_KEYS: Final = frozenset({"action", "label", "url", "clear", "method", "body", "intent", "value"})
#: Keys each of our kinds takes (`clear` is ntfy's "dismiss after the press": accepted, and ignored).
_ALLOWED: Final = {
    ActionKind.VIEW: frozenset({"label", "url", "clear"}),
    ActionKind.REPLY: frozenset({"label", "clear"}),
    ActionKind.RESPOND: frozenset({"label", "clear"}),
}
#: The longest header this parser reads (three actions' worth, with room for quotes and spaces).
MAX_HEADER_CHARS: Final = 8192


def _refuse(message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError("invalid_actions", "X-Actions: " + message, context)


def _split(text: str) -> list[list[str]]:
    """Actions, each a list of fields; quotes (at a field's or a value's start) protect `,` and `;`."""
    actions: list[list[str]] = [[]]
    field: list[str] = []
    last = ""  # the field's last character that is not a space ("": none yet); kept as it grows
    quote: str | None = None
    for ch in text:
        if quote is not None:
            if ch == quote:
                quote = None
            else:
                field.append(ch)
                last = last if ch.isspace() else ch
            continue
        if ch in "\"'" and last in ("", "="):
            quote = ch
        elif ch in ",;":
            actions[-1].append("".join(field).strip())
            field = []
            last = ""
            if ch == ";":
                actions.append([])
        else:
            field.append(ch)
            last = last if ch.isspace() else ch
    if quote is not None:
        raise _refuse("a quote ({quote}) is never closed", quote=quote)
    actions[-1].append("".join(field).strip())
    return [fields for fields in actions if any(fields)]


def _key_value(field: str) -> tuple[str, str] | None:
    key, sep, value = field.partition("=")
    key = key.strip().lower()
    if sep and (key in _NTFY_KEYS or key.startswith(("headers.", "extras."))):
        return key, value.strip()
    return None


def _one(number: int, fields: list[str]) -> dict[str, Any]:
    first = _key_value(fields[0])
    kind_text = (first[1] if first is not None and first[0] == "action" else fields[0]).strip().lower()
    try:
        kind = ActionKind(kind_text)
    except ValueError:
        why = " (it calls a URL or an app from the phone, which lan-notify clients do not)"
        raise _refuse(
            "action {number} is '{kind}', which is not supported{why}: use view, reply or respond",
            number=number,
            kind=kind_text[:40],
            why=why if kind_text in {"http", "broadcast"} else "",
        ) from None
    action: dict[str, Any] = {"action": kind.value}
    positional = list(_POSITIONAL[kind])
    for field in fields[1:]:
        pair = _key_value(field)
        if pair is None:
            if not positional:
                raise _refuse("action {number} ({kind}) has an unexpected field '{field}'", **_ctx(number, kind, field))
            action[positional.pop(0)] = field
            continue
        key, value = pair
        if key not in _ALLOWED[kind]:
            raise _refuse("action {number} ({kind}) has an unknown key '{field}'", **_ctx(number, kind, key))
        if key in action:
            raise _refuse("action {number} ({kind}) gives '{field}' twice", **_ctx(number, kind, key))
        if key in positional:
            positional.remove(key)
        if key != "clear":
            action[key] = value
    return action


def _ctx(number: int, kind: ActionKind, field: str) -> dict[str, Any]:
    return {"number": number, "kind": kind.value, "field": field[:60]}


def parse_ntfy_actions(header: str) -> list[dict[str, Any]]:
    """The `X-Actions` header as a list of action objects, for `hub.rich.Actions` to validate.

    Raises `PydanticCustomError` (`invalid_actions`: a refusal in words, prefixed "X-Actions:") for
    text that is not ntfy's format or names a kind we do not support; `too_large` past
    `MAX_HEADER_CHARS`.
    """
    if len(header) > MAX_HEADER_CHARS:
        raise PydanticCustomError(
            "too_large", "X-Actions is longer than {limit} characters", {"limit": MAX_HEADER_CHARS}
        )
    text = header.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise _refuse("starts with '[' but is not a JSON array") from None
        if not isinstance(parsed, list):
            raise _refuse("starts with '[' but is not a JSON array")
        return parsed
    return [_one(number, fields) for number, fields in enumerate(_split(text), start=1)]


def _ntfy_actions(value: Any) -> Any:
    return parse_ntfy_actions(value) if isinstance(value, str) else value


class NtfyHeaders(BaseModel):
    """The ntfy-style headers of a send, as the HTTP layer collects them: `{priority, click, actions,
    markdown}` from `X-Priority`, `X-Click`, `X-Actions`, `X-Markdown` (an absent header is an absent
    key). Validate it as any payload (`describe_validation_error` gives the code and the sentence);
    `rich()` gives the fields a send payload takes."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    priority: HttpPriority = Priority.DEFAULT
    click: LinkUrl | None = None
    actions: Annotated[Actions, BeforeValidator(_ntfy_actions)] = ()
    markdown: Annotated[TextFormat | None, BeforeValidator(markdown_from_http)] = None

    def rich(self) -> RichFields:
        return RichFields(
            priority=self.priority,
            click=self.click,
            actions=self.actions,
            format=self.markdown or TextFormat.PLAIN,
        )
