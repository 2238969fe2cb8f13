// A generic driver for the official Socket.IO JavaScript client, run by tests/js/test_js_client.py.
//
//   node client.mjs [NAME] ['[STEP, ...]']
//
// Steps come from argv (a JSON array, run first) and then from stdin, one JSON step (or array of
// steps) per line, run one after another. Everything the client observes is printed to stdout as
// one JSON object per line:
//
//   {"type": "connect", "id": ..., "transport": "websocket"}
//   {"type": "connect_error", "message": ..., "data": ...}     (err.data: what the server sent)
//   {"type": "open", "transport": "polling"}                   (the Engine.IO connection opened)
//   {"type": "upgrade", "transport": "websocket"}               (polling -> websocket)
//   {"type": "event", "event": NAME, "args": [...]}             (every event the server emits)
//   {"type": "ack", "tag": ..., "event": ..., "args": [...]}    (emitWithAck / emit with ack)
//   {"type": "disconnect", "reason": ...}
//   {"type": "waited", "tag": ..., "event": ..., "args": [...]} (a `wait` step was satisfied)
//   {"type": "mark", "tag": ...}                                (a `mark` step was reached)
//   {"type": "timeout", "step": {...}}                          (then the process exits with 3)
//   {"type": "exit", "code": N}
//
// Steps:
//   {"op": "connect", "url": U, "auth"?: {...}, "transports"?: [...], "wait"?: true, "timeout"?: ms}
//        io(U, {auth, transports, reconnection: false, forceNew: true}); with wait (the default) the
//        step ends at `connect` or `connect_error`; with "wait": false it returns at once, so the next
//        emits are buffered by the client exactly as in the seed guide (`io()` then `emit`).
//   {"op": "emit", "event": E, "args"?: [...], "ack"?: false, "tag"?: T}   emit; with "ack": true a
//        callback is passed and its answer printed as an `ack` line (the step does not wait for it).
//   {"op": "emitWithAck", "event": E, "args"?: [...], "tag"?: T, "timeout"?: ms}  await the ack.
//   {"op": "wait", "event": E, "match"?: {...}, "tag"?: T, "timeout"?: ms}  the next event E not yet
//        taken by an earlier wait whose first argument contains `match` (a deep subset).
//   {"op": "mark", "tag": T}      {"op": "disconnect"}      {"op": "exit", "code"?: 0}
//   {"op": "closeWebsocket", "code"?: 1001}   close the websocket with a close frame and no
//        Socket.IO goodbye, as a browser does when its tab closes.
//
// Every wait is bounded (default 10 s per step) and the whole run is bounded too (env
// JS_DRIVER_DEADLINE_MS, default 60 s): the process always exits by itself.

import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const STEP_TIMEOUT_MS = 10_000;
const DEADLINE_MS = Number(process.env.JS_DRIVER_DEADLINE_MS || 60_000);
const name = process.argv[2] || "js";

let socket = null;
const received = []; // [{event, args, taken}]
const waiters = new Set(); // functions called on each new event

function out(line) {
  process.stdout.write(JSON.stringify({ client: name, ...line }) + "\n");
}

function finish(code) {
  if (socket) {
    socket.disconnect();
  }
  out({ type: "exit", code });
  process.exit(code);
}

setTimeout(() => {
  out({ type: "timeout", step: { op: "deadline", ms: DEADLINE_MS } });
  finish(3);
}, DEADLINE_MS);

function contains(actual, expected) {
  if (expected === null || typeof expected !== "object") {
    return actual === expected;
  }
  if (actual === null || typeof actual !== "object") {
    return false;
  }
  return Object.entries(expected).every(([key, value]) => contains(actual[key], value));
}

function withTimeout(promise, ms, step) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { step })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function connect(step) {
  const options = { reconnection: false, forceNew: true, timeout: step.timeout ?? STEP_TIMEOUT_MS };
  if (step.auth !== undefined) {
    options.auth = step.auth;
  }
  if (step.transports !== undefined) {
    options.transports = step.transports;
  }
  socket = io(step.url, options);
  socket.onAny((event, ...args) => {
    received.push({ event, args, taken: false });
    out({ type: "event", event, args });
    for (const waiter of [...waiters]) {
      waiter();
    }
  });
  socket.on("disconnect", (reason) => out({ type: "disconnect", reason }));
  socket.io.on("open", () => {
    out({ type: "open", transport: socket.io.engine.transport.name });
    socket.io.engine.on("upgrade", (transport) => out({ type: "upgrade", transport: transport.name }));
  });
  const settled = new Promise((resolve) => {
    socket.on("connect", () => {
      out({ type: "connect", id: socket.id, transport: socket.io.engine.transport.name });
      resolve();
    });
    socket.on("connect_error", (err) => {
      out({ type: "connect_error", message: err.message, data: err.data ?? null });
      resolve();
    });
  });
  return step.wait === false ? Promise.resolve() : withTimeout(settled, options.timeout + 1_000, step);
}

function wait(step) {
  const take = () => {
    const found = received.find((r) => !r.taken && r.event === step.event && contains(r.args[0], step.match ?? {}));
    if (found) {
      found.taken = true;
      out({ type: "waited", tag: step.tag ?? null, event: found.event, args: found.args });
    }
    return found !== undefined;
  };
  if (take()) {
    return Promise.resolve();
  }
  let waiter;
  const done = new Promise((resolve) => {
    waiter = () => {
      if (take()) {
        resolve();
      }
    };
    waiters.add(waiter);
  });
  return withTimeout(done, step.timeout ?? STEP_TIMEOUT_MS, step).finally(() => waiters.delete(waiter));
}

function needSocket(step) {
  if (!socket) {
    throw Object.assign(new Error(`step ${step.op} needs a connect step first`), { step });
  }
  return socket;
}

async function run(step) {
  switch (step.op) {
    case "connect":
      return connect(step);
    case "emit": {
      const args = step.args ?? [];
      if (step.ack) {
        needSocket(step).emit(step.event, ...args, (...answer) =>
          out({ type: "ack", tag: step.tag ?? null, event: step.event, args: answer }),
        );
      } else {
        needSocket(step).emit(step.event, ...args);
      }
      return undefined;
    }
    case "emitWithAck": {
      const ms = step.timeout ?? STEP_TIMEOUT_MS;
      try {
        const answer = await needSocket(step)
          .timeout(ms)
          .emitWithAck(step.event, ...(step.args ?? []));
        out({ type: "ack", tag: step.tag ?? null, event: step.event, args: [answer] });
      } catch (err) {
        throw Object.assign(err, { step });
      }
      return undefined;
    }
    case "wait":
      return wait(step);
    case "mark":
      out({ type: "mark", tag: step.tag ?? null });
      return undefined;
    case "disconnect":
      needSocket(step).disconnect();
      return undefined;
    case "closeWebsocket":
      needSocket(step).io.engine.transport.ws.close(step.code ?? 1001);
      return undefined;
    case "exit":
      return finish(step.code ?? 0);
    default:
      throw Object.assign(new Error(`unknown step ${JSON.stringify(step.op)}`), { step });
  }
}

let chain = Promise.resolve();

function enqueue(steps) {
  for (const step of Array.isArray(steps) ? steps : [steps]) {
    chain = chain.then(() => run(step));
  }
  chain = chain.catch((err) => {
    if (err.message === "timeout" || /timed out/.test(err.message)) {
      out({ type: "timeout", step: err.step ?? null });
      finish(3);
    }
    out({ type: "failure", message: String(err.message), step: err.step ?? null });
    finish(2);
  });
}

if (process.argv[3]) {
  enqueue(JSON.parse(process.argv[3]));
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (line.trim()) {
    enqueue(JSON.parse(line));
  }
});
lines.on("close", () => {
  chain = chain.then(() => finish(0));
});
