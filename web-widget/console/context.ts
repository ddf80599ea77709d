// What every part of the console shares: who is signed in, the hub session, the HTTP API and reference data.
import type { ConversationView, Topic } from "../sdk/contract";
import { h } from "../sdk/dom";
import type { Session } from "../sdk/session";
import type { CannedResponse, SignedIn, StaffApi } from "./api";
import { announce } from "./alerts";
import { t } from "./strings";

export interface Ctx {
  me: SignedIn;
  api: StaffApi;
  session: Session;
  topics: Topic[];
  canned: CannedResponse[];
  /** The longest message the server takes (from /api/status). */
  maxMessageLength: number;
}

export function topicName(ctx: Ctx, id: string): string {
  return ctx.topics.find((x) => x.id.toLowerCase() === id.toLowerCase())?.name ?? id;
}

export function customerName(view: ConversationView): string {
  return view.preQualification?.name?.trim() || t.visitor;
}

export function canOversee(ctx: Ctx): boolean {
  return ctx.me.role === "supervisor" || ctx.me.role === "admin";
}

const toasts = h("div", { class: "toasts" });

export function mountToasts(): void {
  document.body.append(toasts);
}

/** A short message in the corner that fades away; also announced to screen readers. */
export function toast(text: string | Node, kind: "info" | "error" | "success" = "info"): void {
  const el = h("div", { class: `toast toast--${kind}` }, text);
  toasts.append(el);
  while (toasts.childElementCount > 3) toasts.firstElementChild?.remove();
  announce(el.textContent ?? "", kind === "error");
  setTimeout(() => el.classList.add("toast--leaving"), 4500);
  setTimeout(() => el.remove(), 5000);
}
