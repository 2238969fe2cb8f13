// What a person sees of a notification: one function, `renderNotification`, builds it for the inbox
// list and for the in-page toast alike, and `alertText` gives the words of a desktop notification.
//
// Everything from the hub goes in as text (dom.js), inside bidi isolates: a title or message full of
// HTML, scripts, `javascript:` links or right-to-left overrides shows exactly as its characters and
// cannot reorder or restyle anything around it. Rich notifications' parts are built here for both
// places at once: the priority (a class and a label), a Markdown message (markdown.js: elements from
// markdown-it's tokens, never HTML), the click target and buttons, and the answers (actions.js).

import { PRIORITY_LABELS, renderAnswers, renderButtons } from "./actions.js";
import { el } from "./dom.js";
import { TYPES } from "./history.js";
import { renderMarkdown } from "./markdown.js";

export const LABELS = {
  info: "Info",
  success: "Success",
  warning: "Warning",
  error: "Error",
  message: "Message",
  system: "System",
};

/** Past this many characters a card shows the start of the message and a "Show all" button. */
const LONG_MESSAGE = 600;

/** The type's icon (the tray app's own artwork), relative to the app's page. */
export function iconUrl(type) {
  return `icons/types/${TYPES.includes(type) ? type : "info"}.svg`;
}

/** "14:05", or "3 Dec, 14:05" for another day; the full date and time for a tooltip. */
export function formatTime(timestamp, now = new Date()) {
  const when = new Date(timestamp);
  if (Number.isNaN(when.getTime())) {
    return { short: "", full: "" };
  }
  const time = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const sameDay = when.toDateString() === now.toDateString();
  const short = sameDay ? time : `${when.toLocaleDateString([], { day: "numeric", month: "short" })}, ${time}`;
  return { short, full: when.toLocaleString() };
}

/** Without a Workspace (no buttons can act): nothing answered, nothing to do. */
const NO_RICH = { me: "", answers: [], status: null, onAction: () => {}, onLink: () => {} };

/**
 * A notification as an element: `variant` "card" (an <li> of the inbox) or "toast". `read` styles it;
 * `onRead()` (cards) and `onClose()` (toasts) get the buttons. `rich` (actions.js): me, answers,
 * status (a refused answer's words), onAction(note, action), onLink(url, note).
 */
export function renderNotification(note, { variant = "card", read = true, onRead = null, onClose = null, rich = NO_RICH } = {}) {
  const priority = note.priority || "default";
  const root = el(variant === "toast" ? "div" : "li", {
    className: `note note--${note.type} note--${variant}${read ? "" : " unread"}${priority === "default" ? "" : ` priority--${priority}`}`,
    attrs: { "data-id": note.id, "data-type": note.type, "data-priority": priority, "data-receipt": note.receipt === true },
  });
  const icon = el("img", {
    className: "note-icon",
    attrs: { src: iconUrl(note.type), alt: LABELS[note.type], width: 28, height: 28 },
  });
  // The title is isolated on its own: the unread dot after it (.note-head::after) stays outside any override.
  const title = el("strong", { className: "note-title", text: note.title || LABELS[note.type], attrs: { dir: "auto" } });
  const chip = PRIORITY_LABELS[priority] ? el("span", { className: "priority-chip", text: PRIORITY_LABELS[priority] }) : null;
  const head = el("div", { className: "note-head" }, chip, title);
  const body = el(
    "div",
    { className: "note-body" },
    renderBody(note, variant, rich),
    renderButtons(note, rich),
    renderAnswers(note, rich),
    renderMeta(note),
  );
  root.append(icon, head, renderActions(note, { variant, read, onRead, onClose }), body);
  if (note.click) {
    // The click target opens (after the confirmation) on a click anywhere but a button or a link.
    root.classList.add("has-click");
    root.addEventListener("click", (event) => {
      if (!(event.target instanceof Element) || event.target.closest("button, a") === null) {
        rich.onLink(note.click, note);
      }
    });
  }
  return root;
}

function renderBody(note, variant, rich) {
  const markdown = note.format === "markdown" ? renderMarkdown(note.message, { onLink: (url) => rich.onLink(url, note) }) : null;
  const message = markdown
    ? el("div", { className: "note-message" }, markdown)
    : el("p", { className: "note-message", text: note.message, attrs: { dir: "auto" } });
  if (variant !== "card" || note.message.length <= LONG_MESSAGE) {
    return message;
  }
  message.classList.add("folded");
  const more = el("button", { className: "link", text: "Show all", attrs: { type: "button" } });
  more.addEventListener("click", () => {
    const folded = message.classList.toggle("folded");
    more.textContent = folded ? "Show all" : "Show less";
  });
  return el("div", { className: "note-long" }, message, more);
}

function renderMeta(note) {
  const time = formatTime(note.timestamp);
  const parts = [el("span", { text: "from " }), el("bdi", { className: "note-from", text: note.from })];
  if (note.room) {
    parts.push(el("span", { text: " in " }), el("bdi", { className: "note-room", text: `#${note.room}` }));
  }
  if (time.short) {
    parts.push(el("span", { text: " · " }), el("time", { text: time.short, title: time.full, attrs: { datetime: note.timestamp } }));
  }
  if (note.edited) {
    parts.push(el("span", { className: "note-edited", text: " · edited" }));
  }
  return el("p", { className: "note-meta" }, ...parts);
}

function renderActions(note, { variant, read, onRead, onClose }) {
  const actions = el("div", { className: "note-actions" });
  if (variant === "toast" && onClose) {
    const close = el("button", { className: "close", text: "×", title: "Close", attrs: { type: "button", "aria-label": "Close" } });
    close.addEventListener("click", onClose);
    actions.append(close);
  } else if (!read && onRead) {
    const mark = el("button", { className: "quiet small", text: "Mark read", attrs: { type: "button" } });
    mark.addEventListener("click", onRead);
    actions.append(mark);
  }
  return actions;
}

/** Bidi isolation for plain-text surfaces (a desktop notification): an override inside ends at the isolate. */
function isolate(text) {
  return `\u2068${text}\u2069`;
}

/** The title and body of a desktop notification for `note` (the system draws them as plain text). */
export function alertText(note) {
  const title = note.title || `${LABELS[note.type]} from ${note.from}`;
  const where = note.room ? ` in #${note.room}` : "";
  const message = note.message.length > 300 ? `${note.message.slice(0, 299)}…` : note.message;
  return { title: isolate(title), body: isolate(note.title ? `${note.from}${where}: ${message}` : message) };
}
