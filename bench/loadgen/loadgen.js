#!/usr/bin/env node
// One Socket.IO load generator for both servers of the lan-notify benchmark (the seed guide's
// Node server and the lan-notify hub), so neither side gets a home advantage.
//
//   node loadgen.js CONFIG.json
//
// CONFIG (written by bench/run.py):
//   url            "http://127.0.0.1:PORT" (only 127.0.0.1 is accepted)
//   kind           "seed": connect, then emit `authenticate {userId, username}`
//                  "hub":  connect with `auth: {token}` (the Socket.IO auth object)
//   presence       hub only, optional: the `auth.presence` its clients ask for ("batched" or "events")
//   serverPid      the server's pid, for its RSS and CPU (read from /proc)
//   receivers      [{userId, token?}] the N clients that get notifications
//   senders        [{userId, token?}] clients that send direct notifications
//   admin          {userId, token?}   the client that sends broadcasts
//   scenarios      any of "connect", "rss", "latency", "fanout", "direct", "hold" (keep the
//                  receivers connected until standard input closes: bench/hostile.py)
//   ...            tuning: see DEFAULTS below
//
// Every notification the generator sends carries "bench|<tag>|<seq>|<sent at, ms>" as its message;
// senders and receivers live in this one process, so latency is measured on one clock.
// Prints one JSON object with the results on stdout; progress goes to stderr.

"use strict";

const fs = require("fs");
const os = require("os");
const { performance } = require("perf_hooks");
const { io } = require("socket.io-client");

const DEFAULTS = {
  connectConcurrency: 50, // connection attempts in flight at once
  connectTimeoutMs: 20000, // per client
  settleQuietMs: 500, // "idle": no packet arrived for this long...
  settleMaxMs: 300000, // ...or this long passed (a hub's presence storm at N = 1000 takes minutes)
  latencyBroadcasts: 20, // single-broadcast latency: this many, one at a time
  broadcasts: 200, // fan-out blast: M broadcasts to the N receivers
  window: 16, // at most this many broadcasts not yet delivered to everyone (0: no limit)
  broadcastTimeoutMs: 60000, // a single broadcast must reach everyone within this
  fanoutMaxMs: 180000, // the whole blast phase
  directStartRate: 1000, // direct notifications per second, first step
  directFactor: 1.3, // each step offers this much more
  directMinRate: 20, // if the first step fails, halve down to this
  directStepMs: 2000, // how long each step sends
  directMaxSteps: 24,
  directP99LimitMs: 100, // a step passes while p99 <= this and nothing is lost
  directDrainMs: 3000, // after a step, wait at most this long for the stragglers
  directNoisyCpu: 0.3, // a step that fails while other processes use this much of a core...
  directNoisyReruns: 2, // ...runs again at the same rate, at most this many times
  directMaxPerTick: 5000, // emit at most this many per 5 ms tick
  deadlineMs: 900000, // the whole run
  ack: false, // hub: receivers ack what they get, as the tray app does (auth.last_id, then `ack`)
};

const CLK_TCK = 100; // Linux USER_HZ; /proc/PID/stat counts CPU time in these ticks

function log(...args) {
  process.stderr.write(`[loadgen] ${args.join(" ")}\n`);
}

function readRssKb(pid) {
  const text = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(text);
  return m ? Number(m[1]) : NaN;
}

function readCpuSeconds(pid) {
  // Fields after the command name (which is in parentheses and may hold spaces).
  const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime is field 14, stime field 15.
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
}

function busyCpuSeconds() {
  // All CPUs, all processes: user + nice + system + irq + softirq + steal, from /proc/stat.
  const line = fs.readFileSync("/proc/stat", "utf8").split("\n", 1)[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / CLK_TCK;
}

function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

function summarize(values) {
  const sorted = Float64Array.from(values).sort();
  const r3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    count: sorted.length,
    p50_ms: r3(percentile(sorted, 50)),
    p99_ms: r3(percentile(sorted, 99)),
    max_ms: r3(sorted.length ? sorted[sorted.length - 1] : null),
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class Meter {
  // CPU of the server and of this process over one phase.
  constructor(pid) {
    this.pid = pid;
    this.server0 = readCpuSeconds(pid);
    this.self0 = selfCpuSeconds();
    this.busy0 = busyCpuSeconds();
    this.t0 = performance.now();
  }
  stop() {
    const wall = (performance.now() - this.t0) / 1000;
    const server = readCpuSeconds(this.pid) - this.server0;
    const self = selfCpuSeconds() - this.self0;
    // Everything else on the machine (other processes, the kernel): > ~0.1 core means a noisy run.
    const other = Math.max(0, busyCpuSeconds() - this.busy0 - server - self);
    return {
      wall_s: round(wall, 3),
      server_cpu_s: round(server, 3),
      loadgen_cpu_s: round(self, 3),
      server_cpu_util: round(wall > 0 ? server / wall : 0, 3),
      loadgen_cpu_util: round(wall > 0 ? self / wall : 0, 3),
      other_cpu_util: round(wall > 0 ? other / wall : 0, 3),
    };
  }
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ------------------------------------------------------------------ deliveries

// What the receivers saw, by tag; handlers below fill it.
const state = {
  lastPacketAt: performance.now(),
  onDelivery: null, // (tag, seq, latencyMs, receiverIndex) => void
  probes: new Map(), // seed: userId -> resolve, for the authentication probe
};

function parseBench(message) {
  // "bench|<tag>|<seq>|<t>"
  if (typeof message !== "string" || !message.startsWith("bench|")) return null;
  const parts = message.split("|");
  if (parts.length < 4) return null;
  return { tag: parts[1], seq: Number(parts[2]), t: Number(parts[3]) };
}

function benchMessage(tag, seq) {
  return `bench|${tag}|${seq}|${performance.now().toFixed(3)}`;
}

function attachReceiver(socket, index, acking) {
  // `acking`: like the tray app, one cumulative `ack` for what arrived, sent once this turn's
  // packets are handled (the hub then saves this device's cursor about once a second).
  let newest = 0;
  let ackDue = false;
  const ack = () => {
    ackDue = false;
    socket.emit("ack", { id: newest });
  };
  const handler = (data) => {
    const now = performance.now();
    state.lastPacketAt = now;
    if (acking && data && Number.isSafeInteger(data.id) && data.id > newest) {
      newest = data.id;
      if (!ackDue) {
        ackDue = true;
        setImmediate(ack);
      }
    }
    const parsed = data && parseBench(data.message);
    if (parsed && state.onDelivery) state.onDelivery(parsed.tag, parsed.seq, now - parsed.t, index);
  };
  socket.on("notification", handler);
  socket.on("global_notification", handler);
  socket.onAny(() => {
    state.lastPacketAt = performance.now();
  });
}

// ------------------------------------------------------------------ connecting

function connectOne(cfg, who, isReceiver, index) {
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
      if (cfg.ack && isReceiver) opts.auth.last_id = 0;
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
    if (isReceiver) attachReceiver(socket, index, cfg.kind === "hub" && Boolean(cfg.ack));
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

async function connectMany(cfg, list, isReceiver, deadline) {
  const sockets = new Array(list.length).fill(null);
  const times = [];
  const errors = {};
  let next = 0;
  async function worker() {
    while (next < list.length && performance.now() < deadline) {
      const i = next++;
      const r = await connectOne(cfg, list[i], isReceiver, i);
      if (r.socket) {
        sockets[i] = r.socket;
        times.push(r.ms);
      } else {
        errors[r.error] = (errors[r.error] || 0) + 1;
      }
    }
  }
  const workers = [];
  for (let w = 0; w < Math.min(cfg.connectConcurrency, list.length); w++) workers.push(worker());
  await Promise.all(workers);
  return { sockets, times, errors };
}

async function settle(cfg) {
  // Wait until no packet has arrived for settleQuietMs (the user_online storm of a connect
  // wave, stragglers of a phase), bounded by settleMaxMs.
  const t0 = performance.now();
  while (performance.now() - t0 < cfg.settleMaxMs) {
    const quiet = performance.now() - state.lastPacketAt;
    if (quiet >= cfg.settleQuietMs) return round(performance.now() - t0, 1);
    await sleep(Math.max(10, cfg.settleQuietMs - quiet));
  }
  return round(performance.now() - t0, 1);
}

// ------------------------------------------------------------------ scenarios

// Keep the receivers connected until standard input closes (bench/hostile.py closes it when it has
// measured what it wanted meanwhile), counting the connections the server dropped.
async function holdUntilStdinCloses(receivers) {
  let dropped = 0;
  for (const s of receivers) if (s) s.on("disconnect", () => (dropped += 1));
  log(`holding ${receivers.filter(Boolean).length} connections`);
  const t0 = performance.now();
  await new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  return { seconds: round((performance.now() - t0) / 1000, 1), dropped };
}

async function singleBroadcastLatency(cfg, admin, receivers) {
  const n = receivers.filter(Boolean).length;
  const latencies = [];
  const completions = [];
  let incomplete = 0;
  for (let seq = 0; seq < cfg.latencyBroadcasts; seq++) {
    let got = 0;
    let lastAt = 0;
    const sentAt = performance.now();
    const done = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), cfg.broadcastTimeoutMs);
      state.onDelivery = (tag, s, lat) => {
        if (tag !== "l" || s !== seq) return;
        latencies.push(lat);
        got += 1;
        lastAt = performance.now();
        if (got >= n) {
          clearTimeout(timer);
          resolve(true);
        }
      };
    });
    admin.emit("broadcast", { message: benchMessage("l", seq), type: "info" });
    if (await done) completions.push(lastAt - sentAt);
    else incomplete += 1;
  }
  state.onDelivery = null;
  const c = summarize(completions);
  return {
    broadcasts: cfg.latencyBroadcasts,
    receivers: n,
    incomplete,
    delivery: summarize(latencies),
    all_delivered_p50_ms: c.p50_ms,
    all_delivered_max_ms: c.max_ms,
  };
}

async function fanoutBlast(cfg, admin, receivers, pid) {
  const n = receivers.filter(Boolean).length;
  const m = cfg.broadcasts;
  const latencies = new Float64Array(n * m);
  let delivered = 0;
  const perSeq = new Int32Array(m);
  let sent = 0;
  let completed = 0;
  let firstSend = 0;
  let lastReceipt = 0;
  const meter = new Meter(pid);
  const phaseStart = performance.now();
  const result = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), cfg.fanoutMaxMs);
    const sendMore = () => {
      while (sent < m && (cfg.window <= 0 || sent - completed < cfg.window)) {
        if (sent === 0) firstSend = performance.now();
        admin.emit("broadcast", { message: benchMessage("f", sent), type: "info" });
        sent += 1;
      }
    };
    state.onDelivery = (tag, seq, lat) => {
      if (tag !== "f") return;
      if (delivered < latencies.length) latencies[delivered] = lat;
      delivered += 1;
      lastReceipt = performance.now();
      perSeq[seq] += 1;
      if (perSeq[seq] === n) {
        completed += 1;
        if (completed === m) {
          clearTimeout(timer);
          resolve(true);
          return;
        }
        sendMore();
      }
    };
    sendMore();
  });
  state.onDelivery = null;
  const cpu = meter.stop();
  const seconds = (lastReceipt - firstSend) / 1000;
  const expected = n * m;
  return {
    broadcasts: m,
    receivers: n,
    window: cfg.window,
    completed: result,
    deliveries: delivered,
    expected_deliveries: expected,
    seconds: round(seconds, 3),
    deliveries_per_s: seconds > 0 ? Math.round(delivered / seconds) : null,
    latency: summarize(latencies.subarray(0, Math.min(delivered, latencies.length))),
    server_cpu_us_per_delivery: delivered > 0 ? round((cpu.server_cpu_s * 1e6) / delivered, 2) : null,
    loadgen_cpu_us_per_delivery: delivered > 0 ? round((cpu.loadgen_cpu_s * 1e6) / delivered, 2) : null,
    phase_ms: round(performance.now() - phaseStart, 1),
    cpu,
  };
}

async function directStep(cfg, senders, targets, rate, stepIndex, pid) {
  // Offer `rate` direct notifications per second for directStepMs, spread over the senders and
  // round-robin over the targets; then wait for the stragglers.
  const total = Math.max(1, Math.round((rate * cfg.directStepMs) / 1000));
  const tag = `d${stepIndex}`;
  const latencies = [];
  let sent = 0;
  let delivered = 0;
  const meter = new Meter(pid);
  let resolveAll;
  const allIn = new Promise((resolve) => {
    resolveAll = resolve;
  });
  state.onDelivery = (t, _seq, lat) => {
    if (t !== tag) return;
    latencies.push(lat);
    delivered += 1;
    if (delivered >= total) resolveAll(true);
  };
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
  state.onDelivery = null;
  const cpu = meter.stop();
  const s = summarize(latencies);
  const lost = sent - delivered;
  return {
    offered_per_s: Math.round(rate),
    // Wall-clock milliseconds, sending started and the drain ended: to line up with the hub's probe.
    started_at_ms: startedAt,
    ended_at_ms: Date.now(),
    sent,
    delivered,
    lost,
    drained: Boolean(drained),
    send_seconds: round(sendSeconds, 3),
    achieved_per_s: Math.round(delivered / Math.max(sendSeconds, 1e-9)),
    latency: s,
    passed: lost === 0 && s.p99_ms !== null && s.p99_ms <= cfg.directP99LimitMs,
    server_cpu_us_per_notification: delivered > 0 ? round((cpu.server_cpu_s * 1e6) / delivered, 2) : null,
    cpu,
  };
}

function firstFailing(steps, best) {
  // The lowest failing rate above the best passing one; a step that was run again does not count.
  const above = steps.filter((s) => !s.passed && !s.rerun && (!best || s.offered_per_s > best.offered_per_s));
  return above.length ? Math.min(...above.map((s) => s.offered_per_s)) : null;
}

function planDirect(cfg, plan, step) {
  // The rising-rate search, after one step: the next plan ({rate, best, descending, reruns, done}).
  // A step that failed while other processes used directNoisyCpu of a core or more may have failed
  // because of them, not the server: the same rate runs again, up to directNoisyReruns times in a
  // row (bench/run.py waits for a quiet machine before each run, but not before each step).
  const noisy = !step.passed && step.cpu.other_cpu_util >= cfg.directNoisyCpu;
  if (noisy && plan.reruns < cfg.directNoisyReruns) return { ...plan, reruns: plan.reruns + 1 };
  const next = { ...plan, reruns: 0 };
  if (step.passed) {
    // On the way down, the first rate that passes is the figure.
    if (plan.descending) return { ...next, best: step, done: true };
    return { ...next, best: step, rate: plan.rate * cfg.directFactor };
  }
  if (plan.best === null && plan.rate / 2 >= cfg.directMinRate) {
    // Even the first rate failed: halve it until one passes, so a slow server still gets a figure.
    return { ...next, descending: true, rate: plan.rate / 2 };
  }
  return { ...next, done: true };
}

async function searchDirect(cfg, deadline, runStep) {
  // The rising-rate search: runStep(rate, index) runs one step and resolves to its result. Returns
  // the steps, the best one, the lowest failing rate above it, how many steps were run again, and
  // whether the search ended by itself (not at directMaxSteps or the deadline).
  const steps = [];
  let plan = { rate: cfg.directStartRate, best: null, descending: false, reruns: 0, done: false };
  let noiseReruns = 0;
  for (let i = 0; !plan.done && i < cfg.directMaxSteps && performance.now() < deadline; i++) {
    const step = await runStep(plan.rate, i);
    steps.push(step);
    const next = planDirect(cfg, plan, step);
    if (next.reruns > plan.reruns) {
      step.rerun = true;
      noiseReruns += 1;
    }
    log(
      `direct ${step.offered_per_s}/s: p99 ${step.latency.p99_ms} ms, lost ${step.lost}` +
        (step.rerun ? `; other processes used ${step.cpu.other_cpu_util} of a core: running it again` : ""),
    );
    plan = next;
  }
  return { steps, best: plan.best, firstFailing: firstFailing(steps, plan.best), noiseReruns, done: plan.done };
}

async function directRising(cfg, senders, receivers, pid, deadline) {
  const targets = cfg.receivers.filter((_, i) => receivers[i]);
  const search = await searchDirect(cfg, deadline, async (rate, i) => {
    const step = await directStep(cfg, senders, targets, rate, i, pid);
    await settle(cfg);
    return step;
  });
  const { steps, best } = search;
  return {
    p99_limit_ms: cfg.directP99LimitMs,
    step_ms: cfg.directStepMs,
    factor: cfg.directFactor,
    senders: senders.length,
    targets: targets.length,
    // null when no step ran (the run's deadline came first): not measured, not zero.
    max_sustained_per_s: steps.length === 0 ? null : best ? best.offered_per_s : 0,
    achieved_at_max_per_s: best ? best.achieved_per_s : 0,
    latency_at_max: best ? best.latency : null,
    server_cpu_us_per_notification: best ? best.server_cpu_us_per_notification : null,
    first_failing_per_s: search.firstFailing,
    noise_reruns: search.noiseReruns,
    steps,
  };
}

// ------------------------------------------------------------------ main

async function main() {
  const cfgPath = process.argv[2];
  if (!cfgPath) {
    process.stderr.write("usage: node loadgen.js CONFIG.json\n");
    process.exit(2);
  }
  const cfg = { ...DEFAULTS, ...JSON.parse(fs.readFileSync(cfgPath, "utf8")) };
  const url = new URL(cfg.url);
  if (url.hostname !== "127.0.0.1") throw new Error(`only 127.0.0.1 is allowed, not ${url.hostname}`);
  if (cfg.kind !== "seed" && cfg.kind !== "hub") throw new Error(`unknown kind ${cfg.kind}`);
  const scenarios = new Set(cfg.scenarios);
  const pid = cfg.serverPid;
  const deadline = performance.now() + cfg.deadlineMs;
  const out = {
    kind: cfg.kind,
    n: cfg.receivers.length,
    node: process.version,
    host_cpus: os.cpus().length,
    scenarios: [...scenarios],
  };
  const runMeter = new Meter(pid);

  // Senders and the admin first: they are not part of N.
  const extra = await connectMany(cfg, [cfg.admin, ...cfg.senders], false, deadline);
  if (extra.sockets.some((s) => !s)) throw new Error(`sender connect failed: ${JSON.stringify(extra.errors)}`);
  const [admin, ...senders] = extra.sockets;
  await settle(cfg);

  const rssBefore = readRssKb(pid);
  const connectMeter = new Meter(pid);
  const t0 = performance.now();
  const conn = await connectMany(cfg, cfg.receivers, true, deadline);
  const connectSeconds = (performance.now() - t0) / 1000;
  const connectCpu = connectMeter.stop();
  const receivers = conn.sockets;
  const connected = receivers.filter(Boolean).length;
  log(`${connected}/${cfg.receivers.length} connected in ${connectSeconds.toFixed(2)} s`);
  out.connect = {
    clients: cfg.receivers.length,
    connected,
    failed: cfg.receivers.length - connected,
    errors: conn.errors,
    concurrency: cfg.connectConcurrency,
    seconds: round(connectSeconds, 3),
    per_s: round(connected / connectSeconds, 1),
    handshake: summarize(conn.times),
    cpu: connectCpu,
  };
  const settledMs = await settle(cfg);
  const rssAfter = readRssKb(pid);
  // Until the server has also finished what the wave set off (presence broadcasts): the rate at
  // which a wave of N clients is connected, authenticated and announced.
  const drainedSeconds = connectSeconds + Math.max(0, settledMs - cfg.settleQuietMs) / 1000;
  out.connect.until_quiet_per_s = round(connected / drainedSeconds, 1);
  out.idle_rss = {
    settle_ms: settledMs,
    settle_quiet_ms: cfg.settleQuietMs,
    settled: settledMs < cfg.settleMaxMs,
    before_kb: rssBefore,
    after_kb: rssAfter,
    per_connection_kb: connected > 0 ? round((rssAfter - rssBefore) / connected, 2) : null,
  };

  if (connected > 0 && scenarios.has("hold")) {
    out.hold = await holdUntilStdinCloses(receivers);
  }
  if (connected > 0 && scenarios.has("latency")) {
    log("single broadcast latency");
    out.latency = await singleBroadcastLatency(cfg, admin, receivers);
    await settle(cfg);
  }
  if (connected > 0 && scenarios.has("fanout")) {
    log(`fan-out blast: ${cfg.broadcasts} broadcasts to ${connected}`);
    out.fanout = await fanoutBlast(cfg, admin, receivers, pid);
    log(`fan-out: ${out.fanout.deliveries_per_s} deliveries/s`);
    await settle(cfg);
  }
  if (connected > 0 && scenarios.has("direct")) {
    log("direct notifications at a rising rate");
    out.direct = await directRising(cfg, senders, receivers, pid, deadline);
  }
  out.server_rss_end_kb = readRssKb(pid);
  out.cpu = runMeter.stop();
  for (const s of [...extra.sockets, ...receivers]) if (s) s.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`[loadgen] failed: ${err && err.stack ? err.stack : err}\n`);
      process.exit(1);
    },
  );
}

module.exports = { DEFAULTS, searchDirect, Meter, log, readRssKb, round, settle, sleep, state, summarize };
