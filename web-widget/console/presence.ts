// Whether the customer is here, away (their tab hidden) or gone, and since when, as the chat header shows it.
import type { ConversationView, CustomerPresenceChanged } from "../sdk/contract";
import { formatTime, h } from "../sdk/dom";
import { t } from "./strings";

/** The conversation as it is once the customer's presence changed. */
export function withPresence(view: ConversationView, n: CustomerPresenceChanged): ConversationView {
  return { ...view, customerPresence: n.presence, customerPresenceSince: n.since };
}

/** "Here", "Away since 10:42" or "Gone since 10:40"; nothing for a conversation that has ended. */
export function renderPresence(view: ConversationView): HTMLElement {
  const presence = view.customerPresence ?? "here";
  const open = view.status === "queued" || view.status === "active";
  const since = view.customerPresenceSince;
  const text = presence === "here" ? t.presenceHere : since ? t.presenceSince(presence, formatTime(since)) : t.presence[presence];
  return h("span", { class: `presence presence--${presence}`, "data-presence": presence, hidden: !open }, text);
}
