// The web app's entry point: the sign-in form, the tabs, the desktop-notification switch, and one
// Workspace per signed-in session.

import { signIn } from "./api.js";
import { permission } from "./alerts.js";
import { deviceLabel } from "./device.js";
import { byId, say } from "./dom.js";
import { clearSession, loadSession, saveSession } from "./session.js";
import { Workspace } from "./workspace.js";

let workspace = null;

const ui = {
  showPane(name) {
    for (const tab of document.querySelectorAll(".tab")) {
      tab.classList.toggle("active", tab.dataset.pane === name);
    }
    for (const pane of document.querySelectorAll(".pane")) {
      pane.classList.toggle("active", pane.id === `pane-${name}`);
    }
  },
  banner(text) {
    const banner = byId("banner");
    banner.textContent = text;
    banner.hidden = !text;
  },
  ended(message) {
    workspace = null;
    clearSession();
    showSignIn(message);
  },
};

function showSignIn(message = "") {
  const status = byId("status");
  status.dataset.state = "refused";
  status.textContent = "Signed out";
  byId("signin").hidden = false;
  say(byId("signin-error"), message, message ? "error" : "");
  byId("signin-user").focus();
}

async function submitSignIn(event) {
  event.preventDefault();
  const button = byId("signin-submit");
  const password = byId("signin-password");
  button.disabled = true;
  say(byId("signin-error"), "");
  try {
    const answer = await signIn(byId("signin-user").value.trim(), password.value, deviceLabel());
    const session = {
      token: answer.token,
      tokenId: answer.token_id,
      user: { name: answer.user.name, admin: answer.user.admin === true },
      lastId: 0,
      remember: byId("signin-remember").checked,
    };
    saveSession(session);
    password.value = "";
    begin(session);
  } catch (error) {
    say(byId("signin-error"), error.message, "error");
  } finally {
    button.disabled = false;
  }
}

function begin(session) {
  byId("signin").hidden = true;
  ui.banner("");
  ui.showPane("inbox");
  workspace = new Workspace(session, ui);
  workspace.start();
  showAlertsState();
}

function showAlertsState() {
  const state = permission();
  const button = byId("enable-alerts");
  button.hidden = state !== "default";
  const words = {
    unsupported: "This browser cannot show desktop notifications.",
    insecure: "Desktop notifications need the hub over https (or this page on localhost).",
    denied: "Desktop notifications are blocked for this site in the browser's settings.",
    granted: "Desktop notifications are on while this tab is open.",
    default: "",
  };
  byId("alerts-state").textContent = words[state];
}

function setUp() {
  byId("signin-form").addEventListener("submit", submitSignIn);
  byId("sign-out").addEventListener("click", () => workspace?.signOut());
  byId("enable-alerts").addEventListener("click", async () => {
    await workspace?.alerts.enable();
    showAlertsState();
  });
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      ui.showPane(tab.dataset.pane);
      workspace?.shown(tab.dataset.pane);
    });
  }
  const session = loadSession();
  if (session === null) {
    showSignIn();
  } else {
    begin(session);
  }
}

setUp();
