// "Sent with a receipt": what this user sent asking for one, newest first, each with who has it and
// who has seen it (receipts.js), under the send form.

import { byId, clear, el, perFrame } from "../dom.js";
import { shownMoment } from "../later.js";
import { receiptLine } from "../receipts.js";

export class SentView {
  constructor({ receipts }) {
    this.receipts = receipts;
    this.box = byId("sent");
    this.list = byId("sent-list");
    this.refresh = perFrame(() => this.render());
    receipts.subscribe(() => this.refresh());
  }

  render() {
    const now = new Date();
    const items = this.receipts.list();
    clear(this.list);
    for (const sent of items) {
      const at = new Date(sent.at);
      const when = Number.isNaN(at.getTime()) ? "" : shownMoment(at, now);
      this.list.append(el(
        "li",
        { className: "sent-item", attrs: { "data-id": sent.id } },
        el("span", { className: "sent-head" },
          el("span", { className: "sent-to", text: `To ${sent.to}`, attrs: { dir: "auto" } }),
          el("span", { className: "sent-when", text: when })),
        sent.text ? el("span", { className: "sent-text", text: sent.text, attrs: { dir: "auto" } }) : null,
        el("span", { className: "sent-receipt", text: receiptLine(sent), attrs: { dir: "auto" } }),
      ));
    }
    this.box.hidden = items.length === 0;
  }

  reset() {
    this.refresh.cancel();
    clear(this.list);
    this.box.hidden = true;
  }
}
