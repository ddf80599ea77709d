// Small building blocks shared by the console's views: dialogs, labelled fields, formatting.
import { h } from "../sdk/dom";
import { LiveHelpError } from "../sdk/session";
import { errorText, t } from "./strings";

let idCounter = 0;

/** A unique element id, for label/aria wiring. */
export function uid(prefix: string): string {
  return `${prefix}-${++idCounter}`;
}

/** A labelled form control (the label's `for` points at the control). */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string, after?: HTMLElement): HTMLDivElement {
  if (!control.id) control.id = uid("f");
  const hintEl = hint ? h("p", { class: "hint", id: uid("hint") }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, after ?? null, hintEl);
}

export function select(options: Array<[value: string, label: string]>, value?: string, attrs: Record<string, string> = {}): HTMLSelectElement {
  const el = h("select", attrs, ...options.map(([v, label]) => h("option", { value: v }, label)));
  if (value !== undefined) el.value = value;
  return el;
}

/**
 * A box that scrolls sideways when its table is too wide: focusable only while it does, so keyboard users can scroll it.
 */
export function scrollBox(labelledBy: string): HTMLDivElement {
  const box = h("div", { class: "table-wrap", role: "group", "aria-labelledby": labelledBy });
  const check = () => {
    if (box.scrollWidth > box.clientWidth + 1) box.tabIndex = 0;
    else box.removeAttribute("tabindex");
  };
  new ResizeObserver(check).observe(box);
  new MutationObserver(check).observe(box, { childList: true, subtree: true });
  return box;
}

/** A visually hidden element, read by screen readers. */
export function srOnly(text: string): HTMLSpanElement {
  return h("span", { class: "sr-only" }, text);
}

export function describeError(error: unknown): string {
  const e = LiveHelpError.from(error);
  return errorText(e.code, e.message && e.code !== "connection" ? capitalise(e.message) : undefined);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

/** A modal dialog (native <dialog>: focus is trapped, Escape closes); removed from the page once closed. */
export function openDialog(title: string | Node, body: Node[], opts: { wide?: boolean; onClose?: () => void } = {}): { dialog: HTMLDialogElement; close: () => void } {
  const titleId = uid("dlg");
  const dialog = h("dialog", { class: opts.wide ? "dialog dialog--wide" : "dialog", "aria-labelledby": titleId });
  const close = () => dialog.close();
  dialog.append(
    h("div", { class: "dialog__head" },
      h("h2", { id: titleId }, title),
      h("button", { type: "button", class: "icon-button", "aria-label": t.close, onclick: close }, "×")),
    h("div", { class: "dialog__body" }, ...body),
  );
  dialog.addEventListener("close", () => {
    dialog.remove();
    opts.onClose?.();
  });
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) close();
  });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close };
}

/** Asks for a yes/no decision in a modal dialog. */
export function confirmDialog(title: string, text: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const ok = h("button", { type: "button", class: "button button--danger", onclick: () => { answer = true; dlg.close(); } }, confirmLabel);
    const dlg = openDialog(title, [
      h("p", {}, text),
      h("div", { class: "dialog__actions" },
        h("button", { type: "button", class: "button", onclick: () => dlg.close() }, t.cancel),
        ok),
    ], { onClose: () => resolve(answer) });
    ok.focus();
  });
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
}

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString([], { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function secondsSince(iso: string): number {
  return (Date.now() - new Date(iso).getTime()) / 1000;
}

/** A coloured dot and word for an agent status. */
export function statusBadge(status: string, connected = true): HTMLSpanElement {
  const shown = connected ? status : "offline";
  return h("span", { class: `status status--${shown}` }, h("span", { class: "status__dot", "aria-hidden": "true" }), t.status[status] ?? status);
}

/** Only http(s) addresses become links; anything else stays text. */
export function safeLink(url: string): Node {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      return h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow", class: "break" }, url);
    }
  } catch {
    // Not an absolute address: shown as text below.
  }
  return h("span", { class: "break" }, url);
}

/** A definition list from label/value pairs; empty values show a dash. */
export function facts(rows: Array<[string, Node | string | null | undefined]>): HTMLDListElement {
  const dl = h("dl", { class: "facts" });
  for (const [label, value] of rows) {
    dl.append(h("dt", {}, label), h("dd", {}, value === null || value === undefined || value === "" ? h("span", { class: "muted" }, t.notGiven) : value));
  }
  return dl;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return "?";
  return ((parts[0][0] ?? "") + (parts.length > 1 ? parts[parts.length - 1][0] ?? "" : "")).toUpperCase();
}
