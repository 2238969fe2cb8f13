// Which notifications the user has read.
//
// The one place read state lives, so that it can move to the hub once read state syncs across a
// user's devices: the rest of the app only calls isRead, markRead, markAllRead and subscribe. For
// now it is this browser's own, in localStorage per user: everything up to `upto` is read, and so is
// every id in `ids` above it. Ids are all a notification is known by here (no text is stored).

const PREFIX = "lan-notify.read.";
const MAX_IDS = 5000;

export class ReadState {
  constructor(user, storage = window.localStorage) {
    this.key = PREFIX + user;
    this.storage = storage;
    this.upto = 0;
    this.ids = new Set();
    this.listeners = [];
    try {
      const data = JSON.parse(storage.getItem(this.key) || "{}");
      this.upto = Number.isSafeInteger(data.upto) ? data.upto : 0;
      this.ids = new Set((Array.isArray(data.ids) ? data.ids : []).filter(Number.isSafeInteger));
    } catch {
      // unreadable: start with nothing read
    }
  }

  isRead(id) {
    return id <= this.upto || this.ids.has(id);
  }

  markRead(ids) {
    let changed = false;
    for (const id of ids) {
      if (!this.isRead(id)) {
        this.ids.add(id);
        changed = true;
      }
    }
    if (changed) {
      this.save();
    }
  }

  /** Everything up to `newest` (the newest id the user has) is read. */
  markAllRead(newest) {
    if (newest > this.upto || this.ids.size > 0) {
      this.upto = Math.max(this.upto, newest);
      this.ids = new Set([...this.ids].filter((id) => id > this.upto));
      this.save();
    }
  }

  subscribe(listener) {
    this.listeners.push(listener);
  }

  save() {
    if (this.ids.size > MAX_IDS) {
      // Oldest first out: past this many, the oldest explicitly read ones fold into `upto`.
      const sorted = [...this.ids].sort((a, b) => a - b);
      this.upto = sorted[sorted.length - MAX_IDS - 1];
      this.ids = new Set(sorted.slice(-MAX_IDS));
    }
    try {
      this.storage.setItem(this.key, JSON.stringify({ upto: this.upto, ids: [...this.ids] }));
    } catch {
      // storage full or disabled: the state still holds for this tab
    }
    for (const listener of this.listeners) {
      listener();
    }
  }

  /** Sign-out: forget this user's read state in this browser. */
  forget() {
    this.storage.removeItem(this.key);
  }
}
