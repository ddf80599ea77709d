// The agent's desk: conversation list, the open chat, and the customer's context, kept in step with hub events.
import { type ConversationClosed, type ConversationRated, type ConversationView, type CustomerPresenceChanged, Events, type Message, Methods, type ReadNotice, type ResumeResult, type TypingNotice, type Unassigned } from "../sdk/contract";
import { h, sentence } from "../sdk/dom";
import type { ConsoleCalls } from "./calls";
import { ChatPane, type Draft, renderEmptyChat } from "./chat";
import { type Ctx, customerName, toast } from "./context";
import { renderCustomer } from "./customer";
import type { Conv } from "./desk-state";
import { ConversationList } from "./list";
import { withPresence } from "./presence";
import { t } from "./strings";
import { openTransfer } from "./transfer";
import { confirmDialog, describeError } from "./ui";

const SELECTED_KEY = "livehelp.console.selected";
const TYPING_TIMEOUT_MS = 8000;

export class Desk {
  readonly element: HTMLElement;
  private readonly convs = new Map<string, Conv>();
  private readonly drafts = new Map<string, Draft>();
  private readonly list: ConversationList;
  private readonly chatColumn = h("section", { class: "col col--chat", "aria-label": t.viewDesk });
  private readonly contextColumn = h("aside", { class: "col col--context", "aria-label": t.contextHeading });
  private chat: ChatPane | null = null;
  private selected: string | null = null;

  constructor(private readonly ctx: Ctx, private readonly onCounts: () => void, private readonly calls: ConsoleCalls) {
    this.list = new ConversationList(ctx, (id) => this.select(id, true));
    this.element = h("div", { class: "desk" },
      h("nav", { class: "col col--list", "aria-label": t.conversationsHeading }, this.list.element),
      this.chatColumn,
      this.contextColumn);
    this.showSelected(false);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.selected) this.markRead(this.selected);
    });
    ctx.session.on<CustomerPresenceChanged>(Events.customerPresence, (n) => this.onPresence(n));
  }

  /** The customer's name for a conversation this agent holds. */
  nameOf(id: string): string {
    const conv = this.convs.get(id);
    return conv ? customerName(conv.view) : t.visitor;
  }

  isShown(id: string): boolean {
    return this.selected === id && document.visibilityState === "visible";
  }

  get hasSelection(): boolean {
    return this.selected !== null;
  }

  isMine(id: string): boolean {
    return this.convs.get(id)?.state === "open";
  }

  ids(): string[] {
    return [...this.convs.values()].filter((c) => c.state === "open").map((c) => c.view.id);
  }

  get openCount(): number {
    return [...this.convs.values()].filter((c) => c.state === "open").length;
  }

  get unreadTotal(): number {
    let n = 0;
    for (const c of this.convs.values()) n += this.unread(c);
    return n;
  }

  /** After sign-in, a reload or a reconnect: the open conversations this agent holds, each followed. */
  async sync(): Promise<void> {
    const mine = await this.ctx.session.invoke<ConversationView[]>(Methods.myConversations);
    const ids = new Set(mine.map((v) => v.id));
    for (const view of mine.sort((a, b) => a.createdAt.localeCompare(b.createdAt))) await this.add(view, false);
    for (const conv of this.convs.values()) {
      if (conv.state === "open" && !ids.has(conv.view.id)) {
        conv.state = "transferred";
        this.ctx.session.unfollow(conv.view.id);
        this.refresh(conv);
      }
    }
    const saved = sessionStorage.getItem(SELECTED_KEY);
    if (!this.selected) {
      const first = saved && this.convs.has(saved) ? saved : mine[mine.length - 1]?.id;
      if (first) this.select(first, false);
    }
  }

  /** A conversation that is now ours (accepted, auto-accepted, transferred to us, or found after a reload). */
  async add(view: ConversationView, select: boolean): Promise<void> {
    let conv = this.convs.get(view.id);
    if (!conv) {
      conv = { view, state: "open", readSeq: view.agentReadSeq ?? 0, customerReadSeq: view.customerReadSeq ?? 0, typing: false, lastSeq: 0 };
      this.convs.set(view.id, conv);
    } else {
      conv.view = view;
      conv.state = "open";
      conv.transferredTo = undefined;
      conv.customerReadSeq = Math.max(conv.customerReadSeq, view.customerReadSeq ?? 0);
    }
    this.refresh(conv);
    if (select) this.select(view.id, true);
    try {
      const result = await this.ctx.session.follow(view.id);
      conv.view = result.conversation;
      conv.customerReadSeq = Math.max(conv.customerReadSeq, result.conversation.customerReadSeq ?? 0);
      if (result.conversation.status === "closed" || result.conversation.status === "cancelled") {
        conv.state = "closed";
        conv.closedBy = result.conversation.closedBy ?? undefined;
        this.ctx.session.unfollow(view.id);
      }
    } catch (error) {
      toast(describeError(error), "error");
    }
    this.refresh(conv);
    if (this.selected === view.id) this.chat?.refresh();
  }

  select(id: string, focusComposer: boolean): void {
    if (!this.convs.has(id)) return;
    const changed = this.selected !== id;
    const previous = this.selected ? this.convs.get(this.selected) : undefined;
    this.selected = id;
    sessionStorage.setItem(SELECTED_KEY, id);
    if (previous) this.refresh(previous);
    if (changed) this.showSelected(focusComposer);
    else if (focusComposer) this.chat?.focusComposer();
    this.markRead(id);
    this.refresh(this.convs.get(id)!);
  }

  onMessage(m: Message): void {
    const conv = this.convs.get(m.conversationId);
    if (!conv) return;
    const newer = m.seq > conv.lastSeq;
    conv.lastSeq = Math.max(conv.lastSeq, m.seq);
    // A new customer message ends their typing; one caught up from before it started does not.
    if (m.kind === "customer" && conv.typing && newer) {
      conv.typing = false;
      clearTimeout(conv.typingTimer);
    }
    if (this.selected === m.conversationId) {
      this.chat?.add(m);
      this.chat?.refresh();
      if (document.visibilityState === "visible") this.markRead(m.conversationId);
    }
    this.refresh(conv);
  }

  /** Any Resume answer (after a reconnect too): the conversation may have closed, and read marks may have moved. */
  onResume(r: ResumeResult): void {
    const conv = this.convs.get(r.conversation.id);
    if (!conv || conv.state === "transferred") return;
    conv.view = r.conversation;
    conv.customerReadSeq = Math.max(conv.customerReadSeq, r.conversation.customerReadSeq ?? 0);
    if (conv.state === "open" && (r.conversation.status === "closed" || r.conversation.status === "cancelled")) {
      this.onClosed({ conversationId: conv.view.id, closedBy: r.conversation.closedBy ?? "" });
      return;
    }
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  onTyping(n: TypingNotice): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv || n.role !== "customer") return;
    conv.typing = n.isTyping;
    clearTimeout(conv.typingTimer);
    if (n.isTyping) {
      conv.typingTimer = window.setTimeout(() => {
        conv.typing = false;
        this.refresh(conv);
        if (this.selected === conv.view.id) this.chat?.refresh();
      }, TYPING_TIMEOUT_MS);
    }
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  onPresence(n: CustomerPresenceChanged): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv) return;
    conv.view = withPresence(conv.view, n);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  onRead(n: ReadNotice): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv) return;
    if (n.role === "customer") conv.customerReadSeq = Math.max(conv.customerReadSeq, n.seq);
    else conv.readSeq = Math.max(conv.readSeq, n.seq);
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  onClosed(n: ConversationClosed): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv || conv.state === "closed") return;
    conv.state = "closed";
    conv.closedBy = n.closedBy;
    conv.typing = false;
    this.ctx.session.unfollow(n.conversationId);
    if (n.closedBy === "customer") toast(sentence(t.customerEnded, customerName(conv.view)));
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  /** The customer rated a conversation this agent held: shown on it, and told once. */
  onRated(n: ConversationRated): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv) return;
    conv.view = { ...conv.view, rating: n.rating, ratingComment: n.comment };
    toast(sentence(t.customerRated, customerName(conv.view), String(n.rating)));
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  onUnassigned(n: Unassigned): void {
    const conv = this.convs.get(n.conversationId);
    if (!conv || conv.state !== "open") return;
    conv.state = "transferred";
    conv.typing = false;
    this.ctx.session.unfollow(n.conversationId);
    toast(sentence(t.transferredAway, customerName(conv.view)));
    this.refresh(conv);
    if (this.selected === conv.view.id) this.chat?.refresh();
  }

  private unread(conv: Conv): number {
    if (conv.state === "transferred") return 0;
    let n = 0;
    for (const m of this.ctx.session.transcript(conv.view.id)) if (m.kind === "customer" && m.seq > conv.readSeq) n++;
    return n;
  }

  private markRead(id: string): void {
    const conv = this.convs.get(id);
    if (!conv || conv.state === "transferred") return;
    const last = this.ctx.session.lastSeq(id);
    if (last <= conv.readSeq) return;
    // The customer only cares that their own messages were read: the agent's own sends need no round trip.
    const news = this.ctx.session.transcript(id).some((m) => m.seq > conv.readSeq && m.kind === "customer");
    conv.readSeq = last;
    if (news && conv.state === "open") this.ctx.session.invoke(Methods.markRead, id, last).catch(() => undefined);
    this.refresh(conv);
  }

  private refresh(conv: Conv): void {
    const transcript = this.ctx.session.transcript(conv.view.id);
    const last = [...transcript].reverse().find((m) => m.kind !== "system") ?? transcript[transcript.length - 1];
    this.list.update(conv, this.selected === conv.view.id, this.unread(conv), last);
    this.onCounts();
  }

  private showSelected(focusComposer: boolean): void {
    this.chat?.dispose();
    this.chat = null;
    const conv = this.selected ? this.convs.get(this.selected) : undefined;
    if (!conv) {
      this.chatColumn.replaceChildren(renderEmptyChat());
      this.contextColumn.replaceChildren(renderCustomer(this.ctx, null));
      return;
    }
    const id = conv.view.id;
    this.chat = new ChatPane(this.ctx, conv, this.drafts.get(id) ?? { text: "", mode: "reply" }, {
      transfer: (c) => void openTransfer(this.ctx, c.view, (name) => {
        c.state = "transferred";
        c.transferredTo = name;
        c.typing = false;
        this.ctx.session.unfollow(c.view.id);
        toast(sentence(t.transferredTo, name), "success");
        this.refresh(c);
        if (this.selected === c.view.id) this.chat?.refresh();
      }),
      end: (c) => void this.end(c),
      dismiss: (c) => this.dismiss(c),
    }, (draft) => this.drafts.set(id, draft), this.calls);
    this.chatColumn.replaceChildren(this.chat.element);
    this.contextColumn.replaceChildren(renderCustomer(this.ctx, conv.view));
    if (focusComposer) this.chat.focusComposer();
  }

  private async end(conv: Conv): Promise<void> {
    if (!(await confirmDialog(t.endConfirmTitle, t.endConfirmText, t.endConfirm))) return;
    try {
      await this.ctx.session.invoke(Methods.closeConversation, conv.view.id);
      this.onClosed({ conversationId: conv.view.id, closedBy: "agent" });
    } catch (error) {
      toast(describeError(error), "error");
    }
  }

  private dismiss(conv: Conv): void {
    const id = conv.view.id;
    this.convs.delete(id);
    this.drafts.delete(id);
    this.list.remove(id);
    if (this.selected === id) {
      this.selected = null;
      sessionStorage.removeItem(SELECTED_KEY);
      const next = [...this.convs.keys()].pop();
      if (next) {
        this.select(next, false);
        this.list.focus(next);
      } else {
        this.showSelected(false);
      }
    }
    this.onCounts();
  }
}
