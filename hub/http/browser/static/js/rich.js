// What a notification's buttons and links do, for one signed-in session:
//
// - a click target, a `view` button and a Markdown link open only through links.js's confirmation;
// - `reply` opens the Send form addressed to the sender (to the room, for a room notification);
// - `respond` sends `respond {id, label}` (docs/protocol.md, "Answers"); a refusal is shown on the
//   notification in words ("Not answered: you already answered this notification (Approve)");
// - an answer (`response`, live or replayed, or the ack of our own) is kept with the notification
//   it answers ("bob answered Approve (14:05)"), and one to what this user sent also shows as a
//   notification of its own, as the tray app's toast: "bob: Approve — Deploy 2.14 to prod?".

import { responseFromWire } from "./history.js";
import { confirmAndOpen } from "./links.js";

/** An answer to what `me` sent, as an inbox entry (the tray app's wording). */
export function responseNote(response) {
  const where = response.room ? ` in #${response.room}` : "";
  return {
    id: response.id,
    kind: "response",
    type: "message",
    title: response.title ? `${response.from}: ${response.label} — ${response.title}` : `${response.from}: ${response.label}`,
    message: response.title
      ? `${response.from} answered your notification${where}: ${response.title}`
      : `${response.from} answered your notification${where}.`,
    from: response.from,
    room: response.room,
    timestamp: response.timestamp,
    priority: "default",
    click: null,
    actions: [],
    format: "plain",
  };
}

export class RichActions {
  /** `compose`: the Send form's view; `showPane(name)`; `onChange()`: redraw what shows answers. */
  constructor({ me, history, connection, compose, showPane, onChange }) {
    this.me = me;
    this.history = history;
    this.connection = connection;
    this.compose = compose;
    this.showPane = showPane;
    this.onChange = onChange;
    this.status = new Map(); // notification id -> {text, kind}: an answer being sent, or refused
  }

  /** What render.js needs to draw `note`'s buttons and answers. */
  richFor(note) {
    return {
      me: this.me,
      answers: this.history.answersTo(note.id),
      status: this.status.get(note.id) || null,
      onAction: (n, action) => this.act(n, action),
      onLink: (url, n) => confirmAndOpen(url, n.from),
    };
  }

  /** An answer arrived; returns the inbox entry it makes for this user (an answer to what they sent), or null. */
  received(response) {
    this.history.addAnswer(response);
    return response.to === this.me && response.from !== this.me ? responseNote(response) : null;
  }

  act(note, action) {
    if (action.action === "view") {
      confirmAndOpen(action.url, note.from);
    } else if (action.action === "reply") {
      this.showPane("send");
      this.compose.address(note.room ? "room" : "user", note.room || note.from);
    } else if (action.action === "respond") {
      this.respond(note, action.label);
    }
  }

  async respond(note, label) {
    this.setStatus(note.id, { text: `Sending ${label}…`, kind: "" });
    try {
      const answer = await this.connection.call("respond", { id: note.id, label });
      const response = responseFromWire(answer.response);
      this.setStatus(note.id, null);
      if (response !== null) {
        this.history.addAnswer(response);
      }
    } catch (error) {
      const words = error.code === "conflict" ? error.message : error.message || `The hub refused the answer (${error.code}).`;
      this.setStatus(note.id, { text: `Not answered: ${words}`, kind: "error" });
    }
  }

  setStatus(id, status) {
    if (status === null) {
      this.status.delete(id);
    } else {
      this.status.set(id, status);
    }
    this.onChange();
  }

  reset() {
    this.status.clear();
  }
}
