// The notifications this browser holds, by id: what the hub's inbox gave at start and what the live
// connection delivered since. Keyed by id, so nothing is ever held twice.

export const TYPES = ["info", "success", "warning", "error", "message", "system"];

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
  };
}

/** The most notifications a tab holds; past it the oldest go (the hub's inbox still has them). */
export const MAX_HELD = 5000;

export class History {
  constructor() {
    this.byId = new Map();
    this.listeners = [];
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
