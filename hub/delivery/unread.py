"""`welcome.unread` without a store query at every connect: each user's last count, kept while it is true.

An entry is a user's unread count and the newest id stored when it was counted (`upto`), as the store
answered. It stays true while nothing changes what the user has read up to `upto`, or what they have
up to it: a mark (the `read` row told to their devices, and the mark itself before it is stored), a
notification with a key (it supersedes older ones in the transaction that stores it) and a retraction
(it deletes what it withdraws) forget entries, and so does retention (`forget_all`). A notification
without a key, stored after `upto`, leaves the entry true: the count covers up to `upto`, and a device
adds what it receives above it, as it does after any welcome.

So an entry serves only a device that resumes at or below `upto` (`last_id` at connect): it is sent
everything after its resume point, and so everything above `upto`. A device that has something newer,
or says nothing of what it has, is counted by the store, and its count becomes the entry. One hub
only: in a cluster the other hubs mark and store too, and the count always comes from the store.

A count that was being taken while something forgot entries is not kept (`epoch`): it may predate
the change.
"""

from __future__ import annotations

from typing import Final

from hub.protocol import Kind, Notification
from hub.store import User

#: Users whose count is kept, at most; past it, every entry is dropped and they are counted again.
MAX_KEPT: Final = 100_000


class UnreadCounts:
    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        #: User name -> (user id, count, upto). By name: a `read` row names its user as its sender.
        self._kept: dict[str, tuple[int, int, int]] = {}
        #: Moves whenever entries are forgotten: a count taken across a move is not kept.
        self.epoch = 0

    def get(self, user: User, resume_from: int | None) -> tuple[int, int] | None:
        """The kept count and its `upto` for a device that resumes at `resume_from`; None: ask the store."""
        kept = self._kept.get(user.name)
        if kept is None or resume_from is None or kept[0] != user.id or resume_from > kept[2]:
            return None
        return kept[1], kept[2]

    def keep(self, user: User, count: int, upto: int, epoch: int) -> None:
        """A count the store gave; `epoch` is `self.epoch` as it was asked."""
        if not self.enabled or epoch != self.epoch:
            return
        if len(self._kept) >= MAX_KEPT and user.name not in self._kept:
            self._kept.clear()
        self._kept[user.name] = (user.id, count, upto)

    def forget(self, name: str) -> None:
        self.epoch += 1
        self._kept.pop(name, None)

    def forget_all(self) -> None:
        self.epoch += 1
        self._kept.clear()

    def noted(self, note: Notification) -> None:
        """A notification this hub hands out: forget what it may have made untrue."""
        if note.kind is Kind.READ:
            self.forget(note.sender)  # the user's own marks, told to their devices
        elif note.kind is Kind.RETRACT or note.key is not None:
            self.forget_all()  # deleted or superseded notifications of addressees unnamed here

    def __len__(self) -> int:
        return len(self._kept)
