// One message as the console shows it, styled by kind; and a log that keeps messages in seq order.
import type { Message } from "../sdk/contract";
import { bdi, formatTime, h, linkified, sentence } from "../sdk/dom";
import { fileBody } from "./attachments";
import { t } from "./strings";
import { srOnly } from "./ui";

export function renderMessage(m: Message, customerName: string): HTMLElement {
  const body = () => (m.attachment ? fileBody(m) : h("p", { class: "msg__body" }, linkified(m.text)));
  const time = h("time", { datetime: m.sentAt, class: "msg__time" }, formatTime(m.sentAt));
  switch (m.kind) {
    case "system":
      return h("div", { class: "msg msg--system", "data-seq": m.seq },
        h("p", { class: "msg__body" }, srOnly(`${t.system}: `), bdi(m.text), " ", time));
    case "note":
      return h("div", { class: "msg msg--note", "data-seq": m.seq },
        h("div", { class: "msg__meta" },
          h("span", { class: "msg__label" }, h("span", { class: "msg__lock", "aria-hidden": "true" }), sentence(t.noteBy, m.senderName || t.agent)),
          time),
        h("p", { class: "msg__body" }, linkified(m.text)));
    case "agent":
      return h("div", { class: "msg msg--agent", "data-seq": m.seq },
        h("div", { class: "msg__meta" }, h("span", { class: "msg__who" }, bdi(m.senderName || t.agent)), time),
        body());
    default:
      return h("div", { class: "msg msg--customer", "data-seq": m.seq },
        h("div", { class: "msg__meta" }, h("span", { class: "msg__who" }, bdi(m.senderName || customerName)), time),
        body());
  }
}

/** Keeps message elements in seq order, whatever order they arrive in; each seq once. */
export class MessageLog {
  readonly element: HTMLElement;
  private readonly bySeq = new Map<number, HTMLElement>();
  private readonly seenMark = h("p", { class: "seen" }, t.seen);

  constructor(label: string, private readonly customerName: string, live = true) {
    this.element = h("div", {
      class: "log",
      role: "log",
      "aria-live": live ? "polite" : "off",
      "aria-label": label,
      tabindex: 0,
    });
  }

  add(m: Message): void {
    if (this.bySeq.has(m.seq)) return;
    const el = renderMessage(m, this.customerName);
    const stick = this.nearBottom();
    let before: HTMLElement | null = null;
    for (const [seq, other] of this.bySeq) {
      if (seq > m.seq && (!before || seq < Number(before.dataset.seq))) before = other;
    }
    this.bySeq.set(m.seq, el);
    this.element.insertBefore(el, before);
    if (stick) this.scrollToEnd();
  }

  addAll(messages: Message[]): void {
    for (const m of messages) this.add(m);
  }

  /** Marks the last agent message the customer has read with "Seen". */
  markSeen(messages: Message[], customerReadSeq: number): void {
    const last = messages.filter((m) => m.kind === "agent" && m.seq <= customerReadSeq).pop();
    const target = last ? this.bySeq.get(last.seq) : undefined;
    if (!target) {
      this.seenMark.remove();
      return;
    }
    if (this.seenMark.previousElementSibling !== target || !this.seenMark.isConnected) target.after(this.seenMark);
  }

  scrollToEnd(): void {
    this.element.scrollTop = this.element.scrollHeight;
  }

  private nearBottom(): boolean {
    const el = this.element;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }
}
