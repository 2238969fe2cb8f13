"""Answers to `respond` buttons in the store, for both backends: what is answered, and the answers.

An answer is stored twice over: a `responses` row per recipient and notification (its primary key
is the compare-and-set that refuses a second answer, whichever device or hub sends it), and the
`response` notification that tells the sender's and the recipients' devices, which takes its id
from the notifications' sequence so that it is replayed, acked and resumed as a notification is.
Both are written in one transaction: storing a `response` claims its answer (`hub.store.edits`).
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

    async def answers(self, notification_id: int) -> list[StoredAnswer]:
        """The answers to a notification, oldest first."""


#: Retention: answers to notifications that are gone (nobody can answer or list them any more).
ORPHAN_ANSWERS = (
    "DELETE FROM responses WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = responses.notification_id)"
)


@dataclass(frozen=True, slots=True)
class AnswerSql:
    """The statements both backends run for answers, in one dialect."""

    #: The notification (parameter 1) and whether the user (parameter 2) received it.
    target: str
    #: Who has notification (parameter 1) in their inbox.
    recipients: str
    #: A notification's answers with the answerers' names, oldest first.
    answers: str


@functools.cache
def answer_sql(d: Dialect) -> AnswerSql:
    p1, p2 = d.param(1), d.param(2)
    floor = everyone_after_floor(d).replace(p1, p2)  # there the user is parameter 1; here 2
    return AnswerSql(
        target=(
            f"SELECT {NOTIFICATION_COLUMNS},"
            f" EXISTS(SELECT 1 FROM inbox i WHERE i.notification_id = n.id AND i.user_id = {p2}) OR ({floor})"
            f" FROM notifications n WHERE n.id = {p1}"
        ),
        recipients=f"SELECT user_id FROM inbox WHERE notification_id = {p1} ORDER BY user_id",
        answers=(
            "SELECT r.response_id, r.label, u.name, r.created_at FROM responses r JOIN users u ON u.id = r.user_id"
            f" WHERE r.notification_id = {p1} ORDER BY r.created_at, r.user_id"
        ),
    )
