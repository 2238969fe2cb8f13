// The load generator's time budgets, and what a run could not measure.
//
// A run has two budgets, each from when its part starts:
//   connectBudgetMs  the connect wave of the N receivers (not the senders, connected before it). The
//                    seed guide's server tells every client of every new user, so its wave costs
//                    O(N²) and takes minutes at N = 5,000 and more (bench/run.py scales it with N²).
//   phaseBudgetMs    the scenarios after the wave has settled (latency, fan-out, direct), together.
// What a budget cut short, or a scenario that could not run, goes into the run's JSON as
// `unmeasured` ([{scenario, reason}]) and onto standard error: never a silent zero.

"use strict";

const { performance } = require("perf_hooks");
const { log, round } = require("./common");

class Budget {
  constructor(ms) {
    this.ms = ms;
    this.deadline = performance.now() + ms;
  }

  remainingMs() {
    return Math.max(0, this.deadline - performance.now());
  }

  spent() {
    return performance.now() >= this.deadline;
  }

  describe(what) {
    return `the ${what} budget of ${round(this.ms / 1000, 1)} s (bench.run --${what}-budget)`;
  }
}

class Unmeasured {
  constructor() {
    this.list = [];
  }

  add(scenario, reason) {
    this.list.push({ scenario, reason });
    log(`NOT MEASURED in full: ${scenario}: ${reason}`);
  }
}

function noteWave(notes, cfg, connect, budget) {
  // A wave that did not connect all N: why, and that what follows measured fewer clients.
  const n = cfg.receivers.length;
  if (connect.connected === n) return;
  const why = budget.spent()
    ? `${budget.describe("connect")} ran out`
    : `${connect.failed} failed: ${JSON.stringify(connect.errors)}`;
  const then = connect.connected > 0 ? `; the scenarios after it ran with ${connect.connected} receivers` : "";
  notes.add("connect", `${connect.connected} of ${n} receivers connected in ${connect.seconds} s: ${why}${then}`);
}

function notePhases(notes, out, scenarios, connected, budget) {
  // Each scenario asked for that measured nothing, or only part of what it should have.
  const cut = budget.describe("phase");
  for (const name of ["latency", "fanout", "direct"]) {
    if (!scenarios.has(name)) continue;
    if (connected === 0) notes.add(name, "not run: no receiver connected");
  }
  const { latency, fanout, direct } = out;
  if (latency && latency.broadcasts < latency.broadcasts_planned) {
    notes.add("latency", `${latency.broadcasts} of ${latency.broadcasts_planned} broadcasts sent before ${cut} ran out`);
  }
  if (fanout && !fanout.completed) {
    const why = budget.spent() ? `${cut} ran out` : `fanoutMaxMs passed`;
    notes.add("fanout", `${fanout.completed_broadcasts} of ${fanout.broadcasts} broadcasts reached everyone: ${why}`);
  }
  if (direct && direct.ended_by === "deadline") {
    const reason =
      direct.steps.length === 0
        ? `no step ran: ${cut} was spent before it`
        : `the search stopped after ${direct.steps.length} steps when ${cut} ran out: the figure is the best rate passed by then`;
    notes.add("direct", reason);
  }
}

module.exports = { Budget, Unmeasured, notePhases, noteWave };
