// Telling a sender who asked for a receipt that their notification was shown here (docs/protocol.md,
// "Read state and receipts": `seen {ids}`).
//
// A notification with `receipt: true` (not the user's own) counts as seen once it was on screen: its
// inbox card or in-page toast in view while the page is visible, or its desktop notification shown.
// Cards and toasts are found as they are added (`data-receipt="true"`, render.js) and watched with an
// IntersectionObserver; the ids gathered in one turn of the event loop go as one `seen` message. Each
// id is told once per page; one the hub could not be told waits for the next connect (`flush`).

const MAX_IDS = 500; // the hub's limit per message

export class SeenTeller {
  /** `tell(ids)`: send `seen` (a promise, rejected when it could not be told); `containers`: where cards appear. */
  constructor({ me, tell, containers, signal }) {
    this.me = me;
    this.tell = tell;
    this.told = new Set();
    this.pending = new Set();
    this.waiting = [];
    this.inView = new Set(); // cards on screen while the page was hidden
    this.scheduled = false;
    this.view = new IntersectionObserver((entries) => this.onView(entries));
    this.added = new MutationObserver(() => this.watch(containers));
    for (const container of containers) {
      this.added.observe(container, { childList: true });
    }
    this.watch(containers);
    document.addEventListener("visibilitychange", () => this.onVisible(), { signal });
    signal.addEventListener("abort", () => this.stop());
  }

  /** Desktop notifications were shown: those are seen. */
  shown(notes) {
    for (const note of notes) {
      if (note.receipt && note.from !== this.me) {
        this.note(note.id);
      }
    }
  }

  watch(containers) {
    this.view.disconnect();
    this.inView.clear();
    for (const container of containers) {
      for (const card of container.querySelectorAll(':scope > [data-receipt="true"]')) {
        if (!this.told.has(Number(card.dataset.id))) {
          this.view.observe(card);
        }
      }
    }
  }

  onView(entries) {
    for (const entry of entries) {
      if (!entry.isIntersecting) {
        this.inView.delete(entry.target);
      } else if (document.visibilityState === "visible") {
        this.view.unobserve(entry.target);
        this.note(Number(entry.target.dataset.id));
      } else {
        this.inView.add(entry.target);
      }
    }
  }

  onVisible() {
    if (document.visibilityState !== "visible") {
      return;
    }
    for (const card of this.inView) {
      if (card.isConnected) {
        this.view.unobserve(card);
        this.note(Number(card.dataset.id));
      }
    }
    this.inView.clear();
  }

  note(id) {
    if (!Number.isSafeInteger(id) || this.told.has(id)) {
      return;
    }
    this.told.add(id);
    this.pending.add(id);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        const ids = [...this.pending];
        this.pending.clear();
        for (let at = 0; at < ids.length; at += MAX_IDS) {
          this.send(ids.slice(at, at + MAX_IDS));
        }
      });
    }
  }

  send(ids) {
    this.tell(ids).catch(() => this.waiting.push(ids));
  }

  /** The connection is back: tell what could not be told. */
  flush() {
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((ids) => this.send(ids));
  }

  stop() {
    this.view.disconnect();
    this.added.disconnect();
  }
}
