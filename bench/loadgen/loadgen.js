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
//   loadgens       how many processes hold the clients (default 1: this one). With K > 1, K worker
//                  processes (workers.js) each hold a contiguous slice of the receivers and of the
//                  senders; this process holds the admin, starts every phase in all of them at once
//                  and merges what they measured (latencies as one distribution, counts and CPU summed)
//   ...            tuning and the run's two time budgets (budget.js): see DEFAULTS below
//
// Every notification the generator sends carries "bench|<tag>|<seq>|<sent at, ms>" as its message,
// the time on the machine's monotonic clock, the same in every process, so a broadcast sent here and
// received in a worker is timed on one clock. A direct notification goes from a part's senders to
// that part's own receivers, each part offering its share of the step's rate.
// Prints one JSON object with the results on stdout; progress goes to stderr.

"use strict";

const fs = require("fs");
const os = require("os");
const { performance } = require("perf_hooks");
const common = require("./common");
const { benchMessage, connectOne } = require("./clients");
const { startParts } = require("./workers");
const { Budget, Unmeasured, notePhases, noteWave } = require("./budget");
const { directRising, mergeStep, searchDirect } = require("./direct");
const { collectAll, mergeErrors, settleAll, sum, whenAllComplete } = require("./merge");

const { Meter, clock, concatLatencies, log, readRssKb, round, summarize } = common;

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
  connectBudgetMs: 600000, // the connect wave of the N receivers (bench/run.py: 60 s + 25 s × (N / 1,000)²)
  phaseBudgetMs: 900000, // the scenarios after the wave, together (see budget.js)
  ack: false, // hub: receivers ack what they get, as the tray app does (auth.last_id, then `ack`)
  loadgens: 1, // processes holding the clients
};

// ------------------------------------------------------------------ scenarios

// Keep the receivers connected until standard input closes (bench/hostile.py closes it when it has
// measured what it wanted meanwhile), counting the connections the server dropped.
async function holdUntilStdinCloses(parts) {
  const held = sum(await Promise.all(parts.map((p) => p.call("holdStart"))));
  log(`holding ${held} connections`);
  const t0 = performance.now();
  await new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  const dropped = sum(await Promise.all(parts.map((p) => p.call("holdEnd"))));
  return { seconds: round((performance.now() - t0) / 1000, 1), dropped };
}

async function singleBroadcastLatency(cfg, admin, parts, n, budget) {
  // One broadcast at a time, while the phase budget lasts.
  const completions = [];
  let incomplete = 0;
  let sent = 0;
  await Promise.all(parts.map((p) => p.call("track", "l", cfg.latencyBroadcasts)));
  const reachedAll = whenAllComplete(parts, "l");
  const pauses = [];
  for (let seq = 0; seq < cfg.latencyBroadcasts && !budget.spent(); seq++) {
    sent += 1;
    await Promise.all(parts.map((p) => p.call("pausesReset")));
    const sentAt = clock();
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), cfg.broadcastTimeoutMs);
    });
    const done = Promise.race([reachedAll(seq), timeout]);
    admin.emit("broadcast", { message: benchMessage("l", seq), type: "info" });
    const lastAt = await done;
    clearTimeout(timer);
    if (lastAt !== null) completions.push(lastAt - sentAt);
    else incomplete += 1;
    const got = await Promise.all(parts.map((p) => p.call("pausesNow")));
    pauses.push({
      loop_delay_max_ms: Math.max(...got.map((g) => g.loop_delay_max_ms)),
      gc_ms: round(sum(got.map((g) => g.gc_ms)), 1),
      gc_longest_ms: Math.max(...got.map((g) => g.gc_longest_ms)),
      pings: sum(got.map((g) => g.pings)),
      cpu_ms: round(sum(got.map((g) => g.cpu_ms)), 1),
    });
  }
  const got = await collectAll(parts, "l");
  const c = summarize(completions);
  return {
    broadcasts: sent,
    broadcasts_planned: cfg.latencyBroadcasts,
    receivers: n,
    incomplete,
    delivery: summarize(got.latencies),
    all_delivered_p50_ms: c.p50_ms,
    all_delivered_max_ms: c.max_ms,
    // each broadcast's, in the order sent: whether one slow broadcast makes the p99
    all_delivered_ms: completions.map((ms) => round(ms, 1)),
    // the load generators' own pauses during each broadcast (as a direct step's loadgen_pauses)
    loadgen_pauses: pauses,
  };
}

async function fanoutBlast(cfg, admin, parts, n, meter, budget) {
  const m = cfg.broadcasts;
  let sent = 0;
  let completed = 0;
  let firstSend = 0;
  await Promise.all(parts.map((p) => p.call("track", "f", m)));
  const reachedAll = whenAllComplete(parts, "f");
  const phaseStart = performance.now();
  const result = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.min(cfg.fanoutMaxMs, budget.remainingMs()));
    const sendMore = () => {
      while (sent < m && (cfg.window <= 0 || sent - completed < cfg.window)) {
        if (sent === 0) firstSend = clock();
        admin.emit("broadcast", { message: benchMessage("f", sent), type: "info" });
        reachedAll(sent).then(() => {
          completed += 1;
          if (completed === m) {
            clearTimeout(timer);
            resolve(true);
          } else sendMore();
        });
        sent += 1;
      }
    };
    sendMore();
  });
  const cpu = meter.stop();
  const got = await collectAll(parts, "f");
  const delivered = got.delivered;
  const seconds = (got.lastAt - firstSend) / 1000;
  const expected = n * m;
  return {
    broadcasts: m,
    receivers: n,
    window: cfg.window,
    completed: result,
    completed_broadcasts: completed,
    deliveries: delivered,
    expected_deliveries: expected,
    seconds: round(seconds, 3),
    deliveries_per_s: seconds > 0 ? Math.round(delivered / seconds) : null,
    latency: summarize(got.latencies.subarray(0, Math.min(delivered, expected))),
    server_cpu_us_per_delivery: delivered > 0 ? round((cpu.server_cpu_s * 1e6) / delivered, 2) : null,
    loadgen_cpu_us_per_delivery: delivered > 0 ? round((cpu.loadgen_cpu_s * 1e6) / delivered, 2) : null,
    phase_ms: round(performance.now() - phaseStart, 1),
    cpu,
  };
}

// ------------------------------------------------------------------ main

async function connectWave(cfg, parts, pid, pids, deadline) {
  // The N receivers, at most connectConcurrency attempts in flight over all parts.
  const concurrency = Math.max(1, Math.round(cfg.connectConcurrency / parts.length));
  const meter = new Meter(pid, pids);
  const t0 = performance.now();
  const got = await Promise.all(parts.map((p) => p.call("connectReceivers", concurrency, deadline - t0)));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = meter.stop();
  got.forEach((g, k) => (parts[k].receivers = g.connected));
  const connected = sum(got.map((g) => g.connected));
  log(`${connected}/${cfg.receivers.length} connected in ${seconds.toFixed(2)} s`);
  return {
    clients: cfg.receivers.length,
    connected,
    failed: cfg.receivers.length - connected,
    errors: mergeErrors(got.map((g) => g.errors)),
    concurrency: cfg.connectConcurrency,
    seconds: round(seconds, 3),
    per_s: connected > 0 ? round(connected / seconds, 1) : null, // none connected: no rate, not zero
    handshake: summarize(concatLatencies(got.map((g) => Float64Array.from(g.times)))),
    cpu,
  };
}

async function run(cfg, parts, admin, out) {
  const scenarios = new Set(cfg.scenarios);
  const pid = cfg.serverPid;
  const pids = parts.map((p) => p.pid).filter(Boolean);
  const notes = new Unmeasured();
  out.unmeasured = notes.list;
  const runMeter = new Meter(pid, pids);

  // Senders (and the admin, connected by the caller) first: they are not part of N, nor of the
  // wave's budget (each has connectTimeoutMs).
  const concurrency = Math.max(1, Math.round(cfg.connectConcurrency / parts.length));
  const senders = await Promise.all(parts.map((p) => p.call("connectSenders", concurrency, cfg.connectTimeoutMs)));
  if (sum(senders.map((s) => s.connected)) < cfg.senders.length) {
    throw new Error(`sender connect failed: ${JSON.stringify(mergeErrors(senders.map((s) => s.errors)))}`);
  }
  await settleAll(parts);

  const rssBefore = readRssKb(pid);
  const connectBudget = new Budget(cfg.connectBudgetMs);
  out.connect = await connectWave(cfg, parts, pid, pids, connectBudget.deadline);
  out.connect.budget_s = round(connectBudget.ms / 1000, 1);
  noteWave(notes, cfg, out.connect, connectBudget);
  const connected = out.connect.connected;
  const settledMs = await settleAll(parts);
  const rssAfter = readRssKb(pid);
  // Until the server has also finished what the wave set off (presence broadcasts): the rate at
  // which a wave of N clients is connected, authenticated and announced.
  const drainedSeconds = out.connect.seconds + Math.max(0, settledMs - cfg.settleQuietMs) / 1000;
  out.connect.until_quiet_per_s = connected > 0 ? round(connected / drainedSeconds, 1) : null;
  out.idle_rss = {
    settle_ms: settledMs,
    settle_quiet_ms: cfg.settleQuietMs,
    settled: settledMs < cfg.settleMaxMs,
    before_kb: rssBefore,
    after_kb: rssAfter,
    per_connection_kb: connected > 0 ? round((rssAfter - rssBefore) / connected, 2) : null,
  };
  if (!out.idle_rss.settled) {
    notes.add("idle_rss", `packets still arrived ${cfg.settleMaxMs / 1000} s after the wave (settleMaxMs): RSS read before the server was idle`);
  }

  const phaseBudget = new Budget(cfg.phaseBudgetMs);
  out.phase_budget_s = round(phaseBudget.ms / 1000, 1);
  if (connected > 0 && scenarios.has("hold")) {
    out.hold = await holdUntilStdinCloses(parts);
  }
  if (connected > 0 && scenarios.has("latency")) {
    log("single broadcast latency");
    out.latency = await singleBroadcastLatency(cfg, admin, parts, connected, phaseBudget);
    await settleAll(parts);
  }
  if (connected > 0 && scenarios.has("fanout")) {
    log(`fan-out blast: ${cfg.broadcasts} broadcasts to ${connected}`);
    out.fanout = await fanoutBlast(cfg, admin, parts, connected, new Meter(pid, pids), phaseBudget);
    log(`fan-out: ${out.fanout.deliveries_per_s} deliveries/s`);
    await settleAll(parts);
  }
  if (connected > 0 && scenarios.has("direct")) {
    log("direct notifications at a rising rate");
    out.direct = await directRising(cfg, parts, pid, pids, phaseBudget.deadline);
  }
  notePhases(notes, out, scenarios, connected, phaseBudget);
  out.server_rss_end_kb = readRssKb(pid);
  out.cpu = runMeter.stop();
}

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
  const loadgens = Math.max(1, Math.floor(cfg.loadgens));
  const out = {
    kind: cfg.kind,
    n: cfg.receivers.length,
    node: process.version,
    host_cpus: os.cpus().length,
    scenarios: [...new Set(cfg.scenarios)],
    loadgens,
  };
  const parts = await startParts(cfg, loadgens);
  let admin = null;
  try {
    const a = await connectOne(cfg, cfg.admin, null);
    if (!a.socket) throw new Error(`sender connect failed: ${a.error}`);
    admin = a.socket;
    await run(cfg, parts, admin, out);
  } finally {
    if (admin) admin.close();
    await Promise.all(parts.map((p) => p.stop()));
  }
  out.loadgen_receivers = parts.map((p) => p.receivers);
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

// storm.js shares the helpers; tests/bench drive searchDirect and mergeStep.
module.exports = { ...common, DEFAULTS, mergeStep, searchDirect };
