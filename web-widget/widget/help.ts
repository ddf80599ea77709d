// The customer's side of the help loop, rendered into a container: pre-chat, queue, chat, close and rating, the
// offline message form, and the device (Mayday) request. Used by the embeddable widget's panel and the /mayday page.
import type { Annotation, CallEnded, CallSignal, CallView, ConversationClosed, ConversationView, Message, QueueUpdate, ReadNotice, RequestHelpInput, RequestHelpResult, ResumeResult, SiteStatus, Topic, TypingNotice, AgentJoined } from "../sdk/contract";
import { CallEvents, Events, Methods } from "../sdk/contract";
import { append, bdi, clear, formatTime, h, linkified, sentence } from "../sdk/dom";
import { api, LiveHelpError, newId, Session, type ConnectionState } from "../sdk/session";
import { TextLimit } from "../sdk/text-limit";
import { Alerts } from "./alerts";
import { icon, type DeviceInfo, type WidgetEvent } from "./bridge";
import { WidgetFiles } from "./attachments";
import { CustomerCalls } from "./call-view";
import { showEnding } from "./ending";
import * as icons from "./icons";
import { offlineForm, type OfflinePrefill } from "./offline";
import { prechatForm } from "./prechat";
import { errorText, strings } from "./strings";
import type { Identity, VisitorStore } from "./visitor";
import { cardContents, initial, isOpen } from "./waiting";

export interface HelpOptions {
  base: string;
  store: VisitorStore;
  root: ShadowRoot;
  /** Where the views go: a flex column. */
  mount: HTMLElement;
  /** The connection banner (aria-live). */
  banner: HTMLElement;
  layout: "panel" | "page";
  emit(event: WidgetEvent, payload?: unknown): void;
  /** True while the customer can see the conversation (panel open, tab visible). */
  isVisible(): boolean;
  onUnread?(count: number): void;
  /** A call rings for the customer (the widget opens its panel). */
  onCall?(): void;
}

interface ChatRefs {
  card: HTMLElement;
  log: HTMLElement;
  typing: HTMLElement;
  footer: HTMLElement;
  stage: HTMLElement | null;
  placeholder: HTMLElement | null;
  composer: HTMLTextAreaElement | null;
}

// On a touch screen, focusing a text field by itself pops up the on-screen keyboard over the conversation.
const isTextEntry = (e: HTMLElement) => e instanceof HTMLTextAreaElement || (e instanceof HTMLInputElement && e.type !== "radio");
const touchOnly = () => matchMedia("(pointer: coarse)").matches && !matchMedia("(any-pointer: fine)").matches;

export class HelpView {
  private session: Session | null = null;
  private topics: Topic[] = [];
  private conv: ConversationView | null = null;
  private chat: ChatRefs | null = null;
  private device: DeviceInfo | null = null;
  private place: QueueUpdate | null = null;
  // The stay in the queue an agent last ended: a place from it (or earlier) that arrives late is not shown.
  private joinedFrom: { id: string; since: number } | null = null;
  // While a waiting customer leaves a message: what they have typed, which the composer takes back on their return.
  private leaving: (() => string) | null = null;
  private agentReadSeq = 0;
  private lastMarked = 0;
  private unread = 0;
  private closedShown = false;
  private initialFocus: HTMLElement | null = null;
  private focusPending = false;
  private typingSent = false;
  private typingTimer = 0;
  private agentTypingTimer = 0;
  private bannerTimer = 0;
  private wasDown = false;
  private readonly pending = new Map<string, HTMLElement>();
  private starting: Promise<void> | null = null;
  private resuming = false;
  private generation = 0;
  private defaults: { name: string; email: string } = { name: "", email: "" };
  /** The longest message the server takes, from /api/status. */
  private messageLimit = 4000;
  private readonly calls: CustomerCalls;
  private readonly alerts = new Alerts(() => this.o.isVisible());
  private readonly files: WidgetFiles;

  constructor(private readonly o: HelpOptions) {
    const stored = o.store.current;
    this.defaults = { name: stored?.name ?? "", email: stored?.email ?? "" };
    this.calls = new CustomerCalls({
      base: o.base,
      root: o.root,
      layout: o.layout,
      session: () => this.session,
      token: () => o.store.token,
      conversation: () => this.conv,
      isVisible: () => o.isVisible(),
      ringing: () => {
        this.alerts.ringing();
        o.onCall?.();
      },
    });
    this.files = new WidgetFiles({ base: o.base, token: () => o.store.token, root: o.root, conversationId: () => this.conv?.id ?? null, log: () => this.chat?.log ?? null });
  }

  /** Connects and shows what fits: the open conversation, the pre-chat form, or the offline form. Runs once at a time. */
  start(): Promise<void> {
    return (this.starting ??= this.run().finally(() => (this.starting = null)));
  }

  /** Asks for help at once in Mayday mode, topic "device", with what the device says about itself; no form. */
  async mayday(device: DeviceInfo): Promise<void> {
    this.device = device;
    if (device.userId && device.userHash) {
      const before = this.o.store.current?.visitorId;
      try {
        const stored = await this.o.store.identify({ userId: device.userId, userHash: device.userHash, name: device.name, email: device.email });
        if (before && before !== stored.visitorId) await this.reset();
      } catch (error) {
        return this.showFailure(error);
      }
    }
    if (this.starting) await this.starting;
    if (!this.session) return this.start();
    if (this.conv && isOpen(this.conv)) return;
    await this.requestHelp(this.maydayInput(), null);
  }

  /** The host site told us who the visitor is: keep the name and email for the forms, and reconnect as that visitor. */
  async identified(identity: Identity, visitorChanged: boolean): Promise<void> {
    if (identity.name) this.defaults.name = identity.name;
    if (identity.email) this.defaults.email = identity.email;
    if (visitorChanged && this.session) {
      await this.reset();
      await this.start();
    }
  }

  /** Moves keyboard focus to the view's first control now, or as soon as a view with one is shown. */
  focus(): void {
    if (this.initialFocus?.isConnected && !(isTextEntry(this.initialFocus) && touchOnly())) this.initialFocus.focus();
    else this.focusPending = true;
  }

  /** The conversation became visible (panel opened, tab shown): clear the unread count and mark what was read. */
  visibilityChanged(): void {
    this.reportPresence();
    if (!this.o.isVisible()) return;
    this.unread = 0;
    this.o.onUnread?.(0);
    this.alerts.seen();
    this.markRead();
  }

  private async reset(): Promise<void> {
    this.generation++;
    const session = this.session;
    this.calls.dispose();
    this.session = null;
    this.conv = null;
    this.chat = null;
    await session?.stop().catch(() => undefined);
  }

  private async run(): Promise<void> {
    const generation = ++this.generation;
    this.showLoading(this.device ? strings.maydayStarting : strings.loading);
    try {
      const status = await this.checkStatus();
      await this.o.store.ensure();
      await this.connect();
      if (generation !== this.generation) return;
      const mine = await this.session!.invoke<ConversationView[]>(Methods.myConversations);
      const open = mine.filter(isOpen).sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      if (open) {
        await this.enter(open);
        if (open.status === "queued") void this.refreshPlace(open);
      } else if (this.device) {
        await this.requestHelp(this.maydayInput(), null);
      } else if (status.agentsOnline === 0) {
        this.showOffline({});
      } else {
        await this.showPrechat();
      }
    } catch (error) {
      if (generation === this.generation) this.showFailure(error);
    }
  }

  /** A simple GET first: when this site is not allowed, its refusal says so (or, unreadable, the server still answers). */
  private async checkStatus(): Promise<SiteStatus> {
    try {
      return await this.siteStatus();
    } catch (error) {
      if (error instanceof LiveHelpError) throw error;
      const reachable = await fetch(new URL("/healthz", this.o.base), { mode: "no-cors", cache: "no-store" }).then(() => true, () => false);
      throw new LiveHelpError(reachable ? "origin_not_allowed" : "network", String(error));
    }
  }

  /** GET /api/status, keeping the server's message limit for the text fields. */
  private async siteStatus(): Promise<SiteStatus> {
    const status = await api<SiteStatus>(this.o.base, "/api/status");
    this.messageLimit = status.maxMessageLength;
    return status;
  }

  private async connect(): Promise<void> {
    if (this.session) return;
    const session = new Session(this.o.base, () => this.o.store.token);
    session.watchNetwork();
    session.onState((s) => this.stateChanged(s));
    session.onMessage((m) => this.messageArrived(m, !this.resuming));
    session.onResume((r) => this.resumed(r));
    session.on<QueueUpdate>(Events.queueUpdate, (u) => this.queueUpdated(u));
    session.on<AgentJoined>(Events.agentJoined, (j) => this.agentJoined(j));
    session.on<TypingNotice>(Events.typing, (t) => this.typingChanged(t));
    session.on<ReadNotice>(Events.read, (r) => this.readChanged(r));
    session.on<ConversationClosed>(Events.conversationClosed, (c) => this.closed(c));
    session.on<CallView>(CallEvents.started, (c) => this.calls.started(c));
    session.on<CallView>(CallEvents.updated, (c) => this.calls.updated(c));
    session.on<CallSignal>(CallEvents.signal, (s) => this.calls.signal(s));
    session.on<Annotation>(CallEvents.annotation, (a) => this.calls.annotation(a));
    session.on<CallEnded>(CallEvents.ended, (e) => this.calls.ended(e));
    this.session = session;
    try {
      await session.start();
    } catch (error) {
      this.session = null;
      throw error;
    }
  }

  private maydayInput(): RequestHelpInput {
    const d = this.device ?? {};
    return {
      topic: "device",
      mode: "mayday",
      details: d.details || null,
      name: d.name || null,
      email: d.email || null,
      deviceModel: d.model || null,
      deviceOs: d.os || null,
      appVersion: d.app || d.appVersion || null,
      pageUrl: this.o.layout === "panel" ? location.href : null,
    };
  }

  private async requestHelp(input: RequestHelpInput, form: { button: HTMLButtonElement; error: HTMLElement } | null): Promise<void> {
    let result: RequestHelpResult;
    try {
      result = await this.session!.invoke<RequestHelpResult>(Methods.requestHelp, input);
    } catch (error) {
      if (!form) return this.showFailure(error);
      this.focusPending = false;
      form.button.disabled = false;
      form.button.textContent = strings.startChat;
      form.button.focus();
      form.error.textContent = errorText(LiveHelpError.from(error).code);
      return;
    }
    if (result.status === "no_agents_online" || !result.conversation) {
      this.showOffline({ text: input.mode === "chat" ? input.details ?? "" : "", topic: input.topic, name: input.name ?? "", email: input.email ?? "" });
      return;
    }
    await this.enter(result.conversation, result.place ?? null);
  }

  /** After a reload the queue place is not known until it changes; asking again returns the open request and its place. */
  private async refreshPlace(c: ConversationView): Promise<void> {
    try {
      const again = await this.session!.invoke<RequestHelpResult>(Methods.requestHelp, { topic: c.topic, mode: c.mode });
      if (again.conversation?.id === c.id && again.place && this.conv?.id === c.id && this.conv.status === "queued") this.queueUpdated(again.place);
    } catch {
      // The next queue update says it anyway.
    }
  }

  // ---- views ---------------------------------------------------------------------------------------------------

  private show(view: HTMLElement, focus: HTMLElement | null): void {
    const active = this.o.root.activeElement;
    const hadFocus = !!active && this.o.mount.contains(active);
    this.calls.detach();
    clear(this.o.mount);
    this.o.mount.append(view);
    this.initialFocus = focus;
    if (focus && (hadFocus || this.focusPending) && this.o.isVisible() && !(isTextEntry(focus) && touchOnly())) {
      this.focusPending = false;
      focus.focus();
    }
  }

  private showLoading(text: string): void {
    this.chat = null;
    this.show(h("div", { class: "scroll center", role: "status" }, h("div", { class: "spinner", "aria-hidden": "true" }), h("p", {}, text)), null);
  }

  private showFailure(error: unknown): void {
    this.chat = null;
    const e = LiveHelpError.from(error);
    if (e.code === "origin_not_allowed") {
      const view = h(
        "div",
        { class: "scroll center", role: "alert" },
        h("div", { class: "bigicon warn" }, icon(icons.warning, 26)),
        h("h3", {}, strings.refusedTitle),
        h("p", {}, strings.refusedText(location.origin)),
      );
      this.show(view, null);
      return;
    }
    const retry = h("button", { type: "button", class: "btn secondary", onclick: () => void this.reset().then(() => this.start()) }, strings.retry);
    this.show(
      h("div", { class: "scroll center", role: "alert" }, h("div", { class: "bigicon warn" }, icon(icons.warning, 26)), h("h3", {}, strings.errorTitle), h("p", {}, strings.errorText), retry),
      retry,
    );
  }

  private async showPrechat(): Promise<void> {
    this.conv = null;
    this.chat = null;
    try {
      this.topics = await api<Topic[]>(this.o.base, "/api/topics");
    } catch (error) {
      return this.showFailure(error);
    }
    const { view, focus } = prechatForm({
      topics: this.topics,
      defaults: this.defaults,
      messageLimit: this.messageLimit,
      submit: (input, form) => {
        // Disabling the focused button drops the focus: the next view takes it.
        this.focusPending = true;
        this.defaults = { name: input.name ?? "", email: input.email ?? "" };
        this.o.store.remember(this.defaults);
        void this.requestHelp(input, form);
      },
    });
    this.show(view, focus);
  }

  /** The message form; `waiting` when the customer keeps their place in line while they write. */
  private showOffline(prefill: OfflinePrefill, waiting = false): void {
    if (!waiting) {
      this.conv = null;
      this.o.store.openConversation = null;
    }
    this.chat = null;
    const { view, text } = offlineForm({
      prefill,
      defaults: this.defaults,
      messageLimit: this.messageLimit,
      device: this.device,
      leave: (input) => this.session!.invoke(Methods.leaveMessage, input),
      busy: (busy) => (this.focusPending = busy),
      sent: (view, heading) => {
        if (waiting) this.leaving = () => "";
        this.show(view, heading);
      },
      backToLine: waiting ? () => this.backToLine() : undefined,
    });
    this.show(view, text);
    if (waiting) this.leaving = () => text.value.trim();
  }

  /** Nobody can answer the waiting customer now: they write a message instead, keeping their place in line. */
  private leaveMessage(): void {
    const c = this.conv;
    if (!c || c.status !== "queued") return;
    const q = c.preQualification;
    const typed = this.chat?.composer?.value.trim() ?? "";
    const text = [q.details ?? "", typed].filter(Boolean).join("\n\n");
    this.focusPending = true;
    this.showOffline({ text, topic: c.topic, name: q.name ?? "", email: q.email ?? "" }, true);
    // Back unchanged, the composer gets back just what it held; changed, the message as written.
    const written = this.leaving;
    this.leaving = () => (written?.() ?? "") === text ? typed : written?.() ?? "";
  }

  /** Back from the message form to the conversation, with what they had typed in the composer. */
  private backToLine(): void {
    const typed = this.leaving?.() ?? "";
    this.leaving = null;
    if (!this.conv) return;
    this.focusPending = true;
    this.renderConversation();
    const composer = this.chat?.composer;
    if (composer && typed) composer.value = typed;
  }

  // ---- the conversation -----------------------------------------------------------------------------------------

  private async enter(c: ConversationView, place: QueueUpdate | null = null): Promise<void> {
    this.conv = c;
    this.leaving = null;
    this.closedShown = false;
    this.agentReadSeq = c.agentReadSeq ?? 0;
    this.lastMarked = c.customerReadSeq ?? 0;
    this.place = c.status === "queued" && place?.conversationId === c.id ? place : null;
    if (this.place) this.o.emit("queue", this.place);
    this.pending.clear();
    this.o.store.openConversation = c.id;
    if (c.mode === "mayday" && !this.device) this.device = {};
    this.renderConversation();
    this.resuming = true;
    try {
      await this.session!.follow(c.id);
      this.reportPresence();
    } catch (error) {
      this.showFailure(error);
    } finally {
      this.resuming = false;
    }
  }

  /** Tells the agent whether the page is shown (here) or its tab hidden (away). */
  private reportPresence(): void {
    const c = this.conv;
    if (!c || !isOpen(c) || this.session?.state !== "connected") return;
    this.session.invoke(Methods.setPresence, c.id, document.visibilityState === "hidden" ? "away" : "here").catch(() => undefined);
  }

  private renderConversation(): void {
    const c = this.conv!;
    const card = h("div", { class: "card", role: "status" });
    const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": strings.log, tabindex: 0 });
    const typing = h("div", { class: "typing", role: "status" });
    const footer = h("div", {});
    const placeholder = c.mode === "mayday" ? h("div", { class: "stage__placeholder" }) : null;
    const stage = placeholder ? h("section", { class: "stage", "aria-label": strings.maydayVideo }, placeholder) : null;
    this.chat = { card, log, typing, footer, stage, placeholder, composer: null };
    const column = h("div", { class: "chatcol" }, card, log, typing, footer);
    const view = h("div", { class: "layout" }, stage, column);
    if (isOpen(c)) this.renderComposer();
    this.renderCard();
    this.show(view, this.chat.composer);
    this.calls.attach({ layout: view, column, card, stage });
    for (const m of this.session?.transcript(c.id) ?? []) this.messageArrived(m, false);
    if (!isOpen(c)) this.renderClosed(c.closedBy ?? "");
  }

  private renderCard(): void {
    const chat = this.chat;
    const c = this.conv;
    if (!chat || !c) return;
    const hadFocus = !!this.o.root.activeElement && chat.card.contains(this.o.root.activeElement);
    chat.card.replaceChildren(...cardContents({ conversation: c, place: this.place, callButtons: () => this.calls.startButtons(), leaveMessage: () => this.leaveMessage() }));
    if (hadFocus) chat.card.querySelector<HTMLElement>(".cardaction")?.focus();
    this.renderActions();
    if (chat.placeholder) {
      clear(chat.placeholder);
      const name = c.status === "active" ? c.agentName : null;
      append(
        chat.placeholder,
        h("div", { class: "avatar", "aria-hidden": "true" }, name ? initial(name) : icon(icons.person, 40)),
        name ? h("p", { class: "name" }, bdi(name)) : null,
        h("p", {}, strings.maydayVideoSoon),
      );
    }
  }

  private renderComposer(): void {
    const chat = this.chat!;
    const input = h("textarea", {
      id: "lh-composer",
      rows: 1,
      placeholder: this.conv?.status === "queued" ? strings.composerWaiting : strings.composerPlaceholder,
    });
    const send = h("button", { type: "submit", class: "sendbtn", "aria-label": strings.send }, icon(icons.send, 20));
    const count = h("p", { class: "count", id: "lh-composer-count", "aria-live": "polite" });
    const limit = new TextLimit(input, count, send, strings.tooLongToSend, this.messageLimit, 200);
    const form = h(
      "form",
      { class: "composer" },
      h("label", { class: "sr", for: "lh-composer" }, strings.composer),
      input,
      send,
    );
    this.files.composer(form, input, send);
    const submit = () => {
      const text = input.value.trim();
      if (!text || limit.over) return;
      input.value = "";
      limit.update();
      this.autosize(input);
      this.stopTyping();
      void this.sendText(text);
    };
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      submit();
      input.focus();
    });
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    input.addEventListener("input", () => {
      this.autosize(input);
      this.startTyping(input.value.length > 0);
    });
    clear(chat.footer);
    chat.footer.append(form, count, h("div", { class: "actions" }));
    chat.composer = input;
    this.renderActions();
  }

  /** Below the composer: cancel while waiting in line, end the chat once someone is helping. */
  private renderActions(): void {
    const actions = this.chat?.footer.querySelector(".actions");
    const c = this.conv;
    if (!actions || !c || !isOpen(c)) return;
    const queued = c.status === "queued";
    const label = queued ? strings.cancel : strings.endChat;
    if (actions.textContent === label) return;
    const hadFocus = this.o.root.activeElement?.parentElement === actions;
    const button = h("button", { type: "button", class: "linkbtn", onclick: () => void (queued ? this.cancel() : this.endChat()) }, label);
    actions.replaceChildren(button);
    if (hadFocus) button.focus();
  }

  private autosize(input: HTMLTextAreaElement): void {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
  }

  private messageElement(m: Pick<Message, "kind" | "text" | "senderName" | "sentAt"> & Partial<Message>, state: "stored" | "pending" = "stored"): HTMLElement {
    if (m.kind === "system") return h("div", { class: "msg system" }, m.text);
    const mine = m.kind === "customer";
    const time = formatTime(m.sentAt);
    const bubble = m.attachment ? this.files.view(m as Message) : h("div", { class: "bubble" }, linkified(m.text));
    if (mine) {
      return h(
        "div",
        { class: "msg mine" },
        h("span", { class: "sr" }, strings.you + ": "),
        bubble,
        h("div", { class: "meta" }, h("span", { class: "time" }, state === "pending" ? strings.sending : time), h("span", { class: "receipt" })),
      );
    }
    const who = m.senderName || this.conv?.agentName || "";
    return h("div", { class: "msg theirs" }, h("div", { class: "meta" }, who ? bdi(who) : null, who ? ` · ${time}` : time), bubble);
  }

  private messageArrived(m: Message, live: boolean): void {
    const chat = this.chat;
    if (!this.conv || m.conversationId !== this.conv.id || !chat) return;
    if (chat.log.querySelector(`[data-seq="${m.seq}"]`)) return;
    if (m.clientMessageId && this.pending.has(m.clientMessageId)) {
      this.pending.get(m.clientMessageId)!.remove();
      this.pending.delete(m.clientMessageId);
    }
    const el = this.messageElement(m);
    el.dataset.seq = String(m.seq);
    el.dataset.kind = m.kind;
    const next = [...chat.log.children].find((c) => {
      const seq = (c as HTMLElement).dataset.seq;
      return seq === undefined || Number(seq) > m.seq;
    });
    const stick = chat.log.scrollHeight - chat.log.scrollTop - chat.log.clientHeight < 60;
    chat.log.insertBefore(el, next ?? null);
    if (stick || m.kind === "customer") chat.log.scrollTop = chat.log.scrollHeight;
    if (m.kind === "agent") this.typingChanged({ conversationId: m.conversationId, role: "agent", isTyping: false });
    if (m.kind === "customer") this.updateReceipts();
    if (live) this.o.emit("message", m);
    if (m.kind === "agent" && m.seq > this.lastMarked && !this.o.isVisible()) {
      this.unread++;
      this.o.onUnread?.(this.unread);
      this.alerts.unreadChanged(this.unread, live);
    }
    if (m.kind !== "customer") this.markRead();
  }

  private async sendText(text: string, clientMessageId = newId(), existing?: HTMLElement): Promise<void> {
    const chat = this.chat;
    const c = this.conv;
    if (!chat || !c || !this.session) return;
    const el = existing ?? this.messageElement({ kind: "customer", text, senderName: null, sentAt: new Date().toISOString() }, "pending");
    el.classList.remove("failed");
    el.dataset.pending = clientMessageId;
    const time = el.querySelector(".time");
    if (time) time.textContent = strings.sending;
    el.querySelector(".retry")?.remove();
    this.pending.set(clientMessageId, el);
    if (!existing) {
      chat.log.append(el);
      chat.log.scrollTop = chat.log.scrollHeight;
    }
    try {
      await this.session.send(c.id, text, Methods.sendMessage, clientMessageId);
    } catch (error) {
      if (!el.isConnected || !this.pending.has(clientMessageId)) return;
      el.classList.add("failed");
      const code = LiveHelpError.from(error).code;
      if (time) time.textContent = code === "connection" ? strings.notSent : errorText(code);
      if (code === "connection" || code === "rate_limited" || code === "unavailable") {
        el.querySelector(".meta")?.append(h("button", { type: "button", class: "linkbtn retry", onclick: () => void this.sendText(text, clientMessageId, el) }, strings.retry));
      }
    }
  }

  private updateReceipts(): void {
    const chat = this.chat;
    if (!chat) return;
    let seen: HTMLElement | null = null;
    for (const el of chat.log.querySelectorAll<HTMLElement>(".msg.mine[data-seq]")) {
      el.querySelector(".receipt")!.textContent = "";
      if (Number(el.dataset.seq) <= this.agentReadSeq) seen = el;
    }
    if (seen) seen.querySelector(".receipt")!.textContent = ` · ${strings.seen}`;
  }

  private markRead(): void {
    const c = this.conv;
    if (!c || !this.session || !this.o.isVisible() || this.session.state !== "connected") return;
    const last = this.session.lastSeq(c.id);
    if (last <= this.lastMarked) return;
    this.lastMarked = last;
    this.session.invoke(Methods.markRead, c.id, last).catch(() => (this.lastMarked = Math.min(this.lastMarked, last - 1)));
  }

  private startTyping(hasText: boolean): void {
    const c = this.conv;
    if (!c || !this.session || c.status === "closed") return;
    clearTimeout(this.typingTimer);
    if (!hasText) return this.stopTyping();
    if (!this.typingSent) {
      this.typingSent = true;
      this.session.invoke(Methods.typing, c.id, true).catch(() => undefined);
    }
    this.typingTimer = window.setTimeout(() => this.stopTyping(), 4000);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    if (!this.typingSent || !this.conv || !this.session) return;
    this.typingSent = false;
    this.session.invoke(Methods.typing, this.conv.id, false).catch(() => undefined);
  }

  private async cancel(): Promise<void> {
    const c = this.conv;
    if (!c || !this.session) return;
    try {
      await this.session.invoke(Methods.cancelHelp, c.id);
    } catch {
      // not_queued: an agent took it meanwhile, and the agentJoined event shows them.
      return;
    }
    this.session.unfollow(c.id);
    this.o.store.openConversation = null;
    this.device = null;
    this.focusPending = true;
    await this.showPrechat();
  }

  private async endChat(): Promise<void> {
    const c = this.conv;
    if (!c || !this.session) return;
    try {
      await this.session.invoke(Methods.closeConversation, c.id);
    } catch (error) {
      if (LiveHelpError.from(error).code === "conversation_closed") this.closed({ conversationId: c.id, closedBy: "customer" });
    }
  }

  // ---- events --------------------------------------------------------------------------------------------------

  private queueUpdated(u: QueueUpdate): void {
    if (!this.conv || u.conversationId !== this.conv.id) return;
    if (this.joinedFrom?.id === u.conversationId && Date.parse(u.queuedSince) <= this.joinedFrom.since) return;
    this.place = u;
    if (this.conv.status !== "queued") this.conv = { ...this.conv, status: "queued", agentId: null, agentName: null };
    // Someone can answer again: back from the message form to the place in line.
    if (this.leaving && !u.nobodyOnline) this.backToLine();
    else this.renderCard();
    this.o.emit("queue", u);
  }

  private agentJoined(j: AgentJoined): void {
    if (!this.conv || j.conversationId !== this.conv.id) return;
    this.joinedFrom = { id: j.conversationId, since: Date.parse(j.queuedSince) };
    this.conv = { ...this.conv, status: "active", agentId: j.agentId, agentName: j.agentName };
    this.place = null;
    if (this.leaving) this.backToLine();
    else this.renderCard();
    if (this.chat?.composer) this.chat.composer.placeholder = strings.composerPlaceholder;
    this.o.emit("agentJoined", j);
  }

  private typingChanged(t: TypingNotice): void {
    const chat = this.chat;
    if (!chat || !this.conv || t.conversationId !== this.conv.id || t.role === "customer") return;
    clearTimeout(this.agentTypingTimer);
    const name = t.name || this.conv.agentName;
    chat.typing.replaceChildren(t.isTyping ? (name ? sentence(strings.agentTyping, name) : strings.someoneTyping) : "");
    if (t.isTyping) this.agentTypingTimer = window.setTimeout(() => (chat.typing.textContent = ""), 10000);
  }

  private readChanged(r: ReadNotice): void {
    if (!this.conv || r.conversationId !== this.conv.id || r.role === "customer") return;
    this.agentReadSeq = Math.max(this.agentReadSeq, r.seq);
    this.updateReceipts();
  }

  private resumed(r: ResumeResult): void {
    const c = r.conversation;
    if (!this.conv || c.id !== this.conv.id) return;
    const was = this.conv;
    // A Resume answer may have been read before an agentJoined that arrived first: it never moves back to the queue
    // (a real return to the queue comes with queue updates).
    this.conv = was.status === "active" && c.status === "queued" ? { ...c, status: was.status, agentId: was.agentId, agentName: was.agentName } : c;
    if (c.agentReadSeq > this.agentReadSeq) {
      this.agentReadSeq = c.agentReadSeq;
      this.updateReceipts();
    }
    if (was.status !== this.conv.status || was.agentName !== this.conv.agentName) {
      if (this.conv.status !== "queued") this.place = null;
      this.renderCard();
    }
    if (!isOpen(c)) this.closed({ conversationId: c.id, closedBy: c.closedBy ?? "" });
  }

  private closed(notice: ConversationClosed): void {
    const c = this.conv;
    if (!c || notice.conversationId !== c.id || this.closedShown) return;
    this.conv = { ...c, status: "closed", closedBy: notice.closedBy };
    if (this.leaving) this.backToLine();
    this.session?.unfollow(c.id);
    this.o.store.openConversation = null;
    clearTimeout(this.typingTimer);
    this.typingSent = false;
    if (this.chat) this.chat.typing.textContent = "";
    this.renderCard();
    this.renderClosed(notice.closedBy);
    this.o.emit("closed", notice);
  }

  private renderClosed(closedBy: string): void {
    const chat = this.chat;
    const c = this.conv;
    if (!chat || !c || this.closedShown) return;
    this.closedShown = true;
    chat.composer = null;
    this.initialFocus = showEnding(chat, {
      base: this.o.base,
      root: this.o.root,
      session: () => this.session,
      token: () => this.o.store.token,
      conversation: c,
      closedBy,
      visible: this.o.isVisible(),
      again: { label: this.device ? strings.maydayAgain : strings.newChat, start: () => void this.newChat() },
    });
  }

  private async newChat(): Promise<void> {
    this.conv = null;
    this.chat = null;
    this.focusPending = true;
    if (this.device) {
      this.showLoading(strings.maydayStarting);
      await this.requestHelp(this.maydayInput(), null);
      return;
    }
    this.showLoading(strings.loading);
    let agentsOnline = 1;
    try {
      agentsOnline = (await this.siteStatus()).agentsOnline;
    } catch {
      // RequestHelp says so if nobody is there.
    }
    if (agentsOnline === 0) this.showOffline({});
    else await this.showPrechat();
  }

  private stateChanged(state: ConnectionState): void {
    this.o.emit("state", state);
    const banner = this.o.banner;
    clearTimeout(this.bannerTimer);
    banner.dataset.state = state;
    clear(banner);
    if (state === "reconnecting") {
      this.wasDown = true;
      banner.hidden = false;
      banner.append(icon(icons.warning, 16), h("span", {}, navigator.onLine ? strings.connectionLost : strings.connectionOffline));
    } else if (state === "connected") {
      if (!this.wasDown) {
        banner.hidden = true;
        return;
      }
      this.wasDown = false;
      banner.hidden = false;
      banner.append(icon(icons.check, 16), h("span", {}, strings.connectionBack));
      this.bannerTimer = window.setTimeout(() => (banner.hidden = true), 4000);
      this.markRead();
      // Back after a long drop the server counts the customer here; a hidden tab says otherwise.
      this.reportPresence();
    } else if (state === "disconnected" && this.session && this.conv) {
      banner.hidden = false;
      banner.append(
        icon(icons.warning, 16),
        h("span", {}, strings.connectionClosed),
        h("button", { type: "button", class: "linkbtn", onclick: () => void this.reset().then(() => this.start()) }, strings.retry),
      );
    } else {
      banner.hidden = true;
    }
  }
}
