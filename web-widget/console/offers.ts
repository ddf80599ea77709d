// Incoming offers: the whole pre-qualification, a live countdown to the deadline, a beep, a browser notification,
// and Accept / Decline. Offers never take keyboard focus, so an agent typing elsewhere cannot accept by accident.
import { type ConversationView, Methods, type OfferNotice, type OfferWithdrawn } from "../sdk/contract";
import { bdi, h, isolate, joined } from "../sdk/dom";
import { LiveHelpError } from "../sdk/session";
import { announce, beep, notify } from "./alerts";
import { type Ctx, customerName, toast, topicName } from "./context";
import { t } from "./strings";
import { describeError, facts, safeLink, uid } from "./ui";

interface Shown {
  notice: OfferNotice;
  element: HTMLElement;
  timer: HTMLElement;
  bar: HTMLElement;
  total: number;
  deadline: number;
}

export class Offers {
  readonly element = h("div", { class: "offers", role: "region", "aria-label": t.offersRegion });
  private readonly shown = new Map<string, Shown>();
  private ticker: number | undefined;

  constructor(private readonly ctx: Ctx, private readonly accepted: (view: ConversationView) => void, private readonly onCount: () => void) {}

  get count(): number {
    return this.shown.size;
  }

  add(notice: OfferNotice): void {
    this.remove(notice.conversationId);
    const view = notice.conversation;
    const p = view.preQualification ?? {};
    const name = customerName(view);
    const topic = topicName(this.ctx, view.topic);
    const titleId = uid("offer");
    const deadline = new Date(notice.deadline).getTime();
    const timer = h("span", { class: "offer__timer", role: "timer", "aria-live": "off" });
    const bar = h("span", { class: "offer__progress" });
    const error = h("p", { class: "form-error", role: "alert" });
    const accept = h("button", { type: "button", class: "button button--primary" }, t.accept);
    const decline = h("button", { type: "button", class: "button" }, t.decline);
    const device = [p.deviceModel, p.deviceOs, p.appVersion].some(Boolean) ? joined([p.deviceModel, p.deviceOs, p.appVersion]) : null;

    const element = h("section", { class: view.mode === "mayday" ? "offer offer--mayday" : "offer", "aria-labelledby": titleId, "data-conversation": view.id },
      h("div", { class: "offer__head" },
        h("h2", { id: titleId, class: "offer__title" }, t.offerHeading),
        view.mode === "mayday" ? h("span", { class: "tag tag--mayday" }, t.maydayTag) : null,
        timer),
      h("div", { class: "offer__track", "aria-hidden": "true" }, bar),
      // A line each, cut short when long (the title shows it whole), so the card keeps Accept on screen.
      h("p", { class: "offer__who" },
        h("strong", { class: "offer__name", title: name }, bdi(name)),
        p.email ? h("span", { class: "offer__email", title: p.email }, bdi(p.email)) : null),
      facts([
        [t.topic, topic],
        [t.mode, t.modes[view.mode] ?? view.mode],
        [t.details, p.details ? h("span", { class: "prewrap clamp" }, p.details) : null],
        [t.offerTransferNote, notice.transferNote ? h("span", { class: "prewrap clamp" }, notice.transferNote) : null],
        [t.orderId, p.orderId],
        [t.pageUrl, p.pageUrl ? safeLink(p.pageUrl) : null],
        [t.device, device],
      ]),
      error,
      h("div", { class: "offer__actions" }, accept, decline));

    accept.addEventListener("click", async () => {
      accept.disabled = decline.disabled = true;
      accept.textContent = t.accepting;
      try {
        const conversation = await this.ctx.session.invoke<ConversationView>(Methods.acceptOffer, view.id);
        this.remove(view.id);
        this.accepted(conversation);
      } catch (err) {
        this.fail(view.id, error, err);
        accept.textContent = t.accept;
      }
    });
    decline.addEventListener("click", async () => {
      accept.disabled = decline.disabled = true;
      try {
        await this.ctx.session.invoke(Methods.declineOffer, view.id);
        this.remove(view.id);
      } catch (err) {
        this.fail(view.id, error, err);
      }
    });

    const total = Math.max(1000, deadline - Date.now());
    this.shown.set(view.id, { notice, element, timer, bar, total, deadline });
    this.element.append(element);
    this.tick();
    this.ticker ??= window.setInterval(() => this.tick(), 250);
    this.onCount();

    beep();
    announce(t.offerAnnounce(name, topic), true);
    notify(t.offerNotificationTitle, t.offerNotificationBody(isolate(name), topic), view.id);
  }

  withdrawn(n: OfferWithdrawn): void {
    if (!this.shown.has(n.conversationId)) return;
    this.remove(n.conversationId);
    toast(n.reason === "cancelled" ? t.offerCancelled : t.offerLapsed);
  }

  private fail(id: string, target: HTMLElement, err: unknown): void {
    if (LiveHelpError.from(err).code === "offer_gone") {
      this.remove(id);
      toast(t.offerGone);
      return;
    }
    target.textContent = describeError(err);
    const shown = this.shown.get(id);
    shown?.element.querySelectorAll("button").forEach((b) => (b.disabled = false));
  }

  remove(id: string): boolean {
    const shown = this.shown.get(id);
    if (!shown) return false;
    shown.element.remove();
    this.shown.delete(id);
    if (this.shown.size === 0 && this.ticker !== undefined) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    this.onCount();
    return true;
  }

  private tick(): void {
    const now = Date.now();
    for (const [id, s] of this.shown) {
      const left = s.deadline - now;
      const seconds = Math.max(0, Math.ceil(left / 1000));
      s.timer.textContent = t.secondsLeft(seconds);
      s.bar.style.width = `${Math.max(0, Math.min(100, (left / s.total) * 100))}%`;
      s.element.classList.toggle("offer--urgent", seconds <= 5);
      // The server withdraws a lapsed offer; if that word is lost, the card goes a little later anyway.
      if (left < -5000) this.remove(id);
    }
  }
}
