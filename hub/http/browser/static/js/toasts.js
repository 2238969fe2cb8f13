// In-page toasts: the newest notifications in a stack at the top of the page, styled as the tray
// app's toasts. Each closes by itself after a while (errors stay longer), or with its × button.

import { el } from "./dom.js";
import { renderNotification } from "./render.js";

const MAX_SHOWN = 4;
const SHOWN_MS = { error: 15000, warning: 10000 };
const DEFAULT_SHOWN_MS = 7000;

export class Toasts {
  constructor(container, { onOpen }) {
    this.container = container;
    this.onOpen = onOpen;
  }

  show(note) {
    const card = renderNotification(note, { variant: "toast", onClose: () => card.remove() });
    card.addEventListener("click", (event) => {
      if (!(event.target instanceof HTMLButtonElement)) {
        card.remove();
        this.onOpen(note.id);
      }
    });
    this.add(card, SHOWN_MS[note.type] || DEFAULT_SHOWN_MS);
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
