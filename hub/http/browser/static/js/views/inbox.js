// The inbox: every notification this browser holds, newest first, with search, a type filter,
// "unread only", and marking read (read state lives in readstate.js).

import { byId, clear, perFrame } from "../dom.js";
import { renderNotification } from "../render.js";

export class InboxView {
  /** `richFor(note)`: its buttons' state and handlers (render.js). */
  constructor({ history, readState, richFor, signal }) {
    this.history = history;
    this.richFor = richFor;
    this.readState = readState;
    this.search = byId("search");
    this.type = byId("type-filter");
    this.unreadOnly = byId("unread-only");
    this.list = byId("notes");
    this.empty = byId("inbox-empty");
    this.badge = byId("unread");
    this.gapNote = byId("gap");
    this.refresh = perFrame(() => this.render()); // once per frame, however many changes came in it
    const refresh = () => this.refresh();
    this.search.addEventListener("input", refresh, { signal });
    this.type.addEventListener("change", refresh, { signal });
    this.unreadOnly.addEventListener("change", refresh, { signal });
    byId("mark-all-read").addEventListener("click", () => readState.markAllRead(history.newest), { signal });
    history.subscribe(refresh);
    readState.subscribe(refresh);
  }

  render() {
    const isRead = (id) => this.readState.isRead(id);
    const shown = this.history.query(
      { text: this.search.value, type: this.type.value, unreadOnly: this.unreadOnly.checked },
      isRead,
    );
    clear(this.list);
    for (const note of shown) {
      const read = isRead(note.id);
      this.list.append(renderNotification(note, {
        read,
        onRead: () => this.readState.markRead([note.id]),
        rich: this.richFor(note),
      }));
    }
    const filtered = this.search.value || this.type.value || this.unreadOnly.checked;
    this.empty.hidden = shown.length > 0;
    this.empty.textContent = filtered ? "Nothing matches." : "No notifications yet.";
    const unread = this.history.ids().filter((id) => !isRead(id)).length;
    this.badge.hidden = unread === 0;
    this.badge.textContent = unread > 99 ? "99+" : String(unread);
    document.title = unread > 0 ? `(${unread}) lan-notify` : "lan-notify";
  }

  /** Bring one notification into view and mark it read (a toast or desktop notification was clicked). */
  reveal(id) {
    this.search.value = "";
    this.type.value = "";
    this.unreadOnly.checked = false;
    this.render();
    if (id !== null) {
      this.readState.markRead([id]);
      const card = this.list.querySelector(`[data-id="${Number(id)}"]`);
      if (card) {
        card.scrollIntoView({ block: "center" });
      }
    }
  }

  /** The hub could not replay some notifications (retention removed them first). */
  gap(gap) {
    const since = Number.isSafeInteger(gap.since) ? gap.since : "?";
    const upto = Number.isSafeInteger(gap.upto) ? gap.upto : "?";
    this.gapNote.textContent = `Some notifications (after #${since}, up to #${upto}) were removed by the hub before this browser got them.`;
    this.gapNote.hidden = false;
  }

  reset() {
    this.refresh.cancel();
    clear(this.list);
    this.search.value = "";
    this.type.value = "";
    this.unreadOnly.checked = false;
    this.gapNote.hidden = true;
    this.badge.hidden = true;
    document.title = "lan-notify";
  }
}
