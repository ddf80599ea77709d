// Supervisor view: the live queue, the agents, the conversations in progress, and a read-only live view of any one.
import { type ConversationClosed, type ConversationRated, type ConversationView, type Message, Methods, type QueueEntry, type ResumeResult, type TypingNotice } from "../sdk/contract";
import { bdi, formatTime, formatWait, h, joined, sentence } from "../sdk/dom";
import type { AgentView } from "./api";
import { type Ctx, customerName, toast, topicName } from "./context";
import { MessageLog } from "./messages";
import { renderRating } from "./rating";
import { t } from "./strings";
import { describeError, formatDuration, scrollBox, secondsSince, srOnly, statusBadge } from "./ui";

const QUEUE_EVERY_MS = 3000;
const LISTS_EVERY_MS = 5000;

export class SupervisorView {
  readonly element: HTMLElement;
  private queue: QueueEntry[] = [];
  private agents: AgentView[] = [];
  private conversations: ConversationView[] = [];
  private readonly stats = h("div", { class: "stats" });
  private readonly queueBody = scrollBox("queue-heading");
  private readonly agentsBody = scrollBox("agents-heading");
  private readonly convBody = scrollBox("progress-heading");
  private readonly watchPanel = h("section", { class: "card watch", "aria-labelledby": "watch-heading" });
  private readonly updated = h("p", { class: "muted small", "aria-live": "off" });
  private timers: number[] = [];
  private watched: string | null = null;
  private watchLog: MessageLog | null = null;
  private watchView: ConversationView | null = null;
  private readonly watchTyping = h("p", { class: "typing", role: "status", "aria-live": "polite" });
  private readonly watchStatus = h("p", { class: "watch__status" });

  constructor(private readonly ctx: Ctx, private readonly isMine: (conversationId: string) => boolean) {
    this.element = h("div", { class: "board" },
      h("div", { class: "board__main" },
        h("div", { class: "board__head" }, h("h1", { class: "page-title" }, t.supervisorHeading), this.updated),
        this.stats,
        card("queue-heading", t.queueHeading, this.queueBody),
        card("progress-heading", t.conversationsHeadingAll, this.convBody),
        card("agents-heading", t.agentsHeading, this.agentsBody)),
      this.watchPanel);
    this.renderWatchEmpty();
  }

  start(): void {
    this.stop();
    void this.refreshQueue();
    void this.refreshLists();
    this.timers.push(
      window.setInterval(() => void this.refreshQueue(), QUEUE_EVERY_MS),
      window.setInterval(() => void this.refreshLists(), LISTS_EVERY_MS),
      window.setInterval(() => this.tickWaits(), 1000));
  }

  stop(): void {
    for (const id of this.timers) clearInterval(id);
    this.timers = [];
  }

  // --- live events for the watched conversation ---

  onMessage(m: Message): void {
    if (m.conversationId === this.watched) this.watchLog?.add(m);
  }

  onTyping(n: TypingNotice): void {
    if (n.conversationId !== this.watched || !this.watchView) return;
    const who = n.role === "customer" ? customerName(this.watchView) : n.name || t.agent;
    this.watchTyping.replaceChildren(n.isTyping ? sentence(t.isTyping, who) : "");
  }

  onClosed(n: ConversationClosed): void {
    if (n.conversationId !== this.watched) return;
    this.watchStatus.textContent = t.closedBanner(n.closedBy);
    this.watchTyping.textContent = "";
  }

  onRated(n: ConversationRated): void {
    if (n.conversationId !== this.watched || !this.watchView) return;
    this.watchView = { ...this.watchView, rating: n.rating, ratingComment: n.comment };
    this.watchStatus.append(renderRating(this.watchView) ?? "");
  }

  /** After a reconnect the server has forgotten this connection watched: join again. */
  async rewatch(): Promise<void> {
    if (this.watched) await this.ctx.session.invoke(Methods.watch, this.watched).catch(() => undefined);
  }

  // --- data ---

  private async refreshQueue(): Promise<void> {
    if (this.ctx.session.state !== "connected") return;
    try {
      this.queue = await this.ctx.session.invoke<QueueEntry[]>(Methods.getQueue);
      this.renderQueue();
      this.renderStats();
      this.updated.textContent = t.updatedAt(formatTime(new Date().toISOString()));
    } catch {
      // Shown again on the next round.
    }
  }

  private async refreshLists(): Promise<void> {
    try {
      const [agents, conversations] = await Promise.all([this.ctx.api.agents(), this.ctx.api.openConversations()]);
      this.agents = agents;
      this.conversations = conversations;
      this.renderAgents();
      this.renderConversations();
      this.renderQueue();
      this.renderStats();
    } catch {
      // Shown again on the next round.
    }
  }

  private agentName(id: string | null | undefined): string {
    if (!id) return t.nobody;
    return this.agents.find((a) => a.id === id)?.displayName ?? id;
  }

  // --- rendering ---

  private renderStats(): void {
    const longest = this.queue.reduce((max, e) => Math.max(max, secondsSince(e.conversation.createdAt)), 0);
    const online = this.agents.filter((a) => a.status === "online" && a.connected).length;
    const active = this.conversations.filter((c) => c.status === "active").length;
    this.stats.replaceChildren(
      stat(t.waitingNow, String(this.queue.length), this.queue.length > 0 ? "warn" : ""),
      stat(t.longestWait, this.queue.length ? formatDuration(longest) : t.nobody, "", "longest"),
      stat(t.agentsOnline, String(online), online === 0 ? "bad" : ""),
      stat(t.inProgress, String(active), ""));
  }

  private renderQueue(): void {
    if (this.queue.length === 0) {
      keepFocus(this.queueBody, () => this.queueBody.replaceChildren(h("p", { class: "muted pad" }, t.queueEmpty)));
      return;
    }
    const rows = this.queue.map((e) => {
      const c = e.conversation;
      return h("tr", {},
        h("td", {}, customerCell(c)),
        h("td", {}, topicName(this.ctx, c.topic)),
        h("td", {}, c.mode === "mayday" ? h("span", { class: "tag tag--mayday" }, t.maydayTag) : t.modes.chat),
        h("td", { class: "num wait", "data-since": c.createdAt }, formatDuration(secondsSince(c.createdAt))),
        h("td", { class: "num" }, e.position),
        h("td", {}, formatWait(e.estimatedWaitSeconds)),
        h("td", {}, e.offeredTo ? this.agentName(e.offeredTo) : h("span", { class: "muted" }, t.nobody)));
    });
    keepFocus(this.queueBody, () => this.queueBody.replaceChildren(table("queue-heading",
      [t.colCustomer, t.colTopic, t.colMode, t.colWaiting, t.colPosition, t.colEstimate, t.colOfferedTo], rows)));
  }

  private renderAgents(): void {
    const rows = [...this.agents].sort((a, b) => rank(a) - rank(b) || a.displayName.localeCompare(b.displayName)).map((a) =>
      h("tr", { class: a.disabled ? "row--muted" : "" },
        h("td", {}, h("span", { class: "cell-main" }, bdi(a.displayName)), h("span", { class: "cell-sub" }, a.username)),
        h("td", {}, t.roles[a.role] ?? a.role),
        h("td", {}, a.disabled ? t.disabled : statusBadge(a.status, a.connected)),
        h("td", {}, loadMeter(a.load, a.maxConcurrent)),
        h("td", {}, a.connected ? t.yes : t.no),
        h("td", { class: "skills" }, a.skills.join(", "))));
    keepFocus(this.agentsBody, () => this.agentsBody.replaceChildren(table("agents-heading",
      [t.colAgent, t.colRole, t.colStatus, t.colLoad, t.colConnected, t.colSkills], rows)));
  }

  private renderConversations(): void {
    const active = this.conversations.filter((c) => c.status === "active");
    if (active.length === 0) {
      keepFocus(this.convBody, () => this.convBody.replaceChildren(h("p", { class: "muted pad" }, t.noOpenConversations)));
      return;
    }
    const rows = active.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map((c) => {
      const watching = c.id === this.watched;
      return h("tr", { class: watching ? "row--selected" : "" },
        h("td", {}, customerCell(c)),
        h("td", {}, topicName(this.ctx, c.topic)),
        h("td", {}, c.agentName || h("span", { class: "muted" }, t.nobody)),
        h("td", {}, h("time", { datetime: c.createdAt }, formatTime(c.createdAt))),
        h("td", { class: "num" }, formatDuration(secondsSince(c.createdAt))),
        h("td", {}, h("button", {
          type: "button",
          class: watching ? "button button--small button--selected" : "button button--small",
          "aria-pressed": watching ? "true" : "false",
          "data-key": `watch-${c.id}`,
          onclick: () => void this.watch(c),
        }, watching ? t.watching : t.watch, srOnly(` ${customerName(c)}`))));
    });
    keepFocus(this.convBody, () => this.convBody.replaceChildren(table("progress-heading",
      [t.colCustomer, t.colTopic, t.colAgent, t.colStarted, t.colDuration, t.colActions], rows)));
  }

  private tickWaits(): void {
    for (const cell of this.queueBody.querySelectorAll<HTMLElement>("td.wait")) {
      cell.textContent = formatDuration(secondsSince(cell.dataset.since!));
    }
    const longest = this.stats.querySelector<HTMLElement>("[data-stat=longest] .stat__value");
    if (longest && this.queue.length) {
      longest.textContent = formatDuration(this.queue.reduce((max, e) => Math.max(max, secondsSince(e.conversation.createdAt)), 0));
    }
  }

  // --- watching ---

  private renderWatchEmpty(): void {
    this.watchPanel.replaceChildren(
      h("h2", { id: "watch-heading", class: "card__title" }, t.watchHeading),
      h("p", { class: "muted pad" }, t.watchEmpty));
  }

  private async watch(c: ConversationView): Promise<void> {
    if (this.watched && this.watched !== c.id && !this.isMine(this.watched)) this.ctx.session.unfollow(this.watched);
    this.watched = c.id;
    this.watchView = c;
    const name = customerName(c);
    this.watchLog = new MessageLog(t.messagesLabel(name), name);
    this.watchTyping.textContent = "";
    this.watchStatus.textContent = "";
    this.watchPanel.replaceChildren(
      h("div", { class: "watch__head" },
        h("h2", { id: "watch-heading", class: "card__title" }, t.watchHeading),
        h("span", { class: "badge" }, t.readOnly)),
      h("p", { class: "watch__who" }, h("strong", {}, bdi(name)), " · ", joined([topicName(this.ctx, c.topic), c.agentName ?? t.nobody])),
      this.watchStatus,
      this.watchLog.element,
      this.watchTyping);
    this.renderConversations();
    try {
      const result = await this.ctx.session.invoke<ResumeResult>(Methods.watch, c.id);
      if (this.watched !== c.id) return;
      this.watchLog.addAll(result.messages);
      this.watchLog.addAll(this.ctx.session.transcript(c.id));
      // Following adds the conversation to those resumed after a reconnect, and fills any gap since Watch answered.
      await this.ctx.session.follow(c.id);
      if (this.watched === c.id) this.watchLog.addAll(this.ctx.session.transcript(c.id));
      if (result.conversation.status === "closed") this.watchStatus.replaceChildren(t.closedBanner(result.conversation.closedBy ?? ""), renderRating(result.conversation) ?? "");
      this.watchLog.scrollToEnd();
    } catch (error) {
      toast(describeError(error), "error");
    }
  }
}

function card(headingId: string, title: string, body: HTMLElement): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": headingId }, h("h2", { id: headingId, class: "card__title" }, title), body);
}

function stat(label: string, value: string, tone: string, key = ""): HTMLElement {
  return h("div", { class: tone ? `stat stat--${tone}` : "stat", "data-stat": key || null },
    h("span", { class: "stat__value" }, value), h("span", { class: "stat__label" }, label));
}

function table(labelledBy: string, headers: string[], rows: HTMLElement[]): HTMLTableElement {
  return h("table", { class: "table", "aria-labelledby": labelledBy },
    h("thead", {}, h("tr", {}, ...headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, ...rows));
}

function customerCell(c: ConversationView): HTMLElement {
  return h("span", {}, h("span", { class: "cell-main" }, bdi(customerName(c))),
    c.preQualification?.email ? h("span", { class: "cell-sub break" }, bdi(c.preQualification.email)) : null);
}

function loadMeter(load: number, max: number): HTMLElement {
  const meter = h("span", { class: "meter", "aria-hidden": "true" }, h("span", { class: "meter__fill" }));
  (meter.firstChild as HTMLElement).style.width = `${Math.min(100, (load / Math.max(1, max)) * 100)}%`;
  return h("span", { class: "load" }, meter, `${load}/${max}`);
}

function rank(a: AgentView): number {
  if (a.disabled) return 4;
  if (!a.connected) return 3;
  return a.status === "online" ? 0 : a.status === "away" ? 1 : 2;
}

/** Re-renders a region, giving focus back to the control with the same data-key if it had it. */
function keepFocus(region: HTMLElement, render: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && region.contains(active) ? active.dataset.key : undefined;
  render();
  if (key) region.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`)?.focus();
}
