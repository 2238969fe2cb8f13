// The direct scenario: steps at a rising rate, each from every part's senders to its own receivers,
// until one fails (p99 over the limit or a notification lost); the figure is the best step passed.

"use strict";

const { performance } = require("perf_hooks");
const { Meter, concatLatencies, log, round, summarize } = require("./common");
const { settleAll, sum } = require("./merge");

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
  // the steps, the best one, the lowest failing rate above it, how many steps were run again,
  // whether the search ended by itself, and what ended it: "search", "max_steps" or "deadline".
  const steps = [];
  let plan = { rate: cfg.directStartRate, best: null, descending: false, reruns: 0, done: false };
  let noiseReruns = 0;
  let endedBy = "search";
  for (let i = 0; !plan.done; i++) {
    if (i >= cfg.directMaxSteps) {
      endedBy = "max_steps";
      break;
    }
    if (performance.now() >= deadline) {
      endedBy = "deadline";
      break;
    }
    const step = await runStep(plan.rate, i);
    steps.push(step);
    const next = planDirect(cfg, plan, step);
    if (next.reruns > plan.reruns) {
      step.rerun = true;
      noiseReruns += 1;
    }
    const pauses = step.loadgen_pauses;
    log(
      `direct ${step.offered_per_s}/s: p99 ${step.latency.p99_ms} ms, lost ${step.lost}` +
        (pauses
          ? ` (load generator: loop delay up to ${pauses.loop_delay_max_ms} ms, gc up to ${pauses.gc_longest_ms} ms,` +
            ` ${pauses.pings} pings)`
          : "") +
        (step.rerun ? `; other processes used ${step.cpu.other_cpu_util} of a core: running it again` : ""),
    );
    plan = next;
  }
  const found = firstFailing(steps, plan.best);
  return { steps, best: plan.best, firstFailing: found, noiseReruns, done: plan.done, endedBy };
}

function mergeStep(cfg, rate, got, cpu) {
  // One direct step from what each part measured: counts summed, latencies as one distribution.
  const sent = sum(got.map((g) => g.sent));
  const delivered = sum(got.map((g) => g.delivered));
  const sendSeconds = Math.max(...got.map((g) => g.send_seconds));
  const s = summarize(concatLatencies(got.map((g) => g.latencies)));
  const lost = sent - delivered;
  const step = {
    offered_per_s: Math.round(rate),
    // Wall-clock milliseconds, sending started and the drain ended: to line up with the hub's probe.
    started_at_ms: Math.min(...got.map((g) => g.started_at_ms)),
    ended_at_ms: Math.max(...got.map((g) => g.ended_at_ms)),
    sent,
    delivered,
    lost,
    drained: got.every((g) => g.drained),
    send_seconds: round(sendSeconds, 3),
    achieved_per_s: Math.round(delivered / Math.max(sendSeconds, 1e-9)),
    latency: s,
    passed: lost === 0 && s.p99_ms !== null && s.p99_ms <= cfg.directP99LimitMs,
    server_cpu_us_per_notification: delivered > 0 ? round((cpu.server_cpu_s * 1e6) / delivered, 2) : null,
    cpu,
    // The load generators' own pauses over the step: the longest event-loop delay and collection.
    loadgen_pauses: {
      loop_delay_max_ms: Math.max(...got.map((g) => g.pauses.loop_delay_max_ms)),
      gc_ms: round(sum(got.map((g) => g.pauses.gc_ms)), 1),
      gc_longest_ms: Math.max(...got.map((g) => g.pauses.gc_longest_ms)),
      pings: sum(got.map((g) => g.pauses.pings)),
    },
  };
  if (got.length > 1) {
    step.parts = got.map((g) => ({ sent: g.sent, delivered: g.delivered, latency: summarize(g.latencies), ...g.pauses }));
  }
  return step;
}

async function directRising(cfg, parts, pid, pids, deadline) {
  const active = parts.filter((p) => p.receivers > 0);
  const search = await searchDirect(cfg, deadline, async (rate, i) => {
    const meter = new Meter(pid, pids);
    const got = await Promise.all(active.map((p) => p.call("direct", rate / active.length, i)));
    const step = mergeStep(cfg, rate, got, meter.stop());
    await settleAll(parts);
    return step;
  });
  const { steps, best } = search;
  return {
    p99_limit_ms: cfg.directP99LimitMs,
    step_ms: cfg.directStepMs,
    factor: cfg.directFactor,
    senders: cfg.senders.length,
    targets: sum(active.map((p) => p.receivers)),
    // null when no step ran (the phase budget was spent first): not measured, not zero.
    max_sustained_per_s: steps.length === 0 ? null : best ? best.offered_per_s : 0,
    achieved_at_max_per_s: best ? best.achieved_per_s : 0,
    latency_at_max: best ? best.latency : null,
    server_cpu_us_per_notification: best ? best.server_cpu_us_per_notification : null,
    first_failing_per_s: search.firstFailing,
    noise_reruns: search.noiseReruns,
    // "search" (it found its figure), "max_steps" (directMaxSteps ran) or "deadline" (the phase budget ran out)
    ended_by: search.endedBy,
    steps,
  };
}

module.exports = { directRising, mergeStep, searchDirect };
