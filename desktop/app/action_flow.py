"""Wiring of what a notification offers beyond its text, wherever it is pressed (a toast, the history's
detail pane, a system notification): its click target and links, which open only after the app said
where they go; and its buttons: `view` (a link, the same way), `reply` (compose, through the caller),
`respond` (the answer goes to the hub, which tells the sender).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from desktop.app.tasks import Spawn
from desktop.core.actions import Button, ButtonKind, link_prompt
from desktop.core.models import ReceivedNotification
from desktop.errors import HubClientError, HubRefusedError
from desktop.net.session import HubSession
from desktop.system.report import Reporter
from desktop.ui.link_question import LinkQuestion, open_in_desktop

log = logging.getLogger(__name__)


def refusal_text(exc: HubClientError) -> str:
    """What the user reads when an answer was not taken."""
    if isinstance(exc, HubRefusedError) and exc.code == "unknown_event":
        return "This hub does not take answers yet: ask its admin to update it."
    text = (exc.message if isinstance(exc, HubRefusedError) else str(exc)).strip().rstrip(".")
    return f"{text[:1].upper()}{text[1:]}." if text else "The hub did not take it."


class ActionFlow:
    def __init__(
        self,
        *,
        session: Callable[[], HubSession | None],
        report: Reporter,
        spawn: Spawn,
        notice: Callable[[str, str], None],
        reply: Callable[[str], None],
        open_url: Callable[[str], bool] = open_in_desktop,
    ) -> None:
        self._session = session
        self.report = report
        self._spawn = spawn
        self._notice = notice
        self._reply = reply
        #: How a link is handed to the desktop (a test records it instead).
        self.open_url = open_url
        #: The question on screen, if any (a second link replaces it).
        self.question: LinkQuestion | None = None

    def link(self, notification: ReceivedNotification, url: str) -> None:
        """Ask before a link opens, saying where it goes; a link the protocol does not allow never opens."""
        prompt = link_prompt(url, notification.sender)
        if prompt is None:
            self.report.event("link_refused", notification_id=notification.id, url=url[:200])
            self._notice("This link was not opened", "Only web (http, https) and mail (mailto) links open.")
            return
        if self.question is not None:
            self.question.close()
        self.question = question = LinkQuestion(prompt)
        question.open_requested.connect(lambda target: self._open(notification, target))
        question.declined.connect(lambda target: self._declined(notification, target))
        question.destroyed.connect(lambda: self._forget(question))
        question.show()
        question.raise_()
        self.report.event("link_asked", notification_id=notification.id, url=url, where=prompt.where)

    def _forget(self, question: LinkQuestion) -> None:
        if self.question is question:
            self.question = None

    def _open(self, notification: ReceivedNotification, url: str) -> None:
        opened = self.open_url(url)
        self.report.event("link_opened", notification_id=notification.id, url=url, opened=opened)

    def _declined(self, notification: ReceivedNotification, url: str) -> None:
        self.report.event("link_declined", notification_id=notification.id, url=url)

    def button(self, notification: ReceivedNotification, button: Button) -> None:
        """One of the sender's buttons was pressed."""
        self.report.event("notification_button", notification_id=notification.id, kind=button.kind.value,
                          label=button.label)  # fmt: skip
        if button.kind is ButtonKind.VIEW:
            self.link(notification, button.target)
        elif button.kind is ButtonKind.REPLY:
            self._reply(button.target)
        else:
            self._spawn(self.respond(notification, button.label))

    async def respond(self, notification: ReceivedNotification, label: str) -> None:
        """Send the answer; the hub keeps it and tells the sender. A refusal is said in words."""
        session = self._session()
        if session is None:
            self._notice("Your answer was not sent", "You are signed out: sign in and answer again.")
            return
        try:
            answer = await session.respond(notification.id, label)
        except HubClientError as exc:
            log.info("respond %s to #%s refused: %s", label, notification.id, exc)
            self.report.event("respond_failed", notification_id=notification.id, label=label,
                              code=getattr(exc, "code", "unreachable"), text=refusal_text(exc))  # fmt: skip
            self._notice("Your answer was not sent", refusal_text(exc))
            return
        self.report.event("responded", notification_id=notification.id, label=answer.label, id=answer.id)
