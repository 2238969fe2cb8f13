// In-page toasts: the newest notifications in a stack at the top of the page, styled as the tray
// app's toasts. Each closes by itself after a while (errors and high priority stay longer; urgent ones
// stay until closed), or with its × button. A `min` priority notification gets none (the inbox only).

import { el } from "./dom.js";
import { renderNotification } from "./render.js";

const MAX_SHOWN = 4;
const SHOWN_MS = { error: 15000, warning: 10000 };
const DEFAULT_SHOWN_MS = 7000;

export class Toasts {
  /** `onOpen(id)`: a toast was clicked; `richFor(note)`: its buttons' state and handlers (render.js). */
  constructor(container, { onOpen, richFor }) {
    this.container = container;
    this.onOpen = onOpen;
    this.richFor = richFor;
  }

  show(note) {
    if (note.priority === "min") {
      return;
    }
    const card = this.card(note);
    this.add(card, this.shownMs(note));
  }

  /** A new version of a notification a toast shows (`replaces`): shown in that toast's place. False: none shows it. */
  update(note) {
    const old = this.container.querySelector(`[data-id="${note.replaces}"]`);
    if (old === null || note.priority === "min") {
      return false;
    }
    const card = this.card(note);
    old.replaceWith(card);
    this.expire(card, this.shownMs(note));
    return true;
  }

  /** Their sender retracted these notifications: their toasts close. */
  withdraw(ids) {
    for (const id of ids) {
      this.container.querySelector(`[data-id="${id}"]`)?.remove();
    }
  }

  shownMs(note) {
    const shownMs = SHOWN_MS[note.type] || DEFAULT_SHOWN_MS;
    return note.priority === "urgent" ? null : note.priority === "high" ? 2 * shownMs : shownMs;
  }

  card(note) {
    const rich = this.richFor(note);
    const act = {
      ...rich,
      // a button pressed in a toast is done with it: the toast goes, the inbox shows the outcome
      onAction: (n, action) => {
        card.remove();
        rich.onAction(n, action);
      },
    };
    const card = renderNotification(note, { variant: "toast", onClose: () => card.remove(), rich: act });
    card.addEventListener("click", (event) => {
      const onControl = event.target instanceof Element && event.target.closest("button, a") !== null;
      if (!onControl && !note.click) {
        card.remove();
        this.onOpen(note.id);
      }
    });
    return card;
  }

  /** One toast for a burst (a catch-up after sleep): "12 new notifications". */
  summary(count) {
    const card = el(
      "div",
      { className: "note note--summary note--toast", attrs: { role: "status" } },
      el("div", { className: "note-body" }, el("strong", { className: "note-title", text: `${count} new notifications` }),
        el("p", { className: "note-meta", text: "They are in your inbox." })),
    );
    card.addEventListener("click", () => {
      card.remove();
      this.onOpen(null);
    });
    this.add(card, DEFAULT_SHOWN_MS);
  }

  add(card, shownMs) {
    this.container.prepend(card);
    while (this.container.children.length > MAX_SHOWN) {
      this.container.lastElementChild.remove();
    }
    this.expire(card, shownMs);
  }

  expire(card, shownMs) {
    if (shownMs === null) {
      card.setAttribute("role", "alert");
      return; // stays until closed
    }
    let timer = setTimeout(() => card.remove(), shownMs);
    card.addEventListener("mouseenter", () => clearTimeout(timer));
    card.addEventListener("mouseleave", () => {
      timer = setTimeout(() => card.remove(), shownMs);
    });
  }

  clear() {
    this.container.replaceChildren();
  }
}
