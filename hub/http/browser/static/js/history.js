// The notifications this browser holds, by id: what the hub's inbox gave at start and what the live
// connection delivered since. Keyed by id, so nothing is ever held twice.

import { keyFromWire } from "./edits.js";
import { safeLink } from "./links.js";

export const TYPES = ["info", "success", "warning", "error", "message", "system"];
export const PRIORITIES = ["min", "low", "default", "high", "urgent"];
const ACTIONS = ["view", "reply", "respond"];

/** A notification from the hub in the app's shape, or null when it is not one (docs/protocol.md). */
export function fromWire(data) {
  if (typeof data !== "object" || data === null || !Number.isSafeInteger(data.id) || data.id < 1) {
    return null;
  }
  const text = (value) => (typeof value === "string" ? value : "");
  return {
    id: data.id,
    kind: text(data.kind),
    type: TYPES.includes(data.type) ? data.type : "info",
    title: text(data.title),
    message: text(data.message),
    from: text(data.from),
    room: typeof data.room === "string" ? data.room : null,
    timestamp: text(data.timestamp),
    priority: PRIORITIES.includes(data.priority) ? data.priority : "default",
    click: typeof data.click === "string" && safeLink(data.click) ? data.click : null,
    actions: actionsFromWire(data.actions),
    format: data.format === "markdown" ? "markdown" : "plain",
    receipt: data.receipt === true, // the sender asked to know when it was seen (seen.js)
    ...keyFromWire(data),
  };
}

/** Up to three well-formed buttons of the kinds the app knows; anything else is left out. */
function actionsFromWire(actions) {
  if (!Array.isArray(actions)) {
    return [];
  }
  const out = [];
  for (const action of actions.slice(0, 3)) {
    if (typeof action !== "object" || action === null || !ACTIONS.includes(action.action)) {
      continue;
    }
    const label = typeof action.label === "string" && action.label ? action.label : action.action === "reply" ? "Reply" : "";
    if (!label || (action.action === "view" && !(typeof action.url === "string" && safeLink(action.url)))) {
      continue;
    }
    out.push(action.action === "view" ? { action: "view", label, url: action.url } : { action: action.action, label });
  }
  return out;
}

/** An answer to a `respond` button (the hub's `response` event), or null when it is not one. */
export function responseFromWire(data) {
  if (typeof data !== "object" || data === null || !Number.isSafeInteger(data.id) || data.id < 1
    || !Number.isSafeInteger(data.notification_id) || typeof data.label !== "string" || typeof data.from !== "string") {
    return null;
  }
  return {
    id: data.id,
    notificationId: data.notification_id,
    label: data.label,
    from: data.from,
    to: typeof data.to === "string" ? data.to : "",
    title: typeof data.title === "string" ? data.title : "",
    room: typeof data.room === "string" ? data.room : null,
    timestamp: typeof data.timestamp === "string" ? data.timestamp : "",
  };
}

/** The most notifications a tab holds; past it the oldest go (the hub's inbox still has them). */
export const MAX_HELD = 5000;

export class History {
  constructor() {
    this.byId = new Map();
    this.answers = new Map(); // notification id -> its answers (responses), oldest first
    this.listeners = [];
  }

  /** An answer arrived; false when it was already held. Listeners hear of it (with no new notes). */
  addAnswer(response) {
    const held = this.answers.get(response.notificationId) || [];
    if (held.some((answer) => answer.id === response.id || answer.from === response.from)) {
      return false;
    }
    held.push(response);
    this.answers.set(response.notificationId, held);
    for (const listener of this.listeners) {
      listener([]);
    }
    return true;
  }

  /** The answers to notification `id`, oldest first. */
  answersTo(id) {
    return this.answers.get(id) || [];
  }

  /** Add notifications; returns those that were new. */
  add(notes) {
    const added = notes.filter((note) => !this.byId.has(note.id));
    for (const note of added) {
      this.byId.set(note.id, note);
    }
    if (this.byId.size > MAX_HELD) {
      const oldest = [...this.byId.keys()].sort((a, b) => a - b).slice(0, this.byId.size - MAX_HELD);
      oldest.forEach((id) => this.byId.delete(id));
    }
    if (added.length > 0) {
      for (const listener of this.listeners) {
        listener(added);
      }
    }
    return added;
  }

  /** Drop notifications (replaced by a new version, or retracted); listeners hear of it (with no new notes). */
  remove(ids) {
    const gone = ids.filter((id) => this.byId.delete(id));
    if (gone.length > 0) {
      for (const listener of this.listeners) {
        listener([]);
      }
    }
    return gone;
  }

  /** The ids of held notifications from `from` with `key` in `room` (null: not a room's), older than `before`. */
  keyed(from, key, room, before) {
    return [...this.byId.values()]
      .filter((note) => note.from === from && note.key === key && (note.room ?? null) === room && note.id < before)
      .map((note) => note.id);
  }

  subscribe(listener) {
    this.listeners.push(listener);
  }

  get size() {
    return this.byId.size;
  }

  get newest() {
    let newest = 0;
    for (const id of this.byId.keys()) {
      newest = Math.max(newest, id);
    }
    return newest;
  }

  ids() {
    return [...this.byId.keys()];
  }

  /**
   * Newest first, those matching: `text` in the title, message, sender or room (any case), `type`
   * (empty: any), and unread only when `unreadOnly` (with `isRead(id)`).
   */
  query({ text = "", type = "", unreadOnly = false } = {}, isRead = () => false) {
    const needle = text.trim().toLocaleLowerCase();
    const out = [];
    for (const note of this.byId.values()) {
      if (type && note.type !== type) {
        continue;
      }
      if (unreadOnly && isRead(note.id)) {
        continue;
      }
      if (needle) {
        const haystack = `${note.title}\n${note.message}\n${note.from}\n${note.room || ""}`.toLocaleLowerCase();
        if (!haystack.includes(needle)) {
          continue;
        }
      }
      out.push(note);
    }
    return out.sort((a, b) => b.id - a.id);
  }
}
