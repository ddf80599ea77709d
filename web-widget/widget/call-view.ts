// The customer's side of a call, in the widget's panel and on the /mayday page: the incoming call prompt (a Mayday
// call in a Mayday conversation is answered at once: the press was the consent), the agent's video, microphone and
// camera switches, screen sharing with our own consent question first, pause, resume and stop, and the agent's
// drawings over the page.
import { CallPeer, receivesCamera, sendsCamera, Slot } from "../sdk/call";
import { type Annotation, type CallEnded, CallMethods, type CallProfile, type CallSignal, type CallView, type ConversationView } from "../sdk/contract";
import { bdi, h, sentence } from "../sdk/dom";
import { InkLayer } from "../sdk/ink";
import { LiveHelpError, type Session } from "../sdk/session";
import { icon } from "./bridge";
import * as icons from "./icons";
import { errorText, strings } from "./strings";

export interface CallHost {
  base: string;
  root: ShadowRoot;
  layout: "panel" | "page";
  session(): Session | null;
  token(): string | null;
  conversation(): ConversationView | null;
  isVisible(): boolean;
  /** A call rings for the customer: the widget opens its panel. */
  ringing?(): void;
}

/** Where the call goes in the conversation view. */
export interface CallMount {
  layout: HTMLElement;
  column: HTMLElement;
  card: HTMLElement;
  /** The Mayday stage, already on the page in Mayday conversations. */
  stage: HTMLElement | null;
}

interface StageParts {
  stage: HTMLElement;
  own: boolean;
  media: HTMLElement;
  video: HTMLVideoElement;
  self: HTMLVideoElement;
}

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, "0")}`;

export class CustomerCalls {
  private view: CallView | null = null;
  private peer: CallPeer | null = null;
  private mount: CallMount | null = null;
  private bar: HTMLElement | null = null;
  private consent: HTMLElement | null = null;
  private stageParts: StageParts | null = null;
  private audio: HTMLAudioElement | null = null;
  private ink: InkLayer | null = null;
  private notice: string | null = null;
  private noticeTimer = 0;
  private ticker = 0;
  private connectedAt = 0;
  private readonly starter = h("div", { class: "card__call", role: "group", "aria-label": strings.startCallGroup });

  constructor(private readonly host: CallHost) {
    // Leaving the page ends the call: nobody is left on this side to carry it.
    addEventListener("pagehide", () => {
      const peer = this.peer;
      if (peer?.isLive) void this.host.session()?.connection.send(CallMethods.end, peer.conversationId).catch(() => undefined);
    });
    addEventListener("resize", () => this.ink?.render());
  }

  /** The conversation view was (re)built: put the call's parts into it. */
  attach(mount: CallMount): void {
    this.mount = mount;
    this.bar = null;
    this.consent = null;
    this.stageParts = null;
    this.render();
  }

  detach(): void {
    this.mount = null;
    this.bar = null;
    this.consent = null;
    this.stageParts = null;
  }

  // ---- hub events ----------------------------------------------------------------------------------------------

  started(view: CallView): void {
    const conversation = this.host.conversation();
    if (!conversation || view.conversationId !== conversation.id || this.view?.id === view.id || this.peer?.isLive) return;
    this.reset();
    this.view = view;
    if (view.startedBy === "customer") {
      void this.createPeer(view).prepare();
    } else if (view.profile === "mayday" && conversation.mode === "mayday") {
      void this.accept(true);
    } else {
      this.host.ringing?.();
    }
    this.render();
  }

  updated(view: CallView): void {
    if (!this.view || view.id !== this.view.id) return;
    this.view = view;
    this.peer?.update(view);
    this.render();
  }

  signal(s: CallSignal): void {
    if (this.view && s.callId === this.view.id) this.peer?.signal(s);
  }

  annotation(a: Annotation): void {
    const conversation = this.host.conversation();
    if (!conversation || a.conversationId !== conversation.id) return;
    this.overlay().add(a);
  }

  ended(e: CallEnded): void {
    if (!this.view || e.callId !== this.view.id) return;
    const failed = this.peer?.state === "failed";
    this.peer?.close();
    this.reset();
    this.flash(failed ? strings.callFailed : strings.callEndedNotice);
  }

  /** The customer's own way into a call, shown beside the agent's name once someone is helping. */
  startButtons(): HTMLElement {
    this.renderStart();
    return this.starter;
  }

  // ---- actions -------------------------------------------------------------------------------------------------

  private async start(profile: CallProfile): Promise<void> {
    const conversation = this.host.conversation();
    const session = this.host.session();
    if (!conversation || !session || this.view) return;
    let view: CallView;
    try {
      view = await session.invoke<CallView>(CallMethods.start, conversation.id, profile);
    } catch (error) {
      const code = LiveHelpError.from(error).code;
      this.flash(code === "call_in_progress" ? strings.callBusy : errorText(code));
      return;
    }
    this.started(view);
    const peer = this.peer;
    if (profile !== "mayday" || !peer || peer.call.id !== view.id) return;
    if (this.host.layout === "page") {
      await peer.prepare();
      await this.share();
    } else {
      this.askConsent();
    }
  }

  private createPeer(view: CallView): CallPeer {
    const session = this.host.session()!;
    const peer = new CallPeer({ session, base: this.host.base, token: () => this.host.token(), side: "customer", call: view });
    this.peer = peer;
    peer.onChange(() => {
      if (this.peer !== peer) return;
      if (peer.state === "failed") {
        this.reset();
        this.flash(strings.callFailed);
        return;
      }
      this.render();
    });
    return peer;
  }

  private async accept(auto: boolean): Promise<void> {
    const view = this.view;
    if (!view) return;
    const peer = this.peer ?? this.createPeer(view);
    this.render();
    try {
      await peer.answer(true);
    } catch {
      peer.close();
      if (this.peer === peer) {
        this.reset();
        this.flash(strings.callGone);
      }
      return;
    }
    if (view.profile !== "mayday") return;
    if (auto || this.host.layout === "page") {
      await peer.prepare();
      await this.share();
    } else {
      this.askConsent();
    }
  }

  private async decline(): Promise<void> {
    const view = this.view;
    if (!view) return;
    this.reset();
    await this.host.session()?.invoke(CallMethods.answer, view.conversationId, false).catch(() => undefined);
  }

  private async share(): Promise<void> {
    const peer = this.peer;
    if (!peer) return;
    this.closeConsent();
    if (!(await peer.shareScreen()) && this.peer === peer) this.flash(strings.screenNotShared);
  }

  /** Our own question before the browser's: who will see the screen, and that it can be paused or stopped. */
  private askConsent(): void {
    const column = this.mount?.column;
    if (!column || !this.peer) return;
    this.closeConsent();
    const name = this.agentName() || strings.yourAgent;
    const yes = h("button", { type: "button", class: "btn primary", onclick: () => void this.share() }, icon(icons.screen, 18), strings.consentShare);
    const no = h("button", { type: "button", class: "btn secondary", onclick: () => this.closeConsent(true) }, strings.consentLater);
    this.consent = h(
      "div",
      { class: "consent", role: "dialog", "aria-labelledby": "lh-consent-title", "aria-describedby": "lh-consent-text" },
      h("h3", { id: "lh-consent-title" }, sentence(strings.consentTitle, name)),
      h("p", { id: "lh-consent-text" }, strings.consentText),
      h("div", { class: "row2" }, yes, no),
    );
    (this.bar ?? this.mount!.card).after(this.consent);
    yes.focus();
  }

  private closeConsent(refocus = false): void {
    if (!this.consent) return;
    const hadFocus = this.consent.contains(this.host.root.activeElement);
    this.consent.remove();
    this.consent = null;
    if (refocus || hadFocus) (this.bar?.querySelector<HTMLElement>("[data-action=share]") ?? this.bar?.querySelector<HTMLElement>("button"))?.focus();
  }

  private shareClicked(): void {
    if (this.host.layout === "page") void this.share();
    else this.askConsent();
  }

  // ---- drawing -------------------------------------------------------------------------------------------------

  private renderStart(): void {
    const conversation = this.host.conversation();
    const profiles: CallProfile[] = conversation?.mode === "mayday" ? ["mayday"] : ["voice", "video"];
    const busy = !!this.view;
    const signature = profiles.join() + busy;
    if (this.starter.dataset.signature === signature) return;
    this.starter.dataset.signature = signature;
    const hadFocus = this.starter.contains(this.host.root.activeElement);
    this.starter.replaceChildren(...profiles.map((profile) => {
      const label = strings.startCall[profile];
      return h("button", { type: "button", class: "cardbtn", "data-call": profile, "aria-label": label, title: label, disabled: busy, onclick: () => void this.start(profile) },
        icon(profile === "voice" ? icons.phone : profile === "video" ? icons.camera : icons.screen, 18));
    }));
    if (hadFocus) (this.starter.querySelector<HTMLElement>("button:not([disabled])") ?? this.bar?.querySelector<HTMLElement>("button"))?.focus();
  }

  private render(): void {
    this.renderStart();
    this.renderBar();
    this.syncStage();
    this.syncAudio();
  }

  private renderBar(): void {
    const mount = this.mount;
    if (!mount) return;
    const view = this.view;
    const peer = this.peer;
    if (!view && !this.notice) {
      this.bar?.remove();
      this.bar = null;
      this.closeConsent();
      return;
    }
    if (!this.bar || !this.bar.isConnected) {
      this.bar?.remove();
      this.bar = h("section", { class: "callbar", "aria-label": strings.callControls });
      mount.card.after(this.bar);
    }
    const focused = this.host.root.activeElement as HTMLElement | null;
    const focusedAction = focused && this.bar.contains(focused) ? focused.dataset.action : undefined;
    const parts: Node[] = [];
    if (!view) {
      parts.push(h("div", { class: "callbar__text" }, h("p", { class: "callbar__status", role: "status" }, this.notice)));
    } else if (!peer && view.state === "ringing") {
      const name = this.agentName();
      parts.push(
        h("div", { class: "callbar__text callbar__incoming", role: "status" },
          h("p", { class: "callbar__title" }, name ? sentence(strings.callIncoming, name) : strings.callIncomingSomeone),
          h("p", { class: "callbar__sub" }, strings.callKinds[view.profile] ?? view.profile)),
        h("div", { class: "callbar__buttons" },
          this.button("accept", strings.callAccept, icons.phone, () => void this.accept(false), "callbtn--accept callbtn--labelled"),
          this.button("decline", strings.callDecline, icons.hangUp, () => void this.decline(), "callbtn--end callbtn--labelled")),
      );
    } else if (peer) {
      const problem = peer.mediaProblem === "microphone" ? strings.micProblem : this.notice;
      parts.push(h("div", { class: "callbar__text" },
        h("p", { class: "callbar__status", role: "status" }, this.statusText(peer)),
        problem ? h("p", { class: "callbar__problem" }, problem) : null));
      const buttons = h("div", { class: "callbar__buttons" });
      if (peer.mic) buttons.append(this.toggle("mute", strings.mute, peer.muted ? icons.micOff : icons.mic, peer.muted, () => peer.setMuted(!peer.muted)));
      if (sendsCamera(view.profile, "customer") && peer.camera) {
        buttons.append(this.toggle("camera", strings.cameraOff, icons.camera, peer.cameraOff, () => peer.setCameraOff(!peer.cameraOff)));
      }
      if (peer.screen === "off") buttons.append(this.button("share", strings.shareScreen, icons.screen, () => this.shareClicked()));
      else {
        buttons.append(
          peer.screen === "sharing"
            ? this.button("pause", strings.pauseShare, icons.pause, () => void peer.pauseScreen())
            : this.button("resume", strings.resumeShare, icons.play, () => void peer.resumeScreen()),
          this.button("stop", strings.stopShare, icons.stop, () => void peer.stopScreen()),
        );
      }
      buttons.append(this.button("end", strings.endCall, icons.hangUp, () => void this.hangUp(), "callbtn--end"));
      parts.push(buttons);
    }
    this.bar.replaceChildren(...parts);
    this.bar.dataset.state = peer?.state ?? view?.state ?? "ended";
    // The focus stays where the customer is (typing, say): a ringing call is announced, not forced on them.
    if (focusedAction) {
      const again = this.bar.querySelector<HTMLElement>(`[data-action="${focusedAction}"]`) ?? this.bar.querySelector<HTMLElement>("button");
      again?.focus();
    }
    clearInterval(this.ticker);
    if (peer?.state === "connected") {
      this.connectedAt ||= Date.now();
      this.ticker = window.setInterval(() => {
        const status = this.bar?.querySelector(".callbar__status");
        if (status && this.peer) status.replaceChildren(this.statusText(this.peer));
      }, 1000);
    }
  }

  private statusText(peer: CallPeer): string | Node {
    switch (peer.state) {
      case "ringing":
        return strings.callRinging;
      case "connected": {
        const name = this.agentName();
        const time = clock((Date.now() - (this.connectedAt || Date.now())) / 1000);
        const line = document.createDocumentFragment();
        line.append(name ? sentence((n) => strings.callConnected(n, time), name) : strings.callConnected("", time));
        if (peer.screen !== "off") line.append(` · ${peer.screen === "sharing" ? strings.sharing : strings.sharingPaused}`);
        return line;
      }
      case "reconnecting":
        return strings.callReconnecting;
      case "failed":
        return strings.callFailed;
      default:
        return strings.callConnecting;
    }
  }

  private button(action: string, label: string, path: string, onclick: () => void, extra = ""): HTMLButtonElement {
    // The label is the button's name; in the narrow panel only the icon shows (the label is its tooltip).
    return h("button", { type: "button", class: `callbtn ${extra}`.trim(), "data-action": action, "aria-label": label, title: label, onclick },
      icon(path, 18), h("span", { "aria-hidden": "true" }, label));
  }

  private toggle(action: string, label: string, path: string, pressed: boolean, onclick: () => void): HTMLButtonElement {
    const b = this.button(action, label, path, onclick);
    b.setAttribute("aria-pressed", String(pressed));
    return b;
  }

  /** The agent's camera: on the Mayday stage, or on a stage of its own above a video call's chat. */
  private syncStage(): void {
    const peer = this.peer;
    const view = this.view;
    const wanted = !!peer && !!view && receivesCamera(view.profile, "customer") && !!this.mount;
    if (!wanted) {
      if (this.stageParts) {
        this.stageParts.media.remove();
        if (this.stageParts.own) this.stageParts.stage.remove();
        this.stageParts = null;
      }
      return;
    }
    let parts = this.stageParts;
    if (!parts || !parts.stage.isConnected) {
      const mount = this.mount!;
      let stage = mount.stage;
      const own = !stage;
      if (!stage) {
        const name = this.agentName();
        stage = h("section", { class: "stage stage--call", "aria-label": strings.maydayVideo },
          h("div", { class: "stage__placeholder" },
            h("div", { class: "avatar", "aria-hidden": "true" }, name ? name.trim()[0]?.toUpperCase() ?? "?" : icon(icons.person, 40)),
            name ? h("p", { class: "name" }, bdi(name)) : null,
            h("p", {}, strings.callConnecting)));
        mount.layout.prepend(stage);
      }
      const video = h("video", { class: "stage__video", autoplay: true, playsinline: true, muted: true });
      video.muted = true;
      const self = h("video", { class: "stage__self", autoplay: true, playsinline: true, muted: true, "aria-label": strings.selfView, hidden: true });
      self.muted = true;
      const name = this.agentName();
      const media = h("div", { class: "stage__media", hidden: true }, video, name ? h("p", { class: "stage__caption" }, bdi(name)) : null, self);
      video.addEventListener("loadeddata", () => (media.hidden = false));
      stage.append(media);
      parts = this.stageParts = { stage, own, media, video, self };
    }
    const remote = peer!.remoteTrack(Slot.camera);
    if (remote && (parts.video.srcObject as MediaStream | null)?.getTracks()[0] !== remote) {
      parts.video.srcObject = new MediaStream([remote]);
      void parts.video.play().catch(() => undefined);
    }
    const camera = peer!.camera;
    if (camera && sendsCamera(view!.profile, "customer") && (parts.self.srcObject as MediaStream | null)?.getTracks()[0] !== camera) {
      parts.self.srcObject = new MediaStream([camera]);
      parts.self.hidden = false;
      void parts.self.play().catch(() => undefined);
    }
  }

  private syncAudio(): void {
    const remote = this.peer?.remoteTrack(Slot.audio);
    if (!remote) {
      if (this.audio) {
        this.audio.srcObject = null;
        this.audio.remove();
        this.audio = null;
      }
      return;
    }
    if (!this.audio) {
      this.audio = h("audio", { autoplay: true, hidden: true });
      this.host.root.append(this.audio);
    }
    if ((this.audio.srcObject as MediaStream | null)?.getTracks()[0] !== remote) {
      this.audio.srcObject = new MediaStream([remote]);
      void this.audio.play().catch(() => undefined);
    }
  }

  /** A full-viewport canvas above the page (and the panel), which clicks go through. */
  private overlay(): InkLayer {
    if (this.ink) return this.ink;
    const canvas = h("canvas", { class: "ink", "aria-hidden": "true" });
    this.host.root.append(canvas);
    this.ink = new InkLayer(canvas, () => ({ x: 0, y: 0, width: canvas.clientWidth, height: canvas.clientHeight }));
    return this.ink;
  }

  private async hangUp(): Promise<void> {
    const view = this.view;
    this.reset();
    this.flash(strings.callEndedNotice);
    if (view) await this.host.session()?.invoke(CallMethods.end, view.conversationId).catch(() => undefined);
  }

  /** The session is going away (another visitor, a reset): drop the call without a word. */
  dispose(): void {
    clearTimeout(this.noticeTimer);
    this.notice = null;
    this.reset();
    this.detach();
  }

  private flash(text: string): void {
    clearTimeout(this.noticeTimer);
    this.notice = text;
    this.render();
    this.noticeTimer = window.setTimeout(() => {
      this.notice = null;
      this.render();
    }, 6000);
  }

  private reset(): void {
    const peer = this.peer;
    this.peer = null;
    this.view = null;
    this.connectedAt = 0;
    clearInterval(this.ticker);
    peer?.close();
    this.closeConsent();
    this.render();
    this.ink?.clear();
  }

  private agentName(): string {
    return this.host.conversation()?.agentName ?? "";
  }
}
