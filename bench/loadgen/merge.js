// The load generator's parts (worker processes, or this one), merged: counts summed, the longest
// wait, broadcasts complete once every part has seen them reach all of its receivers.

"use strict";

const { concatLatencies } = require("./common");

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

function mergeErrors(list) {
  const errors = {};
  for (const e of list) for (const [k, v] of Object.entries(e)) errors[k] = (errors[k] || 0) + v;
  return errors;
}

async function settleAll(parts) {
  // Every part quiet (its own receivers heard nothing for settleQuietMs): the longest wait.
  return Math.max(...(await Promise.all(parts.map((p) => p.call("settle")))));
}

function whenAllComplete(parts, tag) {
  // For broadcasts tracked under `tag`: wait(seq) resolves to the time the last part saw the
  // broadcast reach all of its receivers (a part with no receivers has nothing to wait for).
  const active = parts.filter((p) => p.receivers > 0).length;
  const seen = new Map(); // seq -> {count, lastAt, resolve}
  const entry = (seq) => {
    if (!seen.has(seq)) seen.set(seq, { count: 0, lastAt: 0, resolve: null });
    return seen.get(seq);
  };
  for (const p of parts) {
    p.onComplete = (t, seq, at) => {
      if (t !== tag) return;
      const e = entry(seq);
      e.count += 1;
      e.lastAt = Math.max(e.lastAt, at);
      if (e.count === active && e.resolve) e.resolve(e.lastAt);
    };
  }
  return (seq) =>
    new Promise((resolve) => {
      const e = entry(seq);
      if (e.count === active) resolve(e.lastAt);
      else e.resolve = resolve;
    });
}

async function collectAll(parts, tag) {
  const got = await Promise.all(parts.map((p) => p.call("collect", tag)));
  return {
    latencies: concatLatencies(got.map((g) => g.latencies)),
    delivered: sum(got.map((g) => g.delivered)),
    lastAt: Math.max(0, ...got.map((g) => g.lastAt)),
  };
}

module.exports = { collectAll, mergeErrors, settleAll, sum, whenAllComplete };
