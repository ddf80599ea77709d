// The conversation list: one line per conversation, with unread counts, typing, and closed/transferred marks.
// Items are updated in place so keyboard focus stays where it is while messages arrive.
import type { Message } from "../sdk/contract";
import { append, bdi, clear, formatTime, h } from "../sdk/dom";
import { type Ctx, customerName, topicName } from "./context";
import type { Conv } from "./desk-state";
import { t } from "./strings";
import { initials, srOnly } from "./ui";

export class ConversationList {
  readonly element: HTMLElement;
  private readonly items = new Map<string, { li: HTMLLIElement; button: HTMLButtonElement }>();
  // The count says "N open": closed and transferred conversations stay listed but are not counted.
  private readonly open = new Set<string>();
  private readonly ul = h("ul", { class: "conv-list" });
  private readonly count = h("span", { class: "panel-count" });
  private readonly empty = h("div", { class: "list-empty" }, h("p", {}, t.noConversations), h("p", { class: "muted" }, t.noConversationsHint));

  constructor(private readonly ctx: Ctx, private readonly onSelect: (id: string) => void) {
    this.element = h("div", { class: "list" },
      h("div", { class: "panel-head" }, h("h2", { class: "panel-title", id: "conversations-heading" }, t.conversationsHeading), this.count),
      this.empty,
      this.ul);
    this.ul.setAttribute("aria-labelledby", "conversations-heading");
    this.ul.addEventListener("keydown", (e) => this.onKey(e));
  }

  /** Brings one item up to date (adding it at the top if new). */
  update(conv: Conv, selected: boolean, unread: number, last: Message | undefined): void {
    let item = this.items.get(conv.view.id);
    if (!item) {
      const button = h("button", { type: "button", class: "conv", "data-id": conv.view.id, onclick: () => this.onSelect(conv.view.id) });
      const li = h("li", {}, button);
      item = { li, button };
      this.items.set(conv.view.id, item);
      this.ul.prepend(li);
    }
    const view = conv.view;
    if (conv.state === "open") this.open.add(view.id);
    else this.open.delete(view.id);
    const name = customerName(view);
    const preview = conv.state === "open" && conv.typing
      ? h("span", { class: "conv__preview conv__preview--typing" }, t.typingShort)
      : h("span", { class: "conv__preview" }, last ? previewOf(last, this.ctx.me.agentId) : t.noMessagesYet);
    const tags = [
      view.mode === "mayday" ? h("span", { class: "tag tag--mayday" }, t.maydayTag) : null,
      conv.state === "closed" ? h("span", { class: "tag tag--closed" }, t.closedTag) : null,
      conv.state === "transferred" ? h("span", { class: "tag tag--closed" }, t.transferredTag) : null,
    ];
    const { button } = item;
    button.classList.toggle("conv--selected", selected);
    button.classList.toggle("conv--unread", unread > 0);
    button.classList.toggle("conv--inactive", conv.state !== "open");
    if (selected) button.setAttribute("aria-current", "true");
    else button.removeAttribute("aria-current");
    clear(button);
    append(button,
      h("span", { class: "avatar", "aria-hidden": "true" }, initials(name)),
      h("span", { class: "conv__main" },
        h("span", { class: "conv__top" },
          h("span", { class: "conv__name" }, bdi(name)),
          last ? h("time", { class: "conv__time", datetime: last.sentAt }, formatTime(last.sentAt)) : null),
        h("span", { class: "conv__topic" }, topicName(this.ctx, view.topic), ...tags),
        h("span", { class: "conv__bottom" },
          preview,
          unread > 0 ? h("span", { class: "count", "aria-hidden": "true" }, unread > 99 ? "99+" : unread) : null)),
      unread > 0 ? srOnly(`, ${t.unread(unread)}`) : null);
    this.refreshCount();
  }

  remove(id: string): void {
    this.items.get(id)?.li.remove();
    this.items.delete(id);
    this.open.delete(id);
    this.refreshCount();
  }

  focus(id: string): void {
    this.items.get(id)?.button.focus();
  }

  private refreshCount(): void {
    this.empty.hidden = this.items.size > 0;
    this.count.textContent = this.open.size ? t.conversationsCount(this.open.size) : "";
  }

  /** Arrow keys move between conversations. */
  private onKey(e: KeyboardEvent): void {
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const buttons = [...this.ul.querySelectorAll<HTMLButtonElement>("button.conv")];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    e.preventDefault();
    buttons[(i + (e.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length].focus();
  }
}

function previewOf(m: Message, meId: string): DocumentFragment {
  const text = (m.attachment ? t.filePreview(m.text) : m.text).replace(/\s+/g, " ").trim();
  const who = m.kind === "agent" ? (m.senderId === meId ? t.you : m.senderName || t.agent) : m.kind === "note" ? t.internalNote : "";
  const room = Math.max(0, 89 - (who ? who.length + 2 : 0));
  const shown = text.length > room + 1 ? text.slice(0, room) + "…" : text;
  const line = document.createDocumentFragment();
  if (who) line.append(bdi(who), ": ");
  line.append(bdi(shown));
  return line;
}
