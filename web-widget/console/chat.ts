// The open conversation: its messages, who is typing, "Seen", and the composer for replies and internal notes.
import { type Message, Methods } from "../sdk/contract";
import { bdi, formatTime, h, sentence } from "../sdk/dom";
import { TextLimit } from "../sdk/text-limit";
import { composerFiles } from "./attachments";
import { CallPane, type ConsoleCalls } from "./calls";
import { pickCanned } from "./canned";
import { type Ctx, customerName, topicName } from "./context";
import type { Conv } from "./desk-state";
import { MessageLog } from "./messages";
import { renderPresence } from "./presence";
import { renderRating } from "./rating";
import { t } from "./strings";
import { describeError, initials } from "./ui";

export type ComposerMode = "reply" | "note";

export interface Draft {
  text: string;
  mode: ComposerMode;
}

export interface ChatActions {
  transfer(conv: Conv): void;
  end(conv: Conv): void;
  dismiss(conv: Conv): void;
}

const TYPING_REFRESH_MS = 3000;
const TYPING_IDLE_MS = 4000;

export function renderEmptyChat(): HTMLElement {
  return h("div", { class: "chat chat--empty" },
    h("div", { class: "empty" },
      h("div", { class: "empty__art", "aria-hidden": "true" }),
      h("h2", {}, t.chatEmptyTitle),
      h("p", { class: "muted" }, t.chatEmptyText)));
}

export class ChatPane {
  readonly element: HTMLElement;
  private readonly log: MessageLog;
  private readonly typingLine = h("p", { class: "typing", role: "status", "aria-live": "polite" });
  private readonly banner = h("div", { class: "chat__banner", role: "status" });
  private readonly presence = h("p", { class: "chat__presence", role: "status" });
  private readonly actions = h("div", { class: "chat__actions" });
  private readonly composer: HTMLFormElement;
  private readonly textarea: HTMLTextAreaElement;
  private readonly label = h("label", { class: "sr-only", for: "composer" });
  private readonly replyButton: HTMLButtonElement;
  private readonly noteButton: HTMLButtonElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly attachButton: HTMLButtonElement;
  private readonly counter = h("span", { class: "composer__count", id: "composer-count", "aria-live": "polite" });
  private readonly limit: TextLimit;
  private readonly error = h("p", { class: "form-error", role: "alert" });
  private mode: ComposerMode;
  private typingSentAt = 0;
  private typingIdle: number | undefined;
  private shownState: string | null = null;
  private readonly callPane: CallPane;
  private readonly callButtons: HTMLButtonElement[];
  private readonly callsOff: () => void;

  constructor(private readonly ctx: Ctx, readonly conv: Conv, draft: Draft, private readonly actionsFor: ChatActions, private readonly saveDraft: (d: Draft) => void,
    private readonly calls: ConsoleCalls) {
    const view = conv.view;
    const name = customerName(view);
    this.mode = draft.mode;
    this.log = new MessageLog(t.messagesLabel(name), name);

    this.textarea = h("textarea", { id: "composer", class: "composer__input", rows: 3 });
    this.textarea.value = draft.text;
    this.replyButton = h("button", { type: "button", class: "mode-button", onclick: () => this.setMode("reply") }, t.reply);
    this.noteButton = h("button", { type: "button", class: "mode-button mode-button--note", onclick: () => this.setMode("note") }, t.note);
    this.sendButton = h("button", { type: "submit", class: "button button--primary composer__send" }, t.send);
    this.limit = new TextLimit(this.textarea, this.counter, this.sendButton, t.tooLongToSend, ctx.maxMessageLength);
    const cannedButton = h("button", { type: "button", class: "button button--quiet", "aria-haspopup": "dialog", title: t.canned, onclick: () => this.openCanned(false) }, t.cannedShort);

    // Files go to the customer, so only in reply mode; a note stays text.
    const files = composerFiles(view.id, this.textarea, () => this.conv.state === "open" && this.mode === "reply");
    this.attachButton = files.button;
    this.composer = h("form", { class: "composer", "aria-label": t.reply },
      h("div", { class: "composer__modes", role: "group", "aria-label": t.composerMode }, this.replyButton, this.noteButton),
      this.label,
      this.textarea,
      h("div", { class: "composer__bar" }, cannedButton, files.button, files.picker, this.counter, this.sendButton),
      files.status,
      this.error);
    this.composer.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    this.textarea.addEventListener("keydown", (e) => this.onKey(e));
    this.textarea.addEventListener("input", () => this.onInput());
    this.textarea.addEventListener("blur", () => this.stopTyping());

    this.callPane = new CallPane(calls, view.id, name);
    const callButton = (profile: "voice" | "video" | "mayday", label: string) =>
      h("button", { type: "button", class: "button button--small", "data-call": profile, onclick: () => void calls.start(view.id, profile) }, label);
    this.callButtons = [callButton("voice", t.voiceCall), callButton("video", t.videoCall), callButton("mayday", t.maydayCall)];
    this.callsOff = calls.onChange((id) => {
      if (id === view.id) this.refreshCallButtons();
    });

    const sub = [topicName(ctx, view.topic), t.modes[view.mode] ?? view.mode, t.started(formatTime(view.createdAt))].join(" · ");
    this.element = h("div", { class: "chat", "data-conversation": view.id },
      h("header", { class: "chat__head" },
        h("div", { class: "chat__title" },
          h("span", { class: "avatar", "aria-hidden": "true" }, initials(name)),
          h("div", {},
            h("h2", { class: "chat__name" }, bdi(name), view.mode === "mayday" ? h("span", { class: "tag tag--mayday" }, t.maydayTag) : null),
            h("p", { class: "chat__sub" }, sub),
            this.presence)),
        this.actions),
      this.callPane.element,
      this.banner,
      this.log.element,
      this.typingLine,
      this.composer);

    this.log.addAll(ctx.session.transcript(view.id));
    this.refresh();
    this.setMode(this.mode);
    queueMicrotask(() => this.log.scrollToEnd());
  }

  focusComposer(): void {
    if (!this.textarea.disabled) this.textarea.focus();
  }

  add(m: Message): void {
    this.log.add(m);
    this.refreshSeen();
  }

  /** Re-reads the conversation's state: typing, Seen, closed or transferred. */
  refresh(): void {
    const conv = this.conv;
    const open = conv.state === "open";
    this.typingLine.replaceChildren(open && conv.typing ? sentence(t.isTyping, customerName(conv.view)) : "");
    this.presence.replaceChildren(renderPresence(conv.view));
    this.refreshSeen();
    if (conv.state === "closed") this.banner.replaceChildren(t.closedBanner(conv.closedBy ?? ""), " ", renderRating(conv.view) ?? "");
    else if (conv.state === "transferred" && conv.transferredTo) this.banner.replaceChildren(sentence(t.transferredTo, conv.transferredTo), " ", t.transferredBanner);
    else this.banner.replaceChildren(conv.state === "transferred" ? t.transferredBanner : "");
    this.banner.hidden = open;
    this.composer.hidden = !open;
    this.refreshCallButtons();
    this.textarea.disabled = !open;
    if (this.shownState === conv.state) return;
    const hadFocus = this.actions.contains(document.activeElement);
    this.shownState = conv.state;
    this.actions.replaceChildren(...(open
      ? [
          h("div", { class: "call-buttons", role: "group", "aria-label": t.callGroup }, ...this.callButtons),
          h("button", { type: "button", class: "button", onclick: () => this.actionsFor.transfer(conv) }, t.transfer),
          h("button", { type: "button", class: "button button--danger-quiet", onclick: () => this.actionsFor.end(conv) }, t.endChat),
        ]
      : [h("button", { type: "button", class: "button", onclick: () => this.actionsFor.dismiss(conv) }, t.removeFromList)]));
    if (hadFocus) this.actions.querySelector("button")?.focus();
  }

  /** A call can start once an agent holds the conversation, and one at a time. */
  private refreshCallButtons(): void {
    const busy = !!this.calls.get(this.conv.view.id);
    const active = this.conv.state === "open" && this.conv.view.status === "active";
    for (const b of this.callButtons) b.disabled = busy || !active;
  }

  private refreshSeen(): void {
    this.log.markSeen(this.ctx.session.transcript(this.conv.view.id), this.conv.customerReadSeq);
  }

  private setMode(mode: ComposerMode): void {
    if (mode === "note") this.stopTyping();
    this.mode = mode;
    const note = mode === "note";
    this.composer.classList.toggle("composer--note", note);
    this.replyButton.setAttribute("aria-pressed", String(!note));
    this.noteButton.setAttribute("aria-pressed", String(note));
    this.attachButton.hidden = note;
    this.label.textContent = note ? t.noteLabel : t.replyLabel(customerName(this.conv.view));
    this.textarea.placeholder = note ? t.notePlaceholder : t.replyPlaceholder;
    this.sendButton.textContent = note ? t.addNote : t.send;
    this.persist();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.isComposing) return;
    if (e.key === "Enter" && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      void this.send();
    } else if (e.key === "/" && this.textarea.value === "" && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.openCanned(true);
    }
  }

  private onInput(): void {
    this.error.textContent = "";
    this.persist();
    if (this.mode !== "reply" || this.conv.state !== "open") return;
    if (this.textarea.value.trim() === "") {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (now - this.typingSentAt > TYPING_REFRESH_MS) {
      this.typingSentAt = now;
      this.ctx.session.invoke(Methods.typing, this.conv.view.id, true).catch(() => undefined);
    }
    clearTimeout(this.typingIdle);
    this.typingIdle = window.setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping(): void {
    clearTimeout(this.typingIdle);
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    if (this.conv.state === "open") this.ctx.session.invoke(Methods.typing, this.conv.view.id, false).catch(() => undefined);
  }

  private persist(): void {
    this.saveDraft({ text: this.textarea.value, mode: this.mode });
  }

  private async send(): Promise<void> {
    const text = this.textarea.value.trim();
    if (!text || this.conv.state !== "open" || this.limit.over) return;
    const mode = this.mode;
    this.error.textContent = "";
    this.textarea.value = "";
    this.limit.update();
    this.persist();
    if (mode === "reply") this.stopTyping();
    try {
      const m = await this.ctx.session.send(this.conv.view.id, text, mode === "note" ? Methods.addNote : Methods.sendMessage);
      this.add(m);
      this.log.scrollToEnd();
    } catch (error) {
      if (this.textarea.value === "") {
        this.textarea.value = text;
        this.limit.update();
        this.persist();
      }
      this.error.textContent = describeError(error);
    }
  }

  private async openCanned(fromSlash: boolean): Promise<void> {
    try {
      this.ctx.canned = await this.ctx.api.canned();
    } catch {
      // The list loaded at sign-in will do.
    }
    const start = this.textarea.selectionStart;
    const end = this.textarea.selectionEnd;
    pickCanned(this.ctx, this.conv.view, (text) => {
      const value = this.textarea.value;
      this.textarea.value = value.slice(0, start) + text + value.slice(end);
      const caret = start + text.length;
      this.textarea.focus();
      this.textarea.setSelectionRange(caret, caret);
      this.onInput();
    }, () => {
      if (fromSlash && this.textarea.value === "") this.textarea.value = "/";
      this.textarea.focus();
    });
  }

  dispose(): void {
    this.stopTyping();
    this.callsOff();
    this.callPane.dispose();
  }
}
