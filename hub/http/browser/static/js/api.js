// The hub's HTTP API, as docs/protocol.md documents it: sign-in, sign-out, the inbox, receipts and
// scheduled sends. Nothing private: these are the endpoints any client uses.

/** A refusal from the hub: its stable `code` and human `message` (docs/protocol.md, error codes). */
export class HubError extends Error {
  constructor(code, message, { status = 0, retryAfter = null } = {}) {
    super(message);
    this.name = "HubError";
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

async function request(path, { method = "GET", token = null, body = undefined } = {}) {
  const headers = { Accept: "application/json" };
  if (token !== null) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      redirect: "error",
    });
  } catch {
    throw new HubError("unreachable", "The hub cannot be reached right now. Check the network and try again.");
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = data && typeof data.error === "object" && data.error !== null ? data.error : {};
    throw new HubError(
      typeof error.code === "string" ? error.code : "error",
      typeof error.message === "string" ? error.message : `The hub answered ${response.status}.`,
      { status: response.status, retryAfter: typeof error.retry_after === "number" ? error.retry_after : null },
    );
  }
  return data;
}

/** `POST /api/login`: a new device token for this browser, labelled `device`. */
export function signIn(username, password, device) {
  return request("/api/login", { method: "POST", body: { username, password, device } });
}

/** `POST /api/logout`: revoke the token (its live connections are closed by the hub). */
export function signOut(token) {
  return request("/api/logout", { method: "POST", token });
}

/**
 * The user's stored notifications with ids in (0, upto], oldest first, page by page
 * (`GET /api/notifications?since=&limit=`).
 */
export async function inboxUpTo(token, upto) {
  const out = [];
  let since = 0;
  // Bounded: each page moves `since` forward, and retention keeps a user's inbox finite.
  for (let page = 0; page < 1000 && since < upto; page += 1) {
    const data = await request(`/api/notifications?since=${since}&limit=500`, { token });
    for (const note of data.notifications) {
      if (note.id <= upto) {
        out.push(note);
      }
    }
    if (!data.more || data.next_since <= since) {
      break;
    }
    since = data.next_since;
  }
  return out;
}

/** `GET /api/notifications/{id}/receipts`: the receipts of a notification this user sent with one. */
export function receiptsOf(token, id) {
  return request(`/api/notifications/${Number(id)}/receipts`, { token });
}

/** `GET /api/scheduled`: this user's pending scheduled sends, soonest first. */
export async function scheduledSends(token) {
  const data = await request("/api/scheduled", { token });
  return Array.isArray(data?.scheduled) ? data.scheduled : [];
}

/** `DELETE /api/scheduled/{key}`: cancel this user's pending sends with that key. */
export function cancelScheduled(token, key) {
  return request(`/api/scheduled/${encodeURIComponent(key)}`, { method: "DELETE", token });
}
