// The card above the conversation: who is helping, or, while the customer waits, their place and expected wait, or
// that nobody can answer right now (no number: none would be true), with a way to leave a message meanwhile.
import type { ConversationView, QueueUpdate } from "../sdk/contract";
import { bdi, h } from "../sdk/dom";
import { icon } from "./bridge";
import * as icons from "./icons";
import { strings } from "./strings";

export interface CardState {
  conversation: ConversationView;
  /** The last place told for this stay in the queue, if any. */
  place: QueueUpdate | null;
  /** The call buttons, while an agent is helping. */
  callButtons(): HTMLElement;
  /** Opens the message form, while nobody can answer. */
  leaveMessage(): void;
}

export const initial = (name: string) => (name.trim()[0] ?? "?").toUpperCase();

export const isOpen = (c: ConversationView) => c.status === "queued" || c.status === "active";

/** What the card shows for the conversation as it stands. */
export function cardContents(s: CardState): HTMLElement[] {
  const c = s.conversation;
  const avatar = (...content: (Node | string)[]) => h("div", { class: "avatar", "aria-hidden": "true" }, ...content);
  if (c.status === "active" && c.agentName) {
    return [avatar(initial(c.agentName)), h("div", { class: "who" }, h("p", { class: "main" }, bdi(c.agentName)), h("p", { class: "sub" }, strings.agentHelping)), s.callButtons()];
  }
  if (isOpen(c)) {
    const place = s.place;
    if (place?.nobodyOnline) {
      return [
        avatar(icon(icons.chat, 20)),
        h("div", { class: "who" }, h("p", { class: "main" }, strings.queueNobody), h("p", { class: "sub" }, strings.queueNobodyKeepPlace)),
        h("button", { type: "button", class: "btn secondary cardaction", onclick: () => s.leaveMessage() }, strings.leaveMessage),
      ];
    }
    const lines =
      place && place.position !== null && place.estimatedWaitSeconds !== null
        ? [h("p", { class: "main" }, strings.queuePosition(place.position)), h("p", { class: "sub" }, strings.queueWait(place.estimatedWaitSeconds))]
        : [h("p", { class: "main" }, strings.queueTitle), h("p", { class: "sub" }, strings.queueFinding)];
    return [avatar(h("span", { class: "dots" }, h("span", {}), h("span", {}), h("span", {}))), h("div", { class: "who" }, ...lines)];
  }
  if (c.agentName) {
    return [avatar(initial(c.agentName)), h("div", { class: "who" }, h("p", { class: "main" }, bdi(c.agentName)), h("p", { class: "sub" }, strings.chatEnded))];
  }
  return [h("div", { class: "who" }, h("p", { class: "main" }, strings.chatEnded))];
}
