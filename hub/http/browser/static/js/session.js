// Where this browser keeps its sign-in: the device token, who it belongs to, and the resume point
// (the id of the last notification this browser has handled, sent as `last_id` on every connect).
//
// "Keep me signed in" puts it in localStorage (it outlives the tab, as the tray app's keyring entry
// outlives the app); otherwise in sessionStorage (gone when the tab closes). Never in a cookie, so
// no request carries it unless the app adds it (no CSRF), and never in a URL. docs/web.md gives the
// reasons. The password is never kept anywhere.

const KEY = "lan-notify.session";

function stores() {
  return [window.localStorage, window.sessionStorage];
}

/** The saved session `{token, tokenId, user: {name, admin}, lastId, remember}`, or null. */
export function loadSession() {
  for (const store of stores()) {
    const raw = store.getItem(KEY);
    if (raw === null) {
      continue;
    }
    try {
      const data = JSON.parse(raw);
      if (typeof data.token === "string" && data.user && typeof data.user.name === "string") {
        return {
          token: data.token,
          tokenId: data.tokenId,
          user: { name: data.user.name, admin: data.user.admin === true },
          lastId: Number.isSafeInteger(data.lastId) ? data.lastId : 0,
          remember: store === window.localStorage,
        };
      }
    } catch {
      // unreadable: forget it below
    }
    store.removeItem(KEY);
  }
  return null;
}

/** Save the session where `session.remember` says (and nowhere else). */
export function saveSession(session) {
  const data = JSON.stringify({
    token: session.token,
    tokenId: session.tokenId,
    user: session.user,
    lastId: session.lastId,
  });
  const [keep, drop] = session.remember ? stores() : stores().reverse();
  keep.setItem(KEY, data);
  drop.removeItem(KEY);
}

/** Forget the session in both stores (sign-out, or a token the hub refused). */
export function clearSession() {
  for (const store of stores()) {
    store.removeItem(KEY);
  }
}
