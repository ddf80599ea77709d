// The customer context beside the chat: who they are, what they told us before the chat, their device, and their
// earlier conversations (click one to read its transcript).
import type { ConversationView } from "../sdk/contract";
import { bdi, h, sentence } from "../sdk/dom";
import { type Ctx, customerName, topicName } from "./context";
import { renderRating } from "./rating";
import { t } from "./strings";
import { conversationSummary, openTranscript } from "./transcript";
import { describeError, facts, formatDateTime, formatDuration, initials, safeLink } from "./ui";

const history = new Map<string, Promise<ConversationView[]>>();

export function renderCustomer(ctx: Ctx, view: ConversationView | null): HTMLElement {
  const panel = h("div", { class: "context" });
  if (!view) {
    panel.append(h("h2", { class: "panel-title" }, t.contextHeading), h("p", { class: "muted pad" }, t.contextEmpty));
    return panel;
  }
  const p = view.preQualification ?? {};
  const name = customerName(view);
  const verified = view.verifiedUserId
    ? h("span", { class: "badge badge--verified" }, h("span", { class: "tick", "aria-hidden": "true" }), sentence(t.verified, view.verifiedUserId))
    : h("span", { class: "badge" }, t.notVerified);

  const earlier = h("div", { class: "earlier" }, h("p", { class: "muted" }, t.earlierLoading));
  panel.append(
    h("h2", { class: "panel-title" }, t.contextHeading),
    h("div", { class: "who" },
      h("span", { class: "avatar avatar--large", "aria-hidden": "true" }, initials(name)),
      h("div", {},
        h("p", { class: "who__name" }, bdi(name)),
        p.email ? h("p", { class: "who__email break" }, bdi(p.email)) : null,
        verified)),
    section(t.prechat, facts([
      [t.topic, topicName(ctx, view.topic)],
      [t.mode, t.modes[view.mode] ?? view.mode],
      [t.details, p.details ? h("span", { class: "prewrap" }, p.details) : null],
      [t.orderId, p.orderId],
    ])),
    section(t.earlier, earlier),
    section(t.page, facts([[t.pageUrl, p.pageUrl ? safeLink(p.pageUrl) : null]])),
    section(t.device, facts([
      [t.deviceModel, p.deviceModel],
      [t.deviceOs, p.deviceOs],
      [t.appVersion, p.appVersion],
    ])),
    section(t.thisConversation, facts([
      [t.startedAt, formatDateTime(view.createdAt)],
      [t.waited, view.queueWaitSeconds != null ? formatDuration(view.queueWaitSeconds) : null],
      [t.conversationId, h("code", {}, view.id)],
    ])),
  );
  void loadEarlier(ctx, view, earlier);
  return panel;
}

function section(title: string, content: Node): HTMLElement {
  return h("section", { class: "context__section" }, h("h3", {}, title), content);
}

async function loadEarlier(ctx: Ctx, view: ConversationView, target: HTMLElement): Promise<void> {
  if (!view.visitorId) {
    target.replaceChildren(h("p", { class: "muted" }, t.earlierNone));
    return;
  }
  // Kept per open conversation for a short while, so switching between chats does not refetch every time.
  const key = view.id;
  let pending = history.get(key);
  if (!pending) {
    pending = ctx.api.visitorConversations(view.visitorId);
    history.set(key, pending);
    setTimeout(() => history.delete(key), 60000);
  }
  try {
    const all = (await pending).filter((c) => c.id !== view.id).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (all.length === 0) {
      target.replaceChildren(h("p", { class: "muted" }, t.earlierNone));
      return;
    }
    target.replaceChildren(h("ul", { class: "earlier__list" }, ...all.map((c) =>
      h("li", {},
        h("button", { type: "button", class: "earlier__item", onclick: () => void openTranscript(ctx, c) },
          h("span", { class: "earlier__title" }, bdi(c.preQualification?.details?.trim() ? truncate(c.preQualification.details, 60) : topicName(ctx, c.topic))),
          h("span", { class: "earlier__meta" }, conversationSummary(ctx, c)),
          renderRating(c))))));
  } catch (error) {
    history.delete(key);
    target.replaceChildren(h("p", { class: "form-error" }, `${t.earlierFailed} ${describeError(error)}`));
  }
}

function truncate(text: string, n: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > n ? one.slice(0, n - 1) + "…" : one;
}
