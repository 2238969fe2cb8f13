// A notification's Markdown as DOM nodes, by the tray app's rules (desktop/core/markdown.py):
// CommonMark with raw HTML off, nesting capped, emphasis, code, links, lists, quotes and rules;
// headings drawn as bold paragraphs; images never fetched (their alt text shows, in brackets);
// links only when they pass the link rule (links.js), and then only through the click confirmation.
//
// The parser is markdown-it (the npm package, loaded by index.html as its own script file,
// vendor/markdown-it.min.js). Its HTML output is never used: the page builds elements from its token
// stream with createElement and textContent, so there is no HTML string to sanitise and nothing for
// the Content-Security-Policy's Trusted Types to refuse. A token the app does not know becomes its
// text. The message itself stays the Markdown source (search, desktop notifications).

import { el } from "./dom.js";
import { safeLink } from "./links.js";

/** Elements nested deeper than this are not made: what is inside shows in the element at this depth. */
const MAX_DEPTH = 12;
/**
 * markdown-it's own cap. Past it, markdown-it drops the rest of the text; a message is at most 4 KiB,
 * so this is never reached and nothing a sender wrote goes missing (the depth of elements is capped
 * by MAX_DEPTH instead).
 */
const PARSE_NESTING = 5000;

/** Token type (without _open/_close) -> the element it becomes. */
const CONTAINERS = {
  paragraph: "p",
  blockquote: "blockquote",
  bullet_list: "ul",
  ordered_list: "ol",
  list_item: "li",
  em: "em",
  strong: "strong",
  heading: "strong",
};

let parser = null;

/** The shared parser, or null when markdown-it is not loaded (the message then shows as text). */
function markdownIt() {
  if (parser === null && typeof globalThis.markdownit === "function") {
    parser = globalThis.markdownit("commonmark", { html: false, linkify: false, typographer: false, maxNesting: PARSE_NESTING });
    parser.validateLink = safeLink;
  }
  return parser;
}

/**
 * `source` rendered as a <div class="markdown">, or null when it cannot be (no parser, or it failed):
 * the caller then shows the source as text. `onLink(url)`
 * is called when a link is clicked (the link itself never navigates).
 */
export function renderMarkdown(source, { onLink }) {
  const md = markdownIt();
  if (md === null) {
    return null;
  }
  let tokens;
  try {
    tokens = md.parse(source, {});
  } catch {
    return null; // e.g. nesting too deep for the browser's stack: the source shows as text
  }
  const root = el("div", { className: "markdown", attrs: { dir: "auto" } });
  build(tokens, root, onLink, 0);
  return root;
}

/** Append `tokens` to `root`, which sits `depth` elements deep in the message. */
function build(tokens, root, onLink, depth) {
  const stack = [root];
  const top = () => stack[stack.length - 1];
  for (const token of tokens) {
    const base = token.type.replace(/_(open|close)$/, "");
    if (token.nesting === 1 && depth + stack.length > MAX_DEPTH) {
      stack.push(top()); // too deep: its content goes into the deepest element made
    } else if (token.nesting === 1) {
      const node = openNode(token, base, onLink);
      // a heading is a bold paragraph: its <strong> sits in a <p>
      top().append(base === "heading" ? el("p", {}, node) : node);
      stack.push(node);
    } else if (token.nesting === -1) {
      if (stack.length > 1) {
        stack.pop();
      }
    } else if (token.type === "inline") {
      build(token.children || [], top(), onLink, depth + stack.length - 1);
    } else {
      const leaf = leafNode(token);
      if (leaf !== null) {
        top().append(leaf);
      }
    }
  }
}

function openNode(token, base, onLink) {
  if (base === "link") {
    const href = token.attrGet("href");
    if (typeof href !== "string" || !safeLink(href)) {
      return el("span");
    }
    const link = el("a", { attrs: { href, rel: "noopener noreferrer", target: "_blank" }, title: href });
    link.addEventListener("click", (event) => {
      event.preventDefault(); // it opens only through the confirmation
      event.stopPropagation();
      onLink(href);
    });
    return link;
  }
  if (base === "ordered_list") {
    const list = el("ol");
    const start = Number(token.attrGet("start"));
    if (Number.isSafeInteger(start) && start >= 0) {
      list.setAttribute("start", String(start));
    }
    return list;
  }
  return el(CONTAINERS[base] || "span");
}

function leafNode(token) {
  switch (token.type) {
    case "text":
    case "html_inline":
    case "html_block":
      return document.createTextNode(token.content);
    case "softbreak":
      return document.createTextNode("\n");
    case "hardbreak":
      return el("br");
    case "code_inline":
      return el("code", { text: token.content });
    case "code_block":
    case "fence":
      return el("pre", {}, el("code", { text: token.content.replace(/\n$/, "") }));
    case "hr":
      return el("hr");
    case "image": {
      // never fetched: the alt text, in brackets, as the tray app shows it
      const alt = (token.children || []).map((child) => child.content).join("");
      return document.createTextNode(alt ? `[${alt}]` : "[image]");
    }
    default:
      return token.content ? document.createTextNode(token.content) : null;
  }
}
