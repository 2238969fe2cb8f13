// "Send later": the moment each choice of the send form's "When" means, and how a moment is shown.

const MINUTE = 60 * 1000;

/** The `deliver_at` of a send (ISO 8601, UTC) for a choice seen from `now`; "" to send it now. `at` is
 * "HH:MM": today at that time, or tomorrow once it has passed (as `notify-hub send --at`). */
export function deliverAt(choice, at, now) {
  let moment = null;
  if (choice === "30m") {
    moment = new Date(now.getTime() + 30 * MINUTE);
  } else if (choice === "1h") {
    moment = new Date(now.getTime() + 60 * MINUTE);
  } else if (choice === "morning") {
    moment = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 9, 0);
  } else if (choice === "at" && /^\d{2}:\d{2}$/.test(at)) {
    const [hours, minutes] = at.split(":").map(Number);
    moment = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hours, minutes);
    if (moment <= now) {
      moment = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, hours, minutes);
    }
  }
  return moment ? moment.toISOString() : "";
}

/** A moment in local time: "17:00", "tomorrow 09:00", or with its date. */
export function shownMoment(moment, now) {
  const clock = moment.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false });
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(moment) - day(now)) / (24 * 60 * MINUTE));
  if (days === 0) {
    return clock;
  }
  if (days === 1) {
    return `tomorrow ${clock}`;
  }
  return `${moment.toLocaleDateString([], { weekday: "short", day: "numeric", month: "short" })} ${clock}`;
}
