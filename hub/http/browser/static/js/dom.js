// Building the page from data, as text only.
//
// Every string that came from the hub or the user goes into the page through `textContent` (or as
// the value of an attribute the app names itself), never as HTML: nothing here, and nothing in the
// app, assigns innerHTML, outerHTML or insertAdjacentHTML. The page's Content-Security-Policy
// requires Trusted Types, so such an assignment would throw rather than render.

/** The element with this id (the page's own ids; missing is a bug, so it throws). */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) {
    throw new Error(`the page has no #${id}`);
  }
  return node;
}

/**
 * A new element. `props`: className, text (set as textContent), attrs (setAttribute each; the
 * names are the app's own), title, hidden. Children are nodes or strings (made text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) {
    node.className = props.className;
  }
  if (props.text !== undefined) {
    node.textContent = String(props.text);
  }
  if (props.title !== undefined) {
    node.title = String(props.title);
  }
  if (props.hidden) {
    node.hidden = true;
  }
  for (const [name, value] of Object.entries(props.attrs || {})) {
    node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

/** Remove every child. */
export function clear(node) {
  node.replaceChildren();
}

/** Show a short message in an element (text only); `kind` "error" or "ok" styles it. */
export function say(node, text, kind = "") {
  node.textContent = text;
  node.dataset.kind = kind;
}

/** `render` made to run once in the next frame however often it is asked for in this one; `.cancel()`
 * drops a waiting run. */
export function perFrame(render) {
  let frame = 0;
  const schedule = () => {
    if (frame === 0) {
      frame = requestAnimationFrame(() => {
        frame = 0;
        render();
      });
    }
  };
  schedule.cancel = () => {
    cancelAnimationFrame(frame);
    frame = 0;
  };
  return schedule;
}
