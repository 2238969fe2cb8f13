// One signed-in session of the app: its live connection, history, read state, alerts and views.
// Made at sign-in (or when the page opens with a saved session), ended at sign-out or when the hub
// refuses the token; every listener it adds goes with it.

import { inboxUpTo, receiptsOf, signOut } from "./api.js";
import { Alerts } from "./alerts.js";
import { Connection } from "./connection.js";
import { byId } from "./dom.js";
import { History, fromWire } from "./history.js";
import { ReadState } from "./readstate.js";
import { Receipts } from "./receipts.js";
import { RichActions } from "./rich.js";
import { SeenTeller } from "./seen.js";
import { saveSession } from "./session.js";
import { Toasts } from "./toasts.js";
import { ComposeView } from "./views/compose.js";
import { InboxView } from "./views/inbox.js";
import { PeopleView } from "./views/people.js";
import { RoomsView } from "./views/rooms.js";
import { ScheduledView } from "./views/scheduled.js";
import { SentView } from "./views/sent.js";

const STATUS = { connecting: "Connecting…", connected: "Connected", offline: "Offline", refused: "Signed out" };

export class Workspace {
  /** `ui`: showPane(name), banner(text), ended(message) (back to the sign-in form). */
  constructor(session, ui) {
    this.session = session;
    this.ui = ui;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const name = session.user.name;
    // A browser that held nothing yet (just signed in) missed nothing it knew of: no gap notice.
    this.fresh = session.lastId === 0;
    this.leaving = false;
    this.history = new History();
    this.connection = new Connection({ token: session.token, lastId: session.lastId, handlers: this.handlers() });
    this.readState = new ReadState(name, window.localStorage, (marks) => this.connection.call("mark_read", marks));
    this.receipts = new Receipts(name, { fetchOne: (id) => receiptsOf(session.token, id) });
    this.sent = new SentView({ receipts: this.receipts });
    this.scheduled = new ScheduledView({ token: session.token, signal });
    this.compose = new ComposeView({
      connection: this.connection,
      admin: session.user.admin,
      signal,
      onSent: (id, to, text) => this.receipts.add(id, to, text),
      onScheduled: () => this.scheduled.refresh(),
    });
    this.rich = new RichActions({
      me: name,
      history: this.history,
      connection: this.connection,
      compose: this.compose,
      showPane: (pane) => this.ui.showPane(pane),
      onChange: () => this.inbox.refresh(),
    });
    const richFor = (note) => this.rich.richFor(note);
    this.toasts = new Toasts(byId("toasts"), { onOpen: (id) => this.open(id), richFor });
    this.seen = new SeenTeller({
      me: name,
      tell: (ids) => this.connection.call("seen", { ids }),
      containers: [byId("notes"), byId("toasts")],
      signal,
    });
    this.alerts = new Alerts(this.toasts, { onOpen: (id) => this.open(id), onShown: (notes) => this.seen.shown(notes) });
    this.inbox = new InboxView({ history: this.history, readState: this.readState, richFor, signal });
    this.rooms = new RoomsView({
      connection: this.connection,
      onRooms: (rooms) => this.compose.setNames({ rooms }),
      signal,
    });
    this.people = new PeopleView({
      connection: this.connection,
      me: name,
      onUsers: (users) => this.compose.setNames({ users }),
      signal,
    });
  }

  handlers() {
    return {
      onNotification: (note) => {
        const added = this.history.add([note]);
        if (note.replaces !== null && added.length > 0) {
          // The new version takes the place of the one it replaces, and of any older one held here
          // (a page that was away holds a version replaced by one it never got).
          this.history.remove([note.replaces, ...this.history.keyed(note.from, note.key, note.room ?? null, note.id)]);
          if (this.toasts.update(note)) {
            return; // its toast shows the new version: no second alert
          }
        }
        this.alerts.push(added);
      },
      onRetract: (retraction) => {
        // The ids it names, and any older version of its key held here (one a device away missed the end of).
        const { from, key, room, id } = retraction;
        const ids = [...new Set([...retraction.retracts, ...(key ? this.history.keyed(from, key, room, id) : [])])];
        this.toasts.withdraw(ids);
        this.alerts.withdraw(ids);
        this.history.remove(ids);
      },
      onResponse: (response) => {
        const note = this.rich.received(response);
        if (note !== null) {
          this.alerts.push(this.history.add([note]));
        }
      },
      onRead: (marks) => this.readState.fromHub(marks),
      onReceipt: (row) => this.receipts.fromHub(row),
      onResume: (id) => {
        this.session.lastId = id;
        saveSession(this.session);
      },
      onState: (state, detail) => this.state(state, detail),
      onWelcome: (welcome) => {
        for (const name of Array.isArray(welcome.online) ? welcome.online : []) {
          this.people.setOnline(String(name), true);
        }
      },
      onPresence: (name, online) => this.people.setOnline(name, online),
      onPresenceBatch: (batch) => this.people.applyBatch(batch),
      onGap: (gap) => {
        if (!this.fresh) {
          this.inbox.gap(gap);
        }
      },
      onHubError: (error) => this.ui.banner(error.message || `The hub reported ${error.code}.`),
    };
  }

  async start() {
    byId("workspace").hidden = false;
    const who = byId("who");
    who.textContent = this.session.user.admin ? `${this.session.user.name} (admin)` : this.session.user.name;
    who.hidden = false;
    byId("sign-out").hidden = false;
    this.inbox.render();
    this.connection.start();
    this.receipts.restore();
    if (this.session.lastId > 0) {
      // What this browser had before (up to its resume point) comes from the hub's inbox; the
      // connection brings everything after it.
      try {
        const older = await inboxUpTo(this.session.token, this.session.lastId);
        this.readState.fromInbox(older);
        this.history.add(older.map(fromWire).filter((note) => note !== null));
      } catch (error) {
        if (error.code === "unauthorized") {
          this.refused(error.message);
        } else {
          this.ui.banner(`Older notifications could not be loaded: ${error.message}`);
        }
      }
    }
  }

  state(state, detail) {
    const status = byId("status");
    status.dataset.state = state;
    status.textContent = STATUS[state] || state;
    status.title = detail;
    if (state === "connected") {
      this.ui.banner("");
      this.readState.flush();
      this.seen.flush();
      this.scheduled.refresh();
      this.rooms.refresh();
      this.people.refresh();
    } else if (state === "refused") {
      this.refused(detail);
    }
  }

  /** A tab was opened (phone layout): bring its list up to date. */
  shown(pane) {
    if (pane === "rooms") {
      this.rooms.refresh();
    } else if (pane === "people") {
      this.people.refresh();
    }
  }

  /**
   * A toast or desktop notification was clicked: show it in the inbox (null: the inbox itself), and
   * when it has a click target, ask about opening it (links.js).
   */
  open(id) {
    this.ui.showPane("inbox");
    this.inbox.reveal(id);
    const note = id === null ? undefined : this.history.byId.get(id);
    if (note?.click) {
      this.rich.richFor(note).onLink(note.click, note);
    }
  }

  /** Revoke this browser's token on the hub, then forget everything. False: the hub could not be told. */
  async signOut() {
    this.leaving = true; // the hub closes this browser's connection as it revokes the token: no "refused"
    try {
      await signOut(this.session.token);
    } catch (error) {
      if (error.code !== "unauthorized") {
        this.leaving = false;
        this.ui.banner(`Not signed out: ${error.message}`);
        return false;
      }
    }
    this.readState.forget();
    this.receipts.forget();
    this.end("You are signed out.");
    return true;
  }

  refused(message) {
    if (this.leaving) {
      return;
    }
    this.end(message || "The hub refused this browser's sign-in: sign in again.");
  }

  end(message) {
    if (this.abort.signal.aborted) {
      return;
    }
    this.abort.abort();
    this.connection.stop();
    this.alerts.cancel();
    this.toasts.clear();
    this.inbox.reset();
    this.compose.reset();
    this.sent.reset();
    this.scheduled.reset();
    this.rich.reset();
    this.rooms.reset();
    this.people.reset();
    byId("workspace").hidden = true;
    byId("who").hidden = true;
    byId("sign-out").hidden = true;
    this.ui.ended(message);
  }
}
