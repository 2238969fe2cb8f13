// Receipts of what this user sent with "Ask for a receipt" (docs/protocol.md, "Read state and
// receipts"): who has it and who has seen it, kept current by the hub's `receipt` events.
//
// The page keeps the last MAX_KEPT such sends. What it remembers across a reload, in localStorage per
// user, is each one's id, addressee and time only (no text): after a reload, `GET
// /api/notifications/{id}/receipts` gives each one's state again and the text is not shown.

const PREFIX = "lan-notify.receipts.";
export const MAX_KEPT = 10;

/** A sent notification's receipt state in words: "Delivered to bob (2 devices) · Seen by bob", or counts. */
export function receiptLine(sent) {
  const { addressees, delivered, devices, seen, users } = sent;
  if (delivered === 0 && seen === 0) {
    return addressees === 0 ? "Nobody to deliver it to" : "Not delivered yet";
  }
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const names = (pick) => [...users.entries()].filter(([, state]) => pick(state)).map(([name]) => name);
  const seenBy = names((state) => state.seen);
  if (addressees === 1 && users.size === 1) {
    const [name] = names(() => true);
    const line = `Delivered to ${name} (${plural(devices, "device")})`;
    return seenBy.length > 0 ? `${line} · Seen by ${name}` : line;
  }
  const line = `Delivered to ${delivered} of ${addressees}`;
  if (seen === 0) {
    return line;
  }
  return `${line} · Seen by ${seen} of ${addressees}${seenBy.length > 0 ? ` (${seenBy.join(", ")})` : ""}`;
}

export class Receipts {
  /** `fetchOne(id)`: the hub's receipts of a notification (`GET /api/notifications/{id}/receipts`). */
  constructor(user, { storage = window.localStorage, fetchOne }) {
    this.key = PREFIX + user;
    this.storage = storage;
    this.fetchOne = fetchOne;
    this.sent = new Map(); // id -> {id, to, at, text, addressees, delivered, devices, seen, users}
    this.listeners = [];
  }

  /** A send with a receipt was accepted (its ack): keep it, newest first. Its state is fetched too, as
   * a receipt event can come in before the ack did. */
  add(id, to, text) {
    this.sent.set(id, blank(id, to, new Date().toISOString(), text));
    this.trim();
    this.save();
    this.refresh(id);
  }

  /** The page opened: the remembered sends, each with its state from the hub. */
  async restore() {
    let kept = [];
    try {
      const data = JSON.parse(this.storage.getItem(this.key) || "[]");
      kept = Array.isArray(data) ? data.filter((item) => Number.isSafeInteger(item?.id)) : [];
    } catch {
      kept = []; // unreadable: nothing remembered
    }
    for (const item of kept.slice(0, MAX_KEPT)) {
      if (!this.sent.has(item.id)) {
        this.sent.set(item.id, blank(item.id, String(item.to ?? ""), String(item.at ?? ""), ""));
      }
    }
    this.changed();
    await Promise.all([...this.sent.keys()].map((id) => this.refresh(id)));
  }

  async refresh(id) {
    let body;
    try {
      body = await this.fetchOne(id);
    } catch (error) {
      if (error.code === "not_found") {
        this.sent.delete(id); // gone with retention, or not this user's: nothing to show
        this.save();
      }
      return;
    }
    const sent = this.sent.get(id);
    if (sent === undefined || typeof body !== "object" || body === null) {
      return;
    }
    totals(sent, body);
    for (const user of Array.isArray(body.users) ? body.users : []) {
      if (typeof user?.user === "string") {
        // Merged, never lowered: a receipt event may have come in while this answer was on its way.
        const had = sent.users.get(user.user) ?? { devices: 0, seen: false };
        sent.users.set(user.user, { devices: Math.max(had.devices, Number(user.devices) || 0), seen: had.seen || Boolean(user.seen_at) });
      }
    }
    this.changed();
  }

  /** A `receipt` event from the hub: a recipient's device has it, or the recipient saw it. */
  fromHub(row) {
    const sent = this.sent.get(row?.notification_id);
    if (sent === undefined) {
      return; // sent elsewhere, or no longer kept here
    }
    totals(sent, row);
    if (typeof row.user === "string" && row.user) {
      const state = sent.users.get(row.user) ?? { devices: 0, seen: false };
      if (row.status === "delivered") {
        state.devices = Math.max(state.devices, Number(row.devices) || 0);
      } else if (row.status === "seen") {
        state.seen = true;
      }
      sent.users.set(row.user, state);
    }
    this.changed();
  }

  /** Newest first. */
  list() {
    return [...this.sent.values()].sort((a, b) => b.id - a.id);
  }

  subscribe(listener) {
    this.listeners.push(listener);
  }

  trim() {
    for (const sent of this.list().slice(MAX_KEPT)) {
      this.sent.delete(sent.id);
    }
  }

  save() {
    try {
      this.storage.setItem(this.key, JSON.stringify(this.list().map(({ id, to, at }) => ({ id, to, at }))));
    } catch {
      // storage full or disabled: kept for this tab only
    }
    this.changed();
  }

  changed() {
    this.listeners.forEach((listener) => listener());
  }

  /** Sign-out: forget what this browser kept. */
  forget() {
    this.sent.clear();
    this.storage.removeItem(this.key);
  }
}

function blank(id, to, at, text) {
  return { id, to, at, text, addressees: null, delivered: 0, devices: 0, seen: 0, users: new Map() };
}

/** The totals a receipt row or the endpoint gives: never lower than what the page has. */
function totals(sent, body) {
  const count = (value, had) => (Number.isSafeInteger(value) ? Math.max(had, value) : had);
  sent.addressees = count(body.addressees, sent.addressees);
  sent.delivered = count(body.delivered, sent.delivered);
  sent.devices = count(body.delivered_devices, sent.devices);
  sent.seen = count(body.seen, sent.seen);
}
