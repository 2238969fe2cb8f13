"""Wiring of the compose dialog: what it offers comes from the session's directory (and follows it while
open), what it sends goes through the session, and the hub's answer comes back to it in words. Part of
the app's wiring (Qt stays in the dialog; the logic is `desktop.core.compose`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from desktop.app.tasks import Spawn
from desktop.core.compose import (
    ComposeDraft,
    TargetKind,
    cannot_receive_text,
    describe_refusal,
    recipients_for,
    remember_recent,
    sent_text,
    types_for,
)
from desktop.core.directory import Directory
from desktop.core.preferences import Preferences
from desktop.core.scheduled import later_key
from desktop.errors import HubClientError, HubRefusedError
from desktop.net.session import HubSession
from desktop.system.report import Reporter
from desktop.ui.compose import ComposeDialog

log = logging.getLogger(__name__)


class ComposeFlow:
    def __init__(
        self,
        *,
        session: Callable[[], HubSession | None],
        directory: Directory,
        prefs: Preferences,
        report: Reporter,
        spawn: Spawn,
        sign_in_needed: Callable[[], None],
        refresh_directory: Callable[[], Coroutine[Any, Any, None]],
        scheduled: Callable[[], None] = lambda: None,
    ) -> None:
        """`refresh_directory` asks the hub again for its users and rooms (the dialog follows as they come);
        `scheduled` is told when a send later was scheduled."""
        self._session = session
        self.prefs = prefs
        self.report = report
        self._spawn = spawn
        self._sign_in_needed = sign_in_needed
        self._refresh_directory = refresh_directory
        self._scheduled = scheduled
        self.dialog = ComposeDialog()
        self.dialog.send_requested.connect(lambda draft: spawn(self.send(draft)))
        directory.subscribe(self._directory_changed)

    def _directory_changed(self) -> None:
        if self.dialog.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Offer the recipients and types the session's user may use now (called as the directory changes)."""
        session = self._session()
        if session is None:
            return
        d = session.directory
        self.dialog.set_recipients(
            recipients_for(
                me=d.me,
                users=d.people,
                online=d.online,
                my_rooms=d.my_rooms,
                admin=d.admin,
                recent=self.prefs.recent_recipients,
            )
        )
        self.dialog.set_types(types_for(d.admin))
        self.dialog.set_limits(session.limits)

    def open(self, recipient: str = "", *, reply: bool = False) -> None:
        """Open the dialog to `recipient`, or ask to sign in first; a `reply` (a toast's or the history's Reply)
        is a message with no title (see `ComposeDialog.start`)."""
        if self._session() is None:
            self._sign_in_needed()
            return
        self.refresh()
        self.dialog.start(recipient, reply=reply)
        self.report.event(
            "compose_opened",
            to=self.dialog.recipient.currentText(),
            recipients=[r.label for r in self.dialog.offered],
            types=[self.dialog.type.itemText(i) for i in range(self.dialog.type.count())],
        )
        self._spawn(self._refresh_directory())  # the dialog follows what the hub says now

    async def send(self, draft: ComposeDraft) -> None:
        session = self._session()
        if session is None:
            self.dialog.show_result("Not sent: you are signed out. Sign in first, then send.", ok=False)
            return
        if draft.to.kind is TargetKind.USER and draft.to.name in session.directory.send_only:
            self.dialog.show_result(cannot_receive_text(draft.to.name), ok=False)
            self.report.event(
                "send_failed", to=draft.to.label, code="send_only", text=cannot_receive_text(draft.to.name)
            )
            return
        if draft.deliver_at and not draft.key:
            draft = replace(draft, key=later_key())  # so that "Scheduled sends…" can cancel it
        try:
            answer = await session.send(draft)
        except HubRefusedError as exc:
            text = describe_refusal(exc.code, exc.message, exc.retry_after, draft)
            self.dialog.show_result(text, ok=False)
            self.report.event("send_failed", to=draft.to.label, code=exc.code, text=text)
            return
        except HubClientError as exc:
            text = f"Not sent. {exc}"
            self.dialog.show_result(text, ok=False)
            self.report.event("send_failed", to=draft.to.label, code="unreachable", text=text)
            return
        self.prefs.set_recent_recipients(remember_recent(self.prefs.recent_recipients, draft.to.key))
        text = sent_text(draft, answer, send_only=len(session.directory.send_only))
        self.dialog.show_sent(text)
        if answer.get("scheduled"):
            self._scheduled()
        self.report.event("sent", to=draft.to.label, type=draft.type.value, id=answer.get("id"), text=text)
