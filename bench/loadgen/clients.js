// One load generator part: the receivers and senders one process holds, what they received, and
// the direct notifications its senders send to its own receivers. loadgen.js drives one part in its
// own process, or several in worker processes (workers.js), and merges what they measured.

"use strict";

const { monitorEventLoopDelay, performance, PerformanceObserver } = require("perf_hooks");
const { io } = require("socket.io-client");
const { clock, round, settle, sleep, state } = require("./common");

function parseBench(message) {
  // "bench|<tag>|<seq>|<t>"
  if (typeof message !== "string" || !message.startsWith("bench|")) return null;
  const parts = message.split("|");
  if (parts.length < 4) return null;
  return { tag: parts[1], seq: Number(parts[2]), t: Number(parts[3]) };
}

function benchMessage(tag, seq) {
  return `bench|${tag}|${seq}|${clock().toFixed(3)}`;
}

function connectOne(cfg, who, onSocket) {
  // onSocket(socket) runs before connecting: a receiver's handlers are attached there.
  return new Promise((resolve) => {
    const t0 = performance.now();
    const opts = {
      transports: ["websocket"],
      forceNew: true, // one engine.io connection per client, no multiplexing
      reconnection: false,
      timeout: cfg.connectTimeoutMs,
    };
    if (cfg.kind === "hub") {
      opts.auth = cfg.presence ? { token: who.token, presence: cfg.presence } : { token: who.token };
      // An acking device says where it is at connect (nothing yet) and acks what it gets.
      if (cfg.ack && onSocket) opts.auth.last_id = 0;
    }
    const socket = io(cfg.url, opts);
    let done = false;
    const timer = setTimeout(() => finish(new Error("timeout")), cfg.connectTimeoutMs);
    function finish(err) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        socket.close();
        resolve({ socket: null, error: String(err && err.message ? err.message : err) });
      } else {
        resolve({ socket, ms: performance.now() - t0 });
      }
    }
    if (onSocket) onSocket(socket);
    socket.on("connect_error", (err) => finish(err));
    socket.on("connect", () => {
      if (cfg.kind === "hub") {
        // The hub authenticates in the handshake: connected means authenticated.
        finish(null);
        return;
      }
      // The seed: the guide's `authenticate`, then a notification to ourselves, which the server
      // can route only once it has mapped our userId: its arrival confirms the authentication.
      const probe = `probe|${who.userId}`;
      const onProbe = (data) => {
        if (data && data.message === probe) {
          socket.off("notification", onProbe);
          finish(null);
        }
      };
      socket.on("notification", onProbe);
      socket.emit("authenticate", { userId: who.userId, username: who.userId });
      socket.emit("send_notification", { userId: who.userId, message: probe, type: "info" });
    });
  });
}

async function connectMany(cfg, list, onSocket, concurrency, deadline) {
  const sockets = new Array(list.length).fill(null);
  const times = [];
  const errors = {};
  let next = 0;
  async function worker() {
    while (next < list.length && performance.now() < deadline) {
      const i = next++;
      const r = await connectOne(cfg, list[i], onSocket && ((s) => onSocket(s, i)));
      if (r.socket) {
        sockets[i] = r.socket;
        times.push(r.ms);
      } else {
        errors[r.error] = (errors[r.error] || 0) + 1;
      }
    }
  }
  const workers = [];
  for (let w = 0; w < Math.min(concurrency, list.length); w++) workers.push(worker());
  await Promise.all(workers);
  return { sockets, times, errors };
}

class Collector {
  // The deliveries of one tag: every latency, and (perSeq > 0) when each sequence number has
  // reached all of this part's receivers.
  constructor(perSeq, receivers, onComplete) {
    this.latencies = [];
    this.delivered = 0;
    this.lastAt = 0;
    this.counts = perSeq > 0 ? new Int32Array(perSeq) : null;
    this.receivers = receivers;
    this.onComplete = onComplete;
    this.onEach = null;
  }
  add(seq, latency, at) {
    this.latencies.push(latency);
    this.delivered += 1;
    this.lastAt = at;
    if (this.counts && seq >= 0 && seq < this.counts.length) {
      this.counts[seq] += 1;
      if (this.counts[seq] === this.receivers) this.onComplete(seq, at);
    }
    if (this.onEach) this.onEach();
  }
}

class Pauses {
  // This process's own pauses, between resets: its event loop's delay, the collector's time, and the
  // Engine.IO pings its receivers answered (a server that pings every connection at once sends
  // thousands in one burst, which this process answers in one go).
  constructor() {
    this.pings = 0;
    this.delay = monitorEventLoopDelay({ resolution: 10 });
    this.delay.enable();
    this.gcMs = 0;
    this.gcMax = 0;
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcMs += e.duration;
        this.gcMax = Math.max(this.gcMax, e.duration);
      }
    });
    this.observer.observe({ entryTypes: ["gc"] });
  }
  reset() {
    this.pings = 0;
    this.delay.reset();
    this.gcMs = 0;
    this.gcMax = 0;
  }
  figures() {
    return {
      loop_delay_max_ms: round(this.delay.max / 1e6, 1),
      gc_ms: round(this.gcMs, 1),
      gc_longest_ms: round(this.gcMax, 1),
      pings: this.pings,
    };
  }
  stop() {
    this.delay.disable();
    this.observer.disconnect();
  }
}

class Clients {
  // cfg: the run's config with this part's `receivers` and `senders`; onComplete(tag, seq, at):
  // a tracked sequence number reached all of this part's receivers.
  constructor(cfg, onComplete) {
    this.cfg = cfg;
    this.onComplete = onComplete;
    this.receivers = [];
    this.senders = [];
    this.collectors = new Map();
    this.dropped = 0;
    this.pauses = new Pauses();
  }

  attachReceiver(socket) {
    // Like the tray app when acking: one cumulative `ack` for what arrived, sent once this turn's
    // packets are handled (the hub then saves this device's cursor about once a second).
    const acking = this.cfg.kind === "hub" && Boolean(this.cfg.ack);
    let newest = 0;
    let ackDue = false;
    const ack = () => {
      ackDue = false;
      socket.emit("ack", { id: newest });
    };
    const handler = (data) => {
      state.lastPacketAt = performance.now();
      if (acking && data && Number.isSafeInteger(data.id) && data.id > newest) {
        newest = data.id;
        if (!ackDue) {
          ackDue = true;
          setImmediate(ack);
        }
      }
      const parsed = data && parseBench(data.message);
      if (!parsed) return;
      const collector = this.collectors.get(parsed.tag);
      if (collector) {
        const now = clock();
        collector.add(parsed.seq, now - parsed.t, now);
      }
    };
    socket.on("notification", handler);
    socket.on("global_notification", handler);
    socket.onAny(() => {
      state.lastPacketAt = performance.now();
    });
    socket.io.on("ping", () => {
      this.pauses.pings += 1;
    });
  }

  async connectSenders(concurrency, remainingMs) {
    const r = await connectMany(this.cfg, this.cfg.senders, null, concurrency, performance.now() + remainingMs);
    this.senders = r.sockets;
    return { connected: r.sockets.filter(Boolean).length, errors: r.errors };
  }

  async connectReceivers(concurrency, remainingMs) {
    const onSocket = (socket) => this.attachReceiver(socket);
    const r = await connectMany(this.cfg, this.cfg.receivers, onSocket, concurrency, performance.now() + remainingMs);
    this.receivers = r.sockets;
    return { connected: r.sockets.filter(Boolean).length, times: r.times, errors: r.errors };
  }

  connected() {
    return this.receivers.filter(Boolean).length;
  }

  settle() {
    return settle(this.cfg);
  }

  track(tag, perSeq) {
    const onComplete = (seq, at) => this.onComplete(tag, seq, at);
    this.collectors.set(tag, new Collector(perSeq, this.connected(), onComplete));
  }

  collect(tag) {
    // What the tag's collector got, as one Float64Array of latencies; it stops collecting.
    const c = this.collectors.get(tag);
    this.collectors.delete(tag);
    if (!c) return { latencies: new Float64Array(0), delivered: 0, lastAt: 0 };
    return { latencies: Float64Array.from(c.latencies), delivered: c.delivered, lastAt: c.lastAt };
  }

  async direct(rate, stepIndex) {
    // Offer `rate` direct notifications per second for directStepMs, spread over this part's
    // senders and round-robin over its receivers; then wait for the stragglers.
    const cfg = this.cfg;
    const senders = this.senders.filter(Boolean);
    const targets = cfg.receivers.filter((_, i) => this.receivers[i]);
    const total = Math.max(1, Math.round((rate * cfg.directStepMs) / 1000));
    const tag = `d${stepIndex}`;
    this.track(tag, 0);
    const collector = this.collectors.get(tag);
    const allIn = new Promise((resolve) => {
      collector.onEach = () => {
        if (collector.delivered >= total) resolve(true);
      };
    });
    this.pauses.reset();
    let sent = 0;
    const startedAt = Date.now();
    const t0 = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor((rate * (performance.now() - t0)) / 1000) + 1);
      let burst = 0;
      while (sent < due && burst < cfg.directMaxPerTick) {
        const sender = senders[sent % senders.length];
        const target = targets[sent % targets.length];
        sender.emit("send_notification", {
          userId: target.userId,
          message: benchMessage(tag, sent),
          type: "message",
        });
        sent += 1;
        burst += 1;
      }
      if (performance.now() - t0 > cfg.directStepMs * 3) break; // the loop itself cannot keep up
      await sleep(5);
    }
    const sendSeconds = (performance.now() - t0) / 1000;
    const drained = await Promise.race([allIn, sleep(cfg.directDrainMs).then(() => false)]);
    const got = this.collect(tag);
    return {
      started_at_ms: startedAt,
      ended_at_ms: Date.now(),
      sent,
      delivered: got.delivered,
      drained: Boolean(drained),
      send_seconds: sendSeconds,
      latencies: got.latencies,
      pauses: this.pauses.figures(),
    };
  }

  pausesReset() {
    this.pauses.reset();
    this.cpuFrom = process.cpuUsage();
  }

  pausesNow() {
    // This process's pauses since the last reset (a single broadcast's, in the latency scenario),
    // and the CPU it used meanwhile: whether it was reading all along or waiting.
    const cpu = process.cpuUsage(this.cpuFrom);
    return { ...this.pauses.figures(), cpu_ms: round((cpu.user + cpu.system) / 1000, 1) };
  }

  holdStart() {
    for (const s of this.receivers) if (s) s.on("disconnect", () => (this.dropped += 1));
    return this.connected();
  }

  holdEnd() {
    return this.dropped;
  }

  close() {
    this.pauses.stop();
    for (const s of [...this.senders, ...this.receivers]) if (s) s.close();
  }
}

module.exports = { Clients, benchMessage, connectOne };
