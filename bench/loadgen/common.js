// What every part of the load generator shares: the clock its bench messages carry, CPU and RSS
// read from /proc, latency summaries, and waiting for a quiet moment.

"use strict";

const fs = require("fs");
const { performance } = require("perf_hooks");

const CLK_TCK = 100; // Linux USER_HZ; /proc/PID/stat counts CPU time in these ticks

function log(...args) {
  process.stderr.write(`[loadgen] ${args.join(" ")}\n`);
}

// Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, the same in every process):
// a notification sent by one load generator process and received by another is timed on one clock.
function clock() {
  return Number(process.hrtime.bigint()) / 1e6;
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

// The latencies several load generator processes measured, as one distribution: the summary of
// all of them together (percentiles of the union, never an average of each part's percentiles).
function concatLatencies(parts) {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const all = new Float64Array(total);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function round(x, digits) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

class Meter {
  // CPU of the server and of the load generator (this process and its workers' `pids`) over one phase.
  constructor(pid, pids = []) {
    this.pid = pid;
    this.pids = pids;
    this.server0 = readCpuSeconds(pid);
    this.self0 = this.loadgenCpu();
    this.busy0 = busyCpuSeconds();
    this.t0 = performance.now();
  }
  loadgenCpu() {
    return this.pids.reduce((sum, p) => sum + readCpuSeconds(p), selfCpuSeconds());
  }
  stop() {
    const wall = (performance.now() - this.t0) / 1000;
    const server = readCpuSeconds(this.pid) - this.server0;
    const self = this.loadgenCpu() - this.self0;
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

// When a packet last arrived in this process (receivers' handlers set it).
const state = {
  lastPacketAt: performance.now(),
};

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

module.exports = {
  Meter,
  clock,
  concatLatencies,
  log,
  readRssKb,
  round,
  settle,
  sleep,
  state,
  summarize,
};
