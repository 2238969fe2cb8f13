// A notification's rich parts that a person acts on: its click target, its buttons (`view`, `reply`,
// `respond`), the answers it got, and the words of a refused answer. render.js places what this
// builds in the inbox's cards and the in-page toasts alike; what the buttons do is the Workspace's
// (`rich.onAction`, `rich.onLink`).

import { el } from "./dom.js";
import { parseLink } from "./links.js";

export const PRIORITY_LABELS = { min: "Min", low: "Low", high: "High", urgent: "Urgent" };

/** "14:05" (local time), or "" for a timestamp that is not one. */
function formatClock(timestamp) {
  const when = new Date(timestamp);
  return Number.isNaN(when.getTime()) ? "" : when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** The host (or mail address) a link goes to, for a button's label. */
export function linkWhere(url) {
  const parsed = parseLink(url);
  if (parsed === null) {
    return "";
  }
  return parsed.protocol === "mailto:" ? parsed.pathname : parsed.hostname;
}

/**
 * The buttons row of `note`: the click target ("Open ci.lan"), then each action. `rich`: me, answers
 * (the note's, oldest first), onAction(note, action), onLink(url, note).
 */
export function renderButtons(note, rich) {
  const row = el("div", { className: "note-buttons" });
  const mine = rich.answers.find((answer) => answer.from === rich.me);
  if (note.click) {
    const open = el("button", {
      className: "quiet small note-click",
      text: `Open ${linkWhere(note.click)} ↗`,
      title: note.click,
      attrs: { type: "button", "data-action": "click" },
    });
    open.addEventListener("click", () => rich.onLink(note.click, note));
    row.append(open);
  }
  for (const action of note.actions) {
    if (note.from === rich.me && action.action !== "view") {
      continue; // the sender does not answer or reply to their own notification
    }
    const text = action.action === "view" ? `${action.label} ↗` : action.label;
    const button = el("button", {
      className: `small action action--${action.action}`,
      text,
      title: action.action === "view" ? `${action.label}: ${linkWhere(action.url)}` : "",
      attrs: { type: "button", "data-action": action.action, dir: "auto" },
    });
    if (action.action === "respond") {
      button.setAttribute("aria-pressed", String(mine !== undefined && mine.label === action.label));
    }
    button.addEventListener("click", () => rich.onAction(note, action));
    row.append(button);
  }
  return row.childElementCount > 0 ? row : null;
}

/** "You answered Approve (14:05)", "bob answered Reject (14:06)", or "Not answered yet" for a recipient. */
export function renderAnswers(note, rich) {
  const lines = rich.answers.map((answer) => {
    const who = answer.from === rich.me ? "You" : answer.from;
    const when = formatClock(answer.timestamp);
    return el("li", {}, el("bdi", { text: who }), ` answered `, el("bdi", { className: "answer-label", text: answer.label }),
      when ? ` (${when})` : "");
  });
  const waiting = lines.length === 0 && note.from !== rich.me && note.actions.some((a) => a.action === "respond");
  if (waiting) {
    lines.push(el("li", { className: "waiting", text: "Not answered yet" }));
  }
  const status = rich.status ? el("p", { className: "note-status", text: rich.status.text, attrs: { "data-kind": rich.status.kind, role: "status" } }) : null;
  if (lines.length === 0 && status === null) {
    return null;
  }
  return el("div", { className: "note-answers" }, lines.length ? el("ul", {}, ...lines) : null, status);
}
