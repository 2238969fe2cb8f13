// Who is on the hub, and who is online now (presence events keep it current).

import { byId, clear, el } from "../dom.js";

export class PeopleView {
  constructor({ connection, me, onUsers, signal }) {
    this.connection = connection;
    this.me = me;
    this.onUsers = onUsers;
    this.list = byId("people");
    this.users = new Map(); // name -> {admin, online}
    byId("people-refresh").addEventListener("click", () => this.refresh(), { signal });
  }

  async refresh() {
    try {
      const answer = await this.connection.call("list_users");
      this.users = new Map();
      for (const user of Array.isArray(answer.users) ? answer.users : []) {
        this.users.set(String(user.name), { admin: user.admin === true, online: user.online === true });
      }
    } catch {
      // keep what presence told us
    }
    this.render();
  }

  /** From `welcome` (everyone online now, from a hub that does not batch) and `user_online` / `user_offline`. */
  setOnline(name, online) {
    this.mark(name, online);
    this.render();
  }

  /** From a `presence` event: who came and went, or (`full`) everyone online now. */
  applyBatch({ online, offline, full }) {
    if (full) {
      for (const user of this.users.values()) {
        user.online = false;
      }
    }
    for (const name of offline) {
      this.mark(name, false);
    }
    for (const name of online) {
      this.mark(name, true);
    }
    this.render();
  }

  mark(name, online) {
    const user = this.users.get(name) || { admin: false, online: false };
    user.online = online;
    this.users.set(name, user);
  }

  render() {
    clear(this.list);
    const names = [...this.users.keys()].sort((a, b) => {
      const online = Number(this.users.get(b).online) - Number(this.users.get(a).online);
      return online !== 0 ? online : a.localeCompare(b);
    });
    for (const name of names) {
      const user = this.users.get(name);
      this.list.append(
        el(
          "li",
          { className: user.online ? "online" : "offline", attrs: { "data-user": name } },
          el("span", { className: "dot", attrs: { "aria-hidden": "true" } }),
          el("bdi", { className: "name", text: name === this.me ? `${name} (you)` : name }),
          el("span", { className: "meta", text: `${user.online ? "online" : "offline"}${user.admin ? " · admin" : ""}` }),
        ),
      );
    }
    this.onUsers(names.filter((name) => name !== this.me));
  }

  reset() {
    this.users = new Map();
    clear(this.list);
  }
}
