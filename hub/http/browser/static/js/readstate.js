// Which notifications the user has read, on every device of theirs (docs/protocol.md, "Read state
// and receipts").
//
// The one place read state lives: the rest of the app only calls isRead, markRead, markAllRead and
// subscribe. A mark made here goes to the hub as one `mark_read` message (`tell`), which tells all
// the user's devices; the hub's `read` events (made here or elsewhere) come in through `fromHub`, and
// the inbox's `read` flags through `fromInbox`. A mark the hub could not be told waits for the next
// connect (`flush`). This browser keeps a copy in localStorage per user: everything up to `upto` is
// read, and so is every id in `ids` above it. Ids are all a notification is known by here.

const PREFIX = "lan-notify.read.";
const MAX_IDS = 5000;
const IDS_PER_MARK = 500; // the hub's limit per mark_read

export class ReadState {
  /** `tell(payload)`: send `mark_read` to the hub (a promise; rejected when it could not be told). */
  constructor(user, storage = window.localStorage, tell = null) {
    this.key = PREFIX + user;
    this.storage = storage;
    this.tell = tell;
    this.waiting = [];
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

  /** Mark these read here and on every device of the user (one message per 500 ids). */
  markRead(ids) {
    const fresh = ids.filter((id) => !this.isRead(id));
    if (this.note(fresh)) {
      for (let at = 0; at < fresh.length; at += IDS_PER_MARK) {
        this.send({ ids: fresh.slice(at, at + IDS_PER_MARK) });
      }
    }
  }

  /** Everything up to `newest` (the newest id the user has) is read, everywhere: one message. */
  markAllRead(newest) {
    if (this.noteUpto(newest)) {
      this.send({ all: true, upto: newest });
    }
  }

  /** A `read` event from the hub (`{ids}` or `{all, upto}`): marks made on a device of the user. */
  fromHub(marks) {
    if (marks && marks.all === true && Number.isSafeInteger(marks.upto)) {
      this.noteUpto(marks.upto);
    }
    if (marks && Array.isArray(marks.ids)) {
      this.note(marks.ids.filter((id) => Number.isSafeInteger(id) && !this.isRead(id)));
    }
  }

  /** Notifications from the hub's inbox, each with its `read` flag. */
  fromInbox(notes) {
    this.note(notes.filter((note) => note.read === true && !this.isRead(note.id)).map((note) => note.id));
  }

  /** The connection is back: tell the hub the marks it could not be told. */
  flush() {
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((payload) => this.send(payload));
  }

  send(payload) {
    if (this.tell !== null) {
      this.tell(payload).catch(() => this.waiting.push(payload));
    }
  }

  note(ids) {
    ids.forEach((id) => this.ids.add(id));
    if (ids.length > 0) {
      this.save();
    }
    return ids.length > 0;
  }

  noteUpto(newest) {
    if (newest > this.upto || [...this.ids].some((id) => id <= newest)) {
      this.upto = Math.max(this.upto, newest);
      this.ids = new Set([...this.ids].filter((id) => id > this.upto));
      this.save();
      return true;
    }
    return false;
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
