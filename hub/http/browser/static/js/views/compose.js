// Sending: to a user, a room, or everyone (admins), with a type, an optional title, when (now, or
// later: the hub keeps it and delivers it then, docs/protocol.md, "Scheduled delivery"), and
// optionally asking for a receipt. A send later gets a key of its own (`web-` and random letters), so
// that the Scheduled list can cancel it (the hub cancels by key only).

import { byId, clear, el, say } from "../dom.js";
import { deliverAt, shownMoment } from "../later.js";

const EVENTS = { user: "send_notification", room: "room_message", everyone: "broadcast" };

export class ComposeView {
  /** `onSent(id, to, text)`: a send with a receipt was accepted; `onScheduled()`: a send later was. */
  constructor({ connection, admin, signal, onSent = () => {}, onScheduled = () => {} }) {
    this.connection = connection;
    this.onSent = onSent;
    this.onScheduled = onScheduled;
    this.form = byId("send-form");
    this.kind = byId("send-kind");
    this.target = byId("send-target");
    this.names = byId("send-names");
    this.type = byId("send-type");
    this.title = byId("send-title");
    this.message = byId("send-message");
    this.result = byId("send-result");
    this.when = byId("send-when");
    this.at = byId("send-at");
    this.receipt = byId("send-receipt");
    this.users = [];
    this.rooms = [];
    this.kind.querySelector('option[value="everyone"]').hidden = !admin;
    this.type.querySelector('option[value="system"]').hidden = !admin;
    this.kind.addEventListener("change", () => this.showKind(), { signal });
    this.when.addEventListener("change", () => { this.at.hidden = this.when.value !== "at"; }, { signal });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    }, { signal });
    this.showKind();
  }

  /** The names offered while typing a recipient. */
  setNames({ users = this.users, rooms = this.rooms }) {
    this.users = users;
    this.rooms = rooms;
    this.showKind();
  }

  showKind() {
    const kind = this.kind.value;
    this.target.hidden = kind === "everyone";
    this.target.required = kind !== "everyone";
    this.target.placeholder = kind === "room" ? "room name" : "user name";
    clear(this.names);
    for (const name of kind === "room" ? this.rooms : this.users) {
      this.names.append(el("option", { attrs: { value: name } }));
    }
  }

  async send() {
    const kind = this.kind.value;
    const payload = { message: this.message.value, type: this.type.value, title: this.title.value.trim() };
    const target = this.target.value.trim();
    if (kind === "user") {
      payload.to = target;
    } else if (kind === "room") {
      payload.room = target;
    }
    const later = deliverAt(this.when.value, this.at.value, new Date());
    if (later) {
      payload.deliver_at = later;
      payload.key = laterKey();
    }
    if (this.receipt.checked) {
      payload.receipt = true;
    }
    say(this.result, "Sending…");
    try {
      const answer = await this.connection.call(EVENTS[kind], payload);
      const to = kind === "everyone" ? "everyone" : kind === "room" ? `#${target}` : target;
      if (answer.scheduled) {
        say(this.result, `Scheduled for ${to}: delivered at ${shownMoment(new Date(answer.deliver_at), new Date())}.`, "ok");
        this.message.value = "";
        this.title.value = "";
        this.when.value = "now";
        this.at.hidden = true;
        this.onScheduled();
        return;
      }
      if (payload.receipt && Number.isSafeInteger(answer.id)) {
        this.onSent(answer.id, to, payload.title || payload.message);
      }
      const people = answer.recipients === 1 ? "1 person" : `${answer.recipients} people`;
      say(this.result, `Sent to ${to} (${people}).`, "ok");
      this.message.value = "";
      this.title.value = "";
    } catch (error) {
      say(this.result, error.message, "error");
    }
  }

  /** Open the form addressed to a user or a room (a `reply` button), ready to type. */
  address(kind, target) {
    this.kind.value = kind;
    this.showKind();
    this.target.value = target;
    this.result.textContent = "";
    this.message.focus();
  }

  reset() {
    this.form.reset();
    say(this.result, "");
  }
}

/** A key for a send later: "web-" and 16 random letters and digits (the hub's key rule allows them). */
function laterKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${[...bytes].map((byte) => "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36]).join("")}`;
}
