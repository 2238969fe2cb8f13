// Telling the user that notifications arrived: a desktop notification (the browser's Notification
// API) while the page is in the background and the user allowed them, an in-page toast while it is
// in front. Arrivals are gathered for a moment, so a catch-up after sleep (dozens replayed at once)
// is one "N new notifications", not dozens. Priorities as the tray app: `min` alerts nothing (the
// inbox has it), `low` is silent, `urgent` stays until dealt with (requireInteraction).

import { alertText, iconUrl } from "./render.js";

const GATHER_MS = 250;
const MAX_SINGLE = 3;
/** Desktop notifications remembered by id, so that a retraction can close them. */
const MAX_REMEMBERED = 50;

/** "unsupported", "insecure" (not https or localhost: browsers refuse), "default", "granted" or "denied". */
export function permission() {
  if (!("Notification" in window)) {
    return "unsupported";
  }
  if (!window.isSecureContext) {
    return "insecure";
  }
  return Notification.permission;
}

export class Alerts {
  /** `toasts`: a Toasts; `onOpen(id)`: the user clicked one (id null: a summary); `onShown(notes)`:
   * desktop notifications showed these (seen.js). */
  constructor(toasts, { onOpen, onShown = () => {} }) {
    this.toasts = toasts;
    this.onOpen = onOpen;
    this.onShown = onShown;
    this.pending = [];
    this.timer = null;
    this.shown = new Map(); // notification id -> the desktop notification showing it
  }

  /** Ask the browser's permission (call from a click: browsers ignore it otherwise). */
  async enable() {
    if (permission() !== "default") {
      return permission();
    }
    return Notification.requestPermission();
  }

  /** Notifications that just arrived (live, or replayed after a reconnect); `min` priority ones are the inbox's only. */
  push(notes) {
    this.pending.push(...notes.filter((note) => note.priority !== "min"));
    if (this.timer === null && this.pending.length > 0) {
      this.timer = setTimeout(() => this.flush(), GATHER_MS);
    }
  }

  flush() {
    const notes = this.pending;
    this.pending = [];
    this.timer = null;
    const inFront = document.visibilityState === "visible" && document.hasFocus();
    if (!inFront && permission() === "granted") {
      if (notes.length <= MAX_SINGLE) {
        notes.forEach((note) => this.desktop(note));
      } else {
        this.desktopSummary(notes);
      }
    } else if (notes.length <= MAX_SINGLE) {
      notes.forEach((note) => this.toasts.show(note));
    } else {
      this.toasts.summary(notes.length);
    }
  }

  desktop(note) {
    const { title, body } = alertText(note);
    const shown = new Notification(title, {
      body,
      tag: note.key ? `lan-notify-key-${note.from}-${note.key}` : `lan-notify-${note.id}`, // a new version replaces it
      icon: new URL(iconUrl(note.type), document.baseURI).href,
      requireInteraction: note.priority === "urgent", // stays until the user deals with it
      silent: note.priority === "low",
    });
    shown.onclick = () => {
      window.focus();
      shown.close();
      this.shown.delete(note.id);
      this.onOpen(note.id);
    };
    if (note.replaces !== undefined && note.replaces !== null) {
      this.shown.delete(note.replaces); // the same tag: the browser replaced that one with this
    }
    this.shown.set(note.id, shown);
    if (this.shown.size > MAX_REMEMBERED) {
      this.shown.delete(this.shown.keys().next().value);
    }
    this.onShown([note]);
  }

  /** The sender withdrew these: their desktop notifications close, and those still waiting never show. */
  withdraw(ids) {
    const gone = new Set(ids);
    this.pending = this.pending.filter((note) => !gone.has(note.id));
    for (const id of gone) {
      this.shown.get(id)?.close();
      this.shown.delete(id);
    }
  }

  desktopSummary(notes) {
    const newest = notes[notes.length - 1];
    const shown = new Notification(`${notes.length} new notifications`, {
      body: alertText(newest).body,
      tag: "lan-notify-summary",
      icon: new URL("icons/app-192.png", document.baseURI).href,
    });
    shown.onclick = () => {
      window.focus();
      shown.close();
      this.onOpen(null);
    };
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
