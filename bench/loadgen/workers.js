// The parts of a load generator run: one in loadgen.js's own process, or several worker processes
// (each its own event loop and collector), each holding a slice of the receivers and senders.
// loadgen.js calls every part the same way: `await part.call(op, ...args)`, where op is one of
// Clients' methods; `part.onComplete(tag, seq, at)` hears when a tracked broadcast reached all of
// the part's receivers.

"use strict";

const { fork } = require("child_process");
const { Clients } = require("./clients");

const WORKER_FLAG = "--worker";

class LocalPart {
  constructor(cfg) {
    this.pid = null; // this process: its CPU is counted as the load generator's own
    this.onComplete = () => {};
    this.receivers = 0; // connected, once the wave is in
    this.clients = new Clients(cfg, (tag, seq, at) => this.onComplete(tag, seq, at));
  }
  async call(op, ...args) {
    return this.clients[op](...args);
  }
  async stop() {
    this.clients.close();
  }
}

class ForkedPart {
  constructor(cfg, index) {
    this.onComplete = () => {};
    this.receivers = 0; // connected, once the wave is in
    this.pending = new Map();
    this.nextId = 1;
    this.exited = null;
    this.child = fork(__filename, [WORKER_FLAG, String(index)], {
      serialization: "advanced", // latencies travel as Float64Arrays, not JSON
      stdio: ["ignore", "ignore", "inherit", "ipc"], // stdout is loadgen.js's, for its JSON alone
    });
    this.pid = this.child.pid;
    this.child.on("message", (msg) => this.receive(msg));
    this.child.on("exit", (code, signal) => {
      this.exited = new Error(`load generator worker ${index} exited (${signal || code})`);
      for (const { reject } of this.pending.values()) reject(this.exited);
      this.pending.clear();
    });
    this.ready = this.call("init", cfg);
  }
  receive(msg) {
    if (msg.event === "complete") {
      this.onComplete(msg.tag, msg.seq, msg.at);
      return;
    }
    const waiter = this.pending.get(msg.id);
    if (!waiter) return;
    this.pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(msg.error));
    else waiter.resolve(msg.result);
  }
  call(op, ...args) {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, op, args });
    });
  }
  async stop() {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.send({ id: 0, op: "exit", args: [] });
    await gone;
  }
}

function share(list, k, parts) {
  // The k-th of `parts` contiguous slices of list, as even as can be.
  const from = Math.floor((k * list.length) / parts);
  const to = Math.floor(((k + 1) * list.length) / parts);
  return list.slice(from, to);
}

async function startParts(cfg, count) {
  // `count` parts, each with its slice of the receivers and of the senders.
  if (count <= 1) return [new LocalPart(cfg)];
  if (cfg.senders.length > 0 && cfg.senders.length < count) {
    throw new Error(`${count} load generators need at least ${count} senders, not ${cfg.senders.length}`);
  }
  const parts = [];
  for (let k = 0; k < count; k++) {
    const mine = { ...cfg, receivers: share(cfg.receivers, k, count), senders: share(cfg.senders, k, count) };
    parts.push(new ForkedPart(mine, k));
  }
  await Promise.all(parts.map((p) => p.ready));
  return parts;
}

function workerMain(index) {
  // A worker process: runs what the parent asks of its Clients, and says when a tracked
  // broadcast has reached all of its receivers.
  let clients = null;
  const onComplete = (tag, seq, at) => process.send({ event: "complete", tag, seq, at });
  process.on("disconnect", () => process.exit(1)); // the parent is gone
  process.on("message", async ({ id, op, args }) => {
    if (op === "exit") {
      if (clients) clients.close();
      process.disconnect();
      process.exit(0);
    }
    try {
      let result;
      if (op === "init") {
        clients = new Clients(args[0], onComplete);
        process.title = `loadgen-worker-${index}`;
        result = process.pid;
      } else {
        result = await clients[op](...args);
      }
      process.send({ id, result });
    } catch (err) {
      process.send({ id, error: String(err && err.stack ? err.stack : err) });
    }
  });
}

if (require.main === module && process.argv[2] === WORKER_FLAG) workerMain(Number(process.argv[3]));

module.exports = { startParts };
