// Builds DOM from data without ever parsing it as HTML: untrusted text only becomes text nodes and attribute values.

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      if (!name.startsWith("on")) throw new Error(`listener ${name} must start with "on"`);
      element.addEventListener(name.slice(2), value);
    } else if (name.startsWith("on")) {
      throw new Error(`attribute ${name} may not hold a string`);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/**
 * Someone else's text (a name, an email, a message) beside other text: a <bdi> isolates its direction, so a name
 * ending in U+202E (right-to-left override) cannot reverse what follows it.
 */
export function bdi(text: string): HTMLElement {
  return h("bdi", {}, text);
}

/**
 * A sentence from the words file with someone else's text in it, each such part isolated as by {@link bdi}.
 * `sentence(strings.isTyping, name)` shows "<bdi>name</bdi> is typing…".
 */
export function sentence(words: (...parts: string[]) => string, ...theirs: string[]): DocumentFragment {
  // Private-use characters stand in for the parts while the words are filled in; the words files hold none.
  const marks = theirs.map((_, i) => String.fromCharCode(0xe000 + i));
  const fragment = document.createDocumentFragment();
  for (const piece of words(...marks).split(/([\ue000-\ue0ff])/)) {
    const i = marks.indexOf(piece);
    if (i >= 0) fragment.append(bdi(theirs[i]));
    else if (piece) fragment.append(piece);
  }
  return fragment;
}

/** Pieces of someone else's text on one line, each isolated as by {@link bdi}, with a separator between them. */
export function joined(parts: Array<string | null | undefined>, separator = " · "): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of parts) {
    if (!part) continue;
    if (fragment.hasChildNodes()) fragment.append(separator);
    fragment.append(bdi(part));
  }
  return fragment;
}

/** Someone else's text inside a plain string, where no element can go (a system notification): first-strong isolate marks. */
export function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

// An address starts at a word boundary with its scheme and runs to the next space or character that cannot be in one.
const addressPattern = /\b(?:https:\/\/|mailto:)[^\s<>"]+/gi;
const linkSchemes = new Set(["https:", "mailto:"]);

/** A stop or closing bracket right after an address ends the sentence around it, unless the address opened the bracket. */
function trimAddress(address: string): string {
  const count = (c: string) => address.split(c).length - 1;
  while (/[.,;:!?'")\]}]$/.test(address)) {
    const last = address[address.length - 1];
    if (last === ")" && count("(") >= count(")")) break;
    if (last === "]" && count("[") >= count("]")) break;
    address = address.slice(0, -1);
  }
  return address;
}

/**
 * Someone else's text with its https: and mailto: addresses as links, built from elements and text nodes: each opens
 * in a new tab that can neither reach this page nor learn its address. Everything else, other schemes (javascript:,
 * data:, http:) and anything that looks like markup included, stays plain text.
 */
export function linkified(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let shown = 0;
  for (const match of text.matchAll(addressPattern)) {
    const start = match.index ?? 0;
    const address = trimAddress(match[0]);
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      continue;
    }
    if (!linkSchemes.has(url.protocol) || (url.protocol === "https:" && !url.hostname)) continue;
    if (start > shown) fragment.append(text.slice(shown, start));
    fragment.append(h("a", { href: url.href, target: "_blank", rel: "noopener noreferrer" }, address));
    shown = start + address.length;
  }
  if (shown < text.length) fragment.append(text.slice(shown));
  return fragment;
}

export function clear(element: Element): void {
  element.replaceChildren();
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return seconds <= 5 ? "any moment now" : `about ${Math.ceil(seconds / 10) * 10} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? "about a minute" : `about ${minutes} minutes`;
}

export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}
