// The customer's rating of a closed conversation and their comment, as the agent who held it sees them.
import type { ConversationView } from "../sdk/contract";
import { bdi, h } from "../sdk/dom";
import { t } from "./strings";

export function renderRating(view: ConversationView): HTMLElement | null {
  if (view.rating == null) return null;
  return h("span", { class: "rating" },
    h("span", { class: "rating__stars", "aria-hidden": "true" }, "★".repeat(view.rating) + "☆".repeat(Math.max(0, 5 - view.rating))),
    h("span", { class: "rating__score" }, t.rated(view.rating)),
    view.ratingComment?.trim() ? h("span", { class: "rating__comment" }, "“", bdi(view.ratingComment), "”") : null);
}
