"""Answers to `respond` buttons in the store, for both backends: what is answered, and the answers.

An answer is stored twice over: a `responses` row per recipient and notification (its primary key
is the compare-and-set that refuses a second answer, whichever device or hub sends it), and the
`response` notification that tells the sender's and the recipients' devices, which takes its id
from the notifications' sequence so that it is replayed, acked and resumed as a notification is.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

from hub.protocol import Notification
from hub.store.schema import NOTIFICATION_COLUMNS, Dialect, everyone_after_floor


@dataclass(frozen=True, slots=True)
class AnswerTarget:
    """A notification someone means to answer, as the store has it."""

    notification: Notification
    #: Whether the user asking has it (in their inbox, or to everyone after they were created).
    received: bool
    #: Who has it in their inbox (nobody, for one to everyone: it has no inbox rows).
    recipients: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """One row of `responses`, with the answerer's name."""

    response_id: int | None
    label: str
    responder: str
    at: str


class AnswersPart(Protocol):
    async def target(self, notification_id: int, user_id: int) -> AnswerTarget | None:
        """The notification of that id, whether `user_id` received it and who did; None when there is none."""

    async def claim(self, notification_id: int, user_id: int, label: str, at: str) -> str | None:
        """Store the user's answer unless they gave one: None when stored, else the answer they gave."""

    async def release(self, notification_id: int, user_id: int) -> None:
        """Forget a claimed answer whose `response` could not be stored (the user may answer again)."""

    async def settle(self, notification_id: int, user_id: int, response_id: int) -> None:
        """Remember the id of the `response` notification that told of the answer."""

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        """The answers to a notification, oldest first."""


@functools.cache
def target_sql(d: Dialect) -> str:
    """The notification, and whether user (parameter 2) received it: parameter 1 is its id."""
    p1, p2 = d.param(1), d.param(2)
    floor = everyone_after_floor(d).replace(d.param(1), p2)
    return (
        f"SELECT {NOTIFICATION_COLUMNS},"
        f" EXISTS(SELECT 1 FROM inbox i WHERE i.notification_id = n.id AND i.user_id = {p2}) OR ({floor})"
        f" FROM notifications n WHERE n.id = {p1}"
    )


def claim_sql(d: Dialect) -> str:
    return (
        "INSERT INTO responses(notification_id, user_id, label, created_at)"
        f" VALUES ({d.param(1)}, {d.param(2)}, {d.param(3)}, {d.param(4)}) ON CONFLICT DO NOTHING"
    )


def answers_sql(d: Dialect) -> str:
    return (
        "SELECT r.response_id, r.label, u.name, r.created_at FROM responses r JOIN users u ON u.id = r.user_id"
        f" WHERE r.notification_id = {d.param(1)} ORDER BY r.created_at, r.user_id"
    )


RECIPIENTS_SQL = "SELECT user_id FROM inbox WHERE notification_id = {} ORDER BY user_id"
LABEL_SQL = "SELECT label FROM responses WHERE notification_id = {} AND user_id = {}"
RELEASE_SQL = "DELETE FROM responses WHERE notification_id = {} AND user_id = {} AND response_id IS NULL"
SETTLE_SQL = "UPDATE responses SET response_id = {} WHERE notification_id = {} AND user_id = {}"
