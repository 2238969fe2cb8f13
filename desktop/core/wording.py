"""What the app says when something goes wrong, as sentences a person would write: what happened, and what
to do, once. The hub's own messages are for programs and logs; these are for people. No Qt here."""

from __future__ import annotations

from typing import Final

#: The hub refused this device's token (revoked, signed out elsewhere, the account removed).
TOKEN_REFUSED: Final = "The hub no longer accepts this computer's sign-in (it was revoked). Sign in again."
#: Sign out could not reach the hub: the device token still works there.
SIGNED_OUT_HERE_ONLY: Final = (
    "The hub could not be reached, so this computer's sign-in still works there until the hub's admin revokes "
    "it (notify-hub token list, then notify-hub token revoke)."
)


def sentence(text: str) -> str:
    """`text` as a sentence: a capital first letter and a full stop (a hub message is neither)."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def sign_in_refusal(code: str, message: str, retry_after: float | None = None) -> str:
    """The hub's refusal of a sign-in (`POST /api/login`), by its stable code."""
    if code == "password_expired":
        return "This one-time password was already used. Ask your hub's admin for a new one."
    if code == "unauthorized":
        return "The user name or password is wrong."
    if code == "rate_limited":
        wait = f"{round(retry_after)} s" if retry_after else "a little"
        return f"Too many sign-in attempts: wait {wait}, then try again."
    if code == "invalid_payload":
        return f"The hub did not accept the sign-in: {sentence(message)}"
    return f"The hub refused the sign-in: {sentence(message)}"
