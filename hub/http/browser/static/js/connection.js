// The live connection to the hub: the official Socket.IO client, speaking the hub's acking protocol
// as the tray app does (docs/protocol.md, "last_id" and "ack"; desktop/net/client.py):
//
// - every connect and reconnect sends `auth: {token, last_id, presence: "batched"}`: the id of the
//   last notification this browser handled, so the hub replays exactly what came after it, in order;
//   and who is online comes in `presence` events (everyone at connect, then who came and went), a
//   few per connect wave; a hub that does not batch sends its welcome's list and `user_online` /
//   `user_offline`, which are followed too;
// - each notification is handed on once (an id at or below the resume point is a duplicate and is
//   dropped), then acknowledged with one cumulative `ack {id}`;
// - the Socket.IO client reconnects by itself after a drop (sleep, Wi-Fi, a hub restart); the
//   page's `online` and `visibilitychange` events make it try at once rather than wait;
// - a refused token (`unauthorized` / `forbidden`: revoked, or the user removed) stops it for good.

import { io } from "/socket.io/socket.io.esm.min.js";
import { HubError } from "./api.js";
import { retractionFromWire } from "./edits.js";
import { fromWire, responseFromWire } from "./history.js";

const DELIVERY_EVENTS = ["notification", "room_notification", "global_notification", "server_announcement"];
const REFUSED = new Set(["unauthorized", "forbidden"]);
const CALL_TIMEOUT_MS = 10000;
const RETRY_REFUSED_MS = 5000;

export class Connection {
  /**
   * `handlers`: onNotification(note) (each new one, in order), onResume(id) (the resume point moved),
   * onState(state, detail) with state "connecting" | "connected" | "offline" | "refused",
   * onResponse(response) (an answer to a notification's button, in the same order and id sequence),
   * onRetract(retraction) (the sender withdrew notifications: `retracted`, in the same order and sequence),
   * onRead(marks) and onReceipt(receipt) (control rows, in the same order), onWelcome(welcome),
   * onPresence(name, online) (one person), onPresenceBatch({online, offline, full}) (names; `full`:
   * `online` is everyone), onGap(gap), onHubError(error).
   */
  constructor({ token, lastId, handlers }) {
    this.token = token;
    this.lastId = lastId;
    this.handlers = handlers;
    this.socket = null;
    this.stopped = false;
    this.ackScheduled = false;
    this.acked = lastId;
    this.retryTimer = null;
    this.onOnline = () => this.reconnectNow();
    this.onVisible = () => {
      if (document.visibilityState === "visible") {
        this.reconnectNow();
      }
    };
  }

  start() {
    const socket = io({
      auth: (send) => send({ token: this.token, last_id: this.lastId, presence: "batched" }),
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
    });
    this.socket = socket;
    this.handlers.onState("connecting", "");
    socket.on("connect", () => {
      this.acked = this.lastId;
      this.handlers.onState("connected", "");
    });
    socket.on("connect_error", (error) => this.refusedOrRetry(error));
    socket.on("disconnect", (reason) => {
      if (this.stopped) {
        return;
      }
      this.handlers.onState("offline", "Connection lost: reconnecting…");
      if (reason === "io server disconnect") {
        socket.connect(); // the hub closed this session; a revoked token is refused at connect
      }
    });
    for (const event of DELIVERY_EVENTS) {
      socket.on(event, (data) => this.receive(data));
    }
    socket.on("response", (data) => this.receiveResponse(data));
    socket.on("retracted", (data) => this.receiveOrdered(retractionFromWire(data), this.handlers.onRetract));
    socket.on("read", (data) => this.receiveControl(data, this.handlers.onRead));
    socket.on("receipt", (data) => this.receiveControl(data, this.handlers.onReceipt));
    socket.on("welcome", (data) => this.handlers.onWelcome(data && typeof data === "object" ? data : {}));
    socket.on("user_online", (data) => this.presence(data, true));
    socket.on("user_offline", (data) => this.presence(data, false));
    socket.on("presence", (data) => this.presenceBatch(data));
    socket.on("gap", (data) => this.handlers.onGap(data && typeof data === "object" ? data : {}));
    socket.on("error", (data) => {
      const code = data && typeof data.code === "string" ? data.code : "error";
      const message = data && typeof data.message === "string" ? data.message : "";
      if (code === "unauthorized") {
        this.refuse(message || "This browser's sign-in was revoked.");
      } else {
        this.handlers.onHubError(new HubError(code, message));
      }
    });
    window.addEventListener("online", this.onOnline);
    document.addEventListener("visibilitychange", this.onVisible);
  }

  refusedOrRetry(error) {
    const data = error && typeof error.data === "object" && error.data !== null ? error.data : null;
    if (data && REFUSED.has(data.code)) {
      this.refuse(typeof data.message === "string" ? data.message : "The hub refused this browser's sign-in.");
      return;
    }
    const why = data && typeof data.message === "string" ? data.message : "Cannot reach the hub: retrying…";
    this.handlers.onState("offline", why);
    if (!this.socket.active && !this.stopped) {
      // Refused by the hub for a passing reason (e.g. unavailable): the client does not retry that itself.
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.reconnectNow(), RETRY_REFUSED_MS);
    }
  }

  refuse(message) {
    this.stop();
    this.handlers.onState("refused", message);
  }

  /** Try at once instead of waiting out the backoff (the network is back, the page woke up). */
  reconnectNow() {
    if (this.stopped || this.socket === null || this.socket.connected) {
      return;
    }
    clearTimeout(this.retryTimer);
    if (this.socket.active) {
      this.socket.disconnect(); // drops the waiting reconnection timer (this socket was not connected)
    }
    this.socket.connect();
  }

  receive(data) {
    const note = fromWire(data);
    if (note === null || note.id <= this.lastId) {
      return; // not a notification, or one this browser already has (a replay overlapping)
    }
    this.lastId = note.id;
    this.handlers.onNotification(note);
    this.handlers.onResume(note.id);
    this.scheduleAck();
  }

  /** An answer (`response`): replayed and acked exactly as a notification is (it has an id of the same sequence). */
  receiveResponse(data) {
    this.receiveOrdered(responseFromWire(data), this.handlers.onResponse);
  }

  /** What has an id of the notifications' sequence (an answer, a retraction): handled once, in order, acked. */
  receiveOrdered(item, handle) {
    if (item === null || item.id <= this.lastId) {
      return;
    }
    this.lastId = item.id;
    handle(item);
    this.handlers.onResume(item.id);
    this.scheduleAck();
  }

  /** A control row (`read`, `receipt`): in the same id sequence, replayed and acked as a notification is. */
  receiveControl(data, handler) {
    if (typeof data !== "object" || data === null || !Number.isSafeInteger(data.id) || data.id <= this.lastId) {
      return;
    }
    this.lastId = data.id;
    handler?.(data);
    this.handlers.onResume(data.id);
    this.scheduleAck();
  }

  scheduleAck() {
    if (this.ackScheduled) {
      return;
    }
    this.ackScheduled = true;
    // One cumulative ack for everything handled in this turn of the event loop.
    queueMicrotask(() => {
      this.ackScheduled = false;
      if (this.socket !== null && this.socket.connected && this.lastId > this.acked) {
        this.socket.emit("ack", { id: this.lastId });
        this.acked = this.lastId;
      }
    });
  }

  presence(data, online) {
    const name = data && (data.username || data.userId);
    if (typeof name === "string" && name) {
      this.handlers.onPresence(name, online);
    }
  }

  /** `presence {online, offline, full}`: who came and went, or everyone online (`full`). */
  presenceBatch(data) {
    if (!data || typeof data !== "object") {
      return;
    }
    const names = (list) => (Array.isArray(list) ? list.filter((name) => typeof name === "string" && name) : []);
    const batch = { online: names(data.online), offline: names(data.offline), full: data.full === true };
    this.handlers.onPresenceBatch(batch);
  }

  get connected() {
    return this.socket !== null && this.socket.connected;
  }

  /** Send one event and return the hub's `{ok: true, ...}`; throws HubError with its code otherwise. */
  async call(event, data) {
    if (!this.connected) {
      throw new HubError("unavailable", "Not connected to the hub right now: try again when it is back.");
    }
    let answer;
    try {
      answer = data === undefined
        ? await this.socket.timeout(CALL_TIMEOUT_MS).emitWithAck(event)
        : await this.socket.timeout(CALL_TIMEOUT_MS).emitWithAck(event, data);
    } catch {
      throw new HubError("unavailable", "The hub did not answer in time.");
    }
    if (answer && answer.ok === true) {
      return answer;
    }
    const error = answer && answer.error && typeof answer.error === "object" ? answer.error : {};
    throw new HubError(
      typeof error.code === "string" ? error.code : "error",
      typeof error.message === "string" ? error.message : "The hub refused the request.",
      { retryAfter: typeof error.retry_after === "number" ? error.retry_after : null },
    );
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    window.removeEventListener("online", this.onOnline);
    document.removeEventListener("visibilitychange", this.onVisible);
    if (this.socket !== null) {
      this.socket.disconnect();
    }
  }
}
