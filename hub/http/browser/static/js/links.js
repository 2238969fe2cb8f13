// Links in notifications (a click target, a `view` button, a link in Markdown): one rule, the hub's
// own (docs/protocol.md, "Click targets and links"; hub.rich.link_problem), checked again here,
// and nothing opens before the page has shown where it goes and the user said yes in a dialog of
// the app's own. What opens, opens in a new tab with no handle back to the app (noopener) and no
// Referer (noreferrer).

import { el } from "./dom.js";

const MAX_URL = 2000;
// Spaces, C0/C1 controls and the bidirectional controls (as the hub refuses them).
const FORBIDDEN = /[\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** The URL as a URL object when it passes the link rule (http/https with a host, mailto with an address); else null. */
export function parseLink(url) {
  if (typeof url !== "string" || url.length === 0 || url.length > MAX_URL || FORBIDDEN.test(url)) {
    return null;
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol === "http:" || parsed.protocol === "https:") {
    return parsed.hostname ? parsed : null;
  }
  if (parsed.protocol === "mailto:") {
    return parsed.pathname.includes("@") ? parsed : null;
  }
  return null;
}

export function safeLink(url) {
  return parseLink(url) !== null;
}

/** What to ask before opening `url` from `sender`'s notification, or null for a link that must not open. */
export function linkPrompt(url, sender) {
  const parsed = parseLink(url);
  if (parsed === null) {
    return null;
  }
  if (parsed.protocol === "mailto:") {
    let address = parsed.pathname;
    try {
      address = decodeURIComponent(address);
    } catch {
      // shown as written
    }
    return { title: `Write to ${address}?`, text: `${sender}'s notification opens your mail app, to ${address}.`, where: address, url };
  }
  // The browser's URL parser gives an internationalised name in its ASCII (punycode) spelling, so a
  // look-alike host shows as what it really is.
  const where = parsed.hostname;
  const shown = url.length <= 120 ? url : `${url.slice(0, 119)}…`;
  return { title: `Open ${where}?`, text: `${sender}'s notification links to ${where}:`, where, shown, url };
}

/**
 * Ask, in the app's own dialog, before opening `url` from `sender`'s notification; opens it in a
 * new tab when the user confirms. Returns whether it opened (false: refused by the rule, or cancelled).
 */
export function confirmAndOpen(url, sender) {
  const prompt = linkPrompt(url, sender);
  if (prompt === null) {
    return Promise.resolve(false);
  }
  const open = el("button", { className: "primary", text: "Open", attrs: { type: "button", "data-answer": "open" } });
  const cancel = el("button", { className: "quiet", text: "Cancel", attrs: { type: "button", "data-answer": "cancel" } });
  const dialog = el(
    "dialog",
    { className: "link-confirm", attrs: { "aria-labelledby": "link-confirm-title" } },
    el("h2", { text: prompt.title, attrs: { id: "link-confirm-title", dir: "auto" } }),
    el("p", { text: prompt.text, attrs: { dir: "auto" } }),
    prompt.shown ? el("p", { className: "link-url", text: prompt.shown, attrs: { dir: "ltr" } }) : null,
    el("div", { className: "dialog-buttons" }, cancel, open),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    let opened = false;
    open.addEventListener("click", () => {
      opened = true;
      // noopener: the new page gets no window.opener; noreferrer: and no Referer header.
      window.open(prompt.url, "_blank", "noopener,noreferrer");
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(opened);
    });
    dialog.showModal();
    cancel.focus();
  });
}
