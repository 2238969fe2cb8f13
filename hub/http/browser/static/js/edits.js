// Updates and retractions by key (docs/protocol.md, "Update and retract by key"): a notification
// that `replaces` one this browser holds takes its place in the inbox (marked edited) and in its
// toast, if one still shows it; a `retracted` event takes the notifications it names away from the
// inbox and closes their toasts. The workspace applies them (workspace.js); this reads the wire.

/** The key fields of a delivered notification: `key`, `replaces` (an earlier version's id) and `edited`. */
export function keyFromWire(data) {
  const replaces = Number.isSafeInteger(data.replaces) && data.replaces > 0 ? data.replaces : null;
  return {
    key: typeof data.key === "string" ? data.key : null,
    replaces,
    edited: replaces !== null && data.edited === true,
  };
}

/** A `retracted` event in the app's shape, or null when it is not one. */
export function retractionFromWire(data) {
  if (typeof data !== "object" || data === null || !Number.isSafeInteger(data.id) || data.id < 1
    || !Array.isArray(data.retracts) || !data.retracts.every((id) => Number.isSafeInteger(id))) {
    return null;
  }
  return {
    id: data.id,
    key: typeof data.key === "string" ? data.key : "",
    retracts: data.retracts,
    from: typeof data.from === "string" ? data.from : "",
    room: typeof data.room === "string" ? data.room : null,
  };
}
