"""What a device shows per key, for the fault run's checker: the latest version of each sender's
key, until a retraction withdraws it."""

from __future__ import annotations


class KeyBoard:
    """(sender, key) -> the id and text of the version a device shows now. A retraction withdraws every
    version of its key stored before it, as docs/protocol.md tells clients to (not only the ids it
    names: a device that was away holds an older version, superseded by one it never got); a version
    that comes back after that is shown again, so the checker sees it."""

    def __init__(self) -> None:
        self.shown: dict[tuple[str, str], tuple[int, str]] = {}

    def note(self, nid: int, sender: str, key: str | None, message: str) -> None:
        if key is None:
            return
        current = self.shown.get((sender, key))
        if current is None or current[0] < nid:
            self.shown[(sender, key)] = (nid, message)

    def retract(self, sender: str, key: str, retraction_id: int) -> None:
        current = self.shown.get((sender, key))
        if current is not None and current[0] < retraction_id:
            del self.shown[(sender, key)]

    def texts(self) -> dict[tuple[str, str], str]:
        return {where: text for where, (_, text) in self.shown.items()}
