// Rooms: the hub's list (open and restricted), joining and leaving.

import { byId, clear, el, say } from "../dom.js";

export class RoomsView {
  constructor({ connection, onRooms, signal }) {
    this.connection = connection;
    this.onRooms = onRooms;
    this.list = byId("rooms");
    this.result = byId("rooms-result");
    this.input = byId("join-room");
    byId("rooms-refresh").addEventListener("click", () => this.refresh(), { signal });
    byId("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.change("join_room", this.input.value.trim());
    }, { signal });
  }

  async refresh() {
    try {
      const answer = await this.connection.call("list_rooms");
      this.render(Array.isArray(answer.rooms) ? answer.rooms : []);
    } catch (error) {
      say(this.result, error.message, "error");
    }
  }

  render(rooms) {
    clear(this.list);
    if (rooms.length === 0) {
      this.list.append(el("li", { className: "empty", text: "No rooms yet: join one by name to make it." }));
    }
    for (const room of rooms) {
      const name = String(room.name);
      const members = Number.isSafeInteger(room.members) ? room.members : 0;
      const button = el("button", {
        className: room.member ? "quiet small" : "small",
        text: room.member ? "Leave" : "Join",
        attrs: { type: "button", "data-room": name },
      });
      button.addEventListener("click", () => this.change(room.member ? "leave_room" : "join_room", name));
      this.list.append(
        el(
          "li",
          { className: room.member ? "member" : "" },
          el("bdi", { className: "name", text: `#${name}` }),
          el("span", {
            className: "meta",
            text: `${members} member${members === 1 ? "" : "s"}${room.restricted ? " · restricted" : ""}`,
          }),
          button,
        ),
      );
    }
    this.onRooms(rooms.map((room) => String(room.name)));
  }

  async change(event, room) {
    try {
      await this.connection.call(event, { room });
      say(this.result, event === "join_room" ? `You are in #${room}.` : `You left #${room}.`, "ok");
      this.input.value = "";
    } catch (error) {
      say(this.result, error.message, "error");
    }
    await this.refresh();
  }

  reset() {
    clear(this.list);
    say(this.result, "");
  }
}
