#!/usr/bin/env node
// The reconnect storm: N devices connected to the hub, the hub restarted under them, and the time
// until every device is back, caught up and told who is online.
//
//   node storm.js CONFIG.json      (written by bench/storm.py, which restarts the hub)
//
// CONFIG: url, serverPid, receivers [{userId, token}], admin {userId, token}, presence ("batched" or
// "events": the `auth.presence` every device asks for), connectConcurrency, stormTimeoutMs; acking
// (each device gives `last_id`, the newest notification id it has, at every connect, as the apps
// do); drop (the hub is not restarted: at `up`, every device's connection is closed under it at once,
// as when a Wi-Fi access point restarts, and socket.io-client reconnects it).
//
// Every device is a socket.io-client with its default reconnection (1 s delay, randomized by 0.5,
// doubling up to 5 s), as a browser page or an app would be. Protocol with bench/storm.py:
//   this prints `READY` once all N are connected and the presence news of their wave has settled;
//   storm.py restarts the hub and writes `up <pid>` on standard input once the new one listens;
//   this prints one JSON object once every device is done, or the storm timed out.
// A device is done when it has, since the restart: its `welcome` (back); the marker the admin
// broadcasts as soon as it is back itself (caught up: live, or replayed from the store); and every
// receiver's name in what it was told of presence (the welcome's `online` and `user_online` events,
// or `presence` events), counted exactly with one bit per receiver.

"use strict";

const fs = require("fs");
const readline = require("readline");
const { performance } = require("perf_hooks");
const { io } = require("socket.io-client");
const { Meter, log, readRssKb, round, settle, state, summarize } = require("./common");

const MARKER = "storm|marker";

function receiverIndex(name, n) {
  if (typeof name !== "string" || name[0] !== "u") return -1;
  const i = Number(name.slice(1));
  return Number.isInteger(i) && i >= 0 && i < n ? i : -1;
}

class Device {
  constructor(storm, index) {
    this.storm = storm;
    this.index = index;
    this.heard = new Uint8Array(storm.n);
    this.reset();
  }

  reset() {
    this.lastId = this.lastId || 0; // kept across reconnects: the device's resume point
    this.attemptAt = null; // its last reconnection attempt
    this.backIn = null; // from that attempt to its welcome: the hub's share of its wait
    this.back = false;
    this.marker = false;
    this.count = 0;
    this.doneAt = null;
    this.heard.fill(0);
  }

  hear(names) {
    if (!Array.isArray(names)) return;
    for (const name of names) {
      const i = receiverIndex(name, this.storm.n);
      if (i >= 0 && this.heard[i] === 0) {
        this.heard[i] = 1;
        this.count += 1;
      }
    }
    this.check();
  }

  check() {
    if (this.doneAt === null && this.storm.armed && this.back && this.marker && this.count === this.storm.n) {
      this.doneAt = performance.now();
      this.storm.finished(this);
    }
  }
}

class Storm {
  constructor(cfg) {
    this.cfg = cfg;
    this.n = cfg.receivers.length;
    this.armed = false; // set at READY: what came before the restart does not count
    this.devices = [];
    this.done = 0;
    this.backCount = 0;
    this.firstDownAt = null;
    this.upAt = null;
    this.lastBackAt = null;
    this.onAllDone = null;
  }

  finished() {
    this.done += 1;
    if (this.done === this.n && this.onAllDone) this.onAllDone();
  }

  socket(who, onEvent, device = null) {
    const fixed = { token: who.token, presence: this.cfg.presence };
    const auth = this.cfg.acking && device ? (send) => send({ ...fixed, last_id: device.lastId }) : fixed;
    const socket = io(this.cfg.url, { transports: ["websocket"], forceNew: true, auth });
    socket.onAny((event, data) => {
      state.lastPacketAt = performance.now();
      onEvent(event, data);
    });
    socket.on("disconnect", () => {
      if (this.armed && this.firstDownAt === null) this.firstDownAt = performance.now();
    });
    return socket;
  }

  device(index) {
    const device = new Device(this, index);
    device.socket = this.socket(this.cfg.receivers[index], (event, data) => {
      if (data && Number.isSafeInteger(data.id) && data.id > device.lastId) device.lastId = data.id;
      if (!this.armed) return;
      if (event === "welcome") {
        if (!device.back) {
          device.back = true;
          if (device.attemptAt !== null) device.backIn = performance.now() - device.attemptAt;
          this.backCount += 1;
          if (this.backCount === this.n) this.lastBackAt = performance.now();
        }
        device.hear(data && data.online);
      } else if (event === "user_online") {
        device.hear([data && data.userId]);
      } else if (event === "presence") {
        device.hear(data && data.online);
      } else if (event === "global_notification" && data && data.message === MARKER) {
        device.marker = true;
        device.check();
      }
    }, device);
    device.socket.io.on("reconnect_attempt", () => {
      if (this.armed) device.attemptAt = performance.now();
    });
    device.socket.on("disconnect", () => {
      if (this.armed && device.doneAt === null) {
        if (device.back) this.backCount -= 1;
        device.reset();
      }
    });
    return device;
  }

  admin() {
    const admin = this.socket(this.cfg.admin, (event) => {
      if (this.armed && event === "welcome") admin.emit("broadcast", { message: MARKER, type: "info" });
    });
    return admin;
  }
}

async function connectAll(storm) {
  // The first wave, at most connectConcurrency connects in flight.
  let next = 0;
  const t0 = performance.now();
  async function worker() {
    while (next < storm.n) {
      const device = storm.device(next++);
      storm.devices.push(device);
      if (!device.socket.connected) await new Promise((resolve) => device.socket.once("connect", resolve));
    }
  }
  const workers = [];
  for (let w = 0; w < Math.min(storm.cfg.connectConcurrency, storm.n); w++) workers.push(worker());
  await Promise.all(workers);
  return (performance.now() - t0) / 1000;
}

function waitForUp() {
  return new Promise((resolve) => {
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      const m = /^up (\d+)$/.exec(line.trim());
      if (m) resolve(Number(m[1]));
    });
  });
}

async function main() {
  const cfg = {
    connectConcurrency: 50,
    stormTimeoutMs: 180000,
    settleQuietMs: 500,
    settleMaxMs: 300000,
    holdAfterMs: 5000,
  };
  Object.assign(cfg, JSON.parse(fs.readFileSync(process.argv[2], "utf8")));
  const storm = new Storm(cfg);
  const admin = storm.admin();
  await new Promise((resolve) => admin.once("connect", resolve));
  const connectSeconds = await connectAll(storm);
  log(`${storm.n} connected in ${connectSeconds.toFixed(2)} s`);
  const settledMs = await settle(cfg);
  const rssConnected = readRssKb(cfg.serverPid);
  storm.armed = true;
  const up = waitForUp();
  const allDone = new Promise((resolve) => (storm.onAllDone = resolve));
  process.stdout.write("READY\n");
  const pid = await up;
  storm.upAt = performance.now();
  if (cfg.drop) {
    // Every connection closed under its device at once; each reconnects after its own delay.
    for (const socket of [admin, ...storm.devices.map((d) => d.socket)]) socket.io.engine.close();
    log(`dropped every connection (hub pid ${pid})`);
  } else {
    log(`hub back up (pid ${pid})`);
  }
  const meter = new Meter(pid);
  const timeout = new Promise((resolve) => setTimeout(resolve, cfg.stormTimeoutMs));
  await Promise.race([allDone, timeout]);
  const cpu = meter.stop();
  const doneTimes = storm.devices.filter((d) => d.doneAt !== null).map((d) => d.doneAt - storm.upAt);
  const since = (t) => (t === null ? null : round((t - storm.upAt) / 1000, 3));
  const out = {
    n: storm.n,
    presence: cfg.presence,
    first_connect: { seconds: round(connectSeconds, 3), per_s: round(storm.n / connectSeconds, 1) },
    settle_ms: settledMs,
    server_rss_connected_kb: rssConnected,
    down_before_up_s: storm.firstDownAt === null ? null : round((storm.upAt - storm.firstDownAt) / 1000, 3),
    devices_done: storm.done,
    all_back_s: since(storm.backCount === storm.n ? storm.lastBackAt : null),
    all_done_s: storm.done === storm.n ? round(Math.max(...doneTimes) / 1000, 3) : null,
    done: summarize(doneTimes),
    // From each device's last reconnection attempt to its welcome: what the hub took, apart from the
    // devices' own reconnection delays.
    attempt_to_welcome: summarize(storm.devices.filter((d) => d.backIn !== null).map((d) => d.backIn)),
    cpu,
    server_rss_after_kb: readRssKb(pid),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  // Connected a little longer, as devices are after a restart: the hub freezes a wave that has
  // settled (hub/heap.py), and storm.py then sees what the hub does when they all leave.
  await new Promise((resolve) => setTimeout(resolve, cfg.holdAfterMs));
  for (const d of storm.devices) d.socket.close();
  admin.close();
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`[storm] failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
