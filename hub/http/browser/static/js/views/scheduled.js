// "Scheduled": this user's sends waiting for their time (`GET /api/scheduled`), soonest first, each
// with its time (local), addressee and text, and Cancel for those with a key (`DELETE
// /api/scheduled/{key}`; the web app gives every send later a key of its own, compose.js). Shown
// while there is something scheduled; what Cancel did is said on the send form's status line.

import { cancelScheduled, scheduledSends } from "../api.js";
import { byId, clear, el, say } from "../dom.js";
import { shownMoment } from "../later.js";

/** Past the soonest one's time, the list is fetched again (it was delivered), at most this late. */
const MAX_WAIT_MS = 60 * 60 * 1000;

export class ScheduledView {
  constructor({ token, signal }) {
    this.token = token;
    this.box = byId("scheduled");
    this.stopped = false;
    this.list = byId("scheduled-list");
    this.result = byId("send-result");
    this.timer = null;
    byId("scheduled-refresh").addEventListener("click", () => this.refresh(), { signal });
  }

  async refresh() {
    let items;
    try {
      items = await scheduledSends(this.token);
    } catch (error) {
      say(this.result, `The scheduled sends could not be listed: ${error.message}`, "error");
      return;
    }
    if (this.stopped) {
      return; // signed out meanwhile
    }
    this.render(items);
    this.wake(items);
  }

  render(items) {
    const now = new Date();
    clear(this.list);
    for (const item of items) {
      const at = new Date(item.deliver_at);
      const to = item.room ? `#${item.room}` : typeof item.to === "string" && item.to ? item.to : "everyone";
      const text = item.title ? `${item.title}: ${item.message ?? ""}` : String(item.message ?? "");
      const row = el(
        "li",
        { className: "scheduled-item", attrs: { "data-schedule": Number(item.schedule_id) } },
        el("span", { className: "scheduled-head" },
          el("span", { className: "scheduled-when", text: Number.isNaN(at.getTime()) ? "" : shownMoment(at, now) }),
          el("span", { className: "scheduled-to", text: `to ${to}`, attrs: { dir: "auto" } })),
        el("span", { className: "scheduled-text", text, attrs: { dir: "auto" } }),
      );
      if (typeof item.key === "string" && item.key) {
        const cancel = el("button", { className: "quiet small", text: "Cancel", attrs: { type: "button" } });
        cancel.addEventListener("click", () => this.cancel(item.key, cancel, `to ${to} at ${shownMoment(at, new Date())}`));
        row.append(cancel);
      }
      this.list.append(row);
    }
    this.box.hidden = items.length === 0;
  }

  async cancel(key, button, what) {
    button.disabled = true;
    try {
      await cancelScheduled(this.token, key);
      say(this.result, `Cancelled the send ${what}: it will not be sent.`, "ok");
    } catch (error) {
      say(this.result, error.message, "error");
    }
    await this.refresh();
  }

  /** Fetch the list again once the soonest one is due (it leaves the list as it is delivered). */
  wake(items) {
    clearTimeout(this.timer);
    this.timer = null;
    const soonest = items.length > 0 ? new Date(items[0].deliver_at).getTime() : NaN;
    if (!Number.isNaN(soonest)) {
      const wait = Math.min(Math.max(soonest - Date.now() + 1000, 1000), MAX_WAIT_MS);
      this.timer = setTimeout(() => this.refresh(), wait);
    }
  }

  reset() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = null;
    clear(this.list);
    this.box.hidden = true;
  }
}
