// Calls in the console: starting one from a conversation (voice, video, or Mayday: screen + guide), answering a
// customer's call, the customer's screen and camera with connection state and live figures, the "Paused" cover, and
// drawing on the shared screen.
import { CallPeer, type CallFigures, receivesCamera, sendsCamera, Slot } from "../sdk/call";
import { type CallEnded, CallEvents, CallMethods, type CallProfile, type CallSignal, type CallView } from "../sdk/contract";
import { h, sentence } from "../sdk/dom";
import { InkColours, InkLayer, type Area } from "../sdk/ink";
import { LiveHelpError } from "../sdk/session";
import { beep } from "./alerts";
import { type Ctx, toast } from "./context";
import { t } from "./strings";
import { describeError } from "./ui";

interface AgentCall {
  view: CallView;
  peer: CallPeer | null;
}

const MAX_POINTS = 1000;
const STATS_INTERVAL_MS = 1000;

/** Every call this agent is in, one per conversation, kept across switching between conversations. */
export class ConsoleCalls {
  private readonly calls = new Map<string, AgentCall>();
  private readonly listeners = new Set<(conversationId: string) => void>();

  constructor(private readonly ctx: Ctx, private readonly nameOf: (conversationId: string) => string, private readonly isShown: (conversationId: string) => boolean) {
    const session = ctx.session;
    session.on<CallView>(CallEvents.started, (v) => this.started(v));
    session.on<CallView>(CallEvents.updated, (v) => this.updated(v));
    session.on<CallSignal>(CallEvents.signal, (s) => this.calls.get(s.conversationId)?.peer?.signal(s));
    session.on<CallEnded>(CallEvents.ended, (e) => this.ended(e));
    // A reload or a closed tab leaves nobody on this side of the call: end it rather than leave it hanging.
    addEventListener("pagehide", () => {
      for (const [id, call] of this.calls) {
        if (call.peer?.isLive) void session.connection.send(CallMethods.end, id).catch(() => undefined);
      }
    });
  }

  get(conversationId: string): AgentCall | undefined {
    return this.calls.get(conversationId);
  }

  onChange(listener: (conversationId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(conversationId: string, profile: CallProfile): Promise<void> {
    try {
      this.started(await this.ctx.session.invoke<CallView>(CallMethods.start, conversationId, profile));
    } catch (error) {
      toast(describeError(error), "error");
    }
  }

  async accept(conversationId: string): Promise<void> {
    const call = this.calls.get(conversationId);
    if (!call || call.peer) return;
    const peer = (call.peer = this.createPeer(call.view));
    this.changed(conversationId);
    try {
      await peer.answer(true);
    } catch (error) {
      peer.close();
      this.remove(conversationId, call);
      toast(LiveHelpError.from(error).code === "not_found" ? sentence(t.callEnded, this.nameOf(conversationId)) : describeError(error), "error");
    }
  }

  async decline(conversationId: string): Promise<void> {
    const call = this.calls.get(conversationId);
    if (!call) return;
    this.remove(conversationId, call);
    await this.ctx.session.invoke(CallMethods.answer, conversationId, false).catch(() => undefined);
  }

  async hangUp(conversationId: string): Promise<void> {
    const call = this.calls.get(conversationId);
    if (!call) return;
    this.remove(conversationId, call);
    await this.ctx.session.invoke(CallMethods.end, conversationId).catch(() => undefined);
  }

  /** Signing out: every call ends first. */
  async hangUpAll(): Promise<void> {
    await Promise.all([...this.calls.keys()].map((id) => this.hangUp(id)));
  }

  private started(view: CallView): void {
    const existing = this.calls.get(view.conversationId);
    if (existing?.view.id === view.id) return;
    existing?.peer?.close();
    const call: AgentCall = { view, peer: null };
    this.calls.set(view.conversationId, call);
    if (view.startedBy === "agent") {
      // The agent's own call, from a button or because a Mayday request was accepted: the camera starts at once.
      call.peer = this.createPeer(view);
      void call.peer.prepare();
    } else {
      beep();
      if (!this.isShown(view.conversationId)) toast(sentence(t.callIncomingToast, this.nameOf(view.conversationId)));
    }
    this.changed(view.conversationId);
  }

  private updated(view: CallView): void {
    const call = this.calls.get(view.conversationId);
    if (!call || call.view.id !== view.id) return;
    call.view = view;
    call.peer?.update(view);
    this.changed(view.conversationId);
  }

  private ended(e: CallEnded): void {
    const call = this.calls.get(e.conversationId);
    if (!call || call.view.id !== e.callId) return;
    const name = this.nameOf(e.conversationId);
    const failed = call.peer?.state === "failed";
    this.remove(e.conversationId, call);
    if (failed) toast(t.callFailed, "error");
    else if (e.reason === "declined") toast(sentence(t.callDeclined, name));
    else if (e.reason === "missed") toast(sentence(t.callMissed, name));
    else toast(sentence(t.callEnded, name));
  }

  private createPeer(view: CallView): CallPeer {
    const peer = new CallPeer({ session: this.ctx.session, base: location.origin, token: () => this.ctx.me.token, side: "agent", call: view });
    peer.onChange(() => {
      const call = this.calls.get(view.conversationId);
      if (call?.peer !== peer) return;
      if (peer.state === "failed") {
        this.remove(view.conversationId, call);
        toast(t.callFailed, "error");
        return;
      }
      this.changed(view.conversationId);
    });
    return peer;
  }

  private remove(conversationId: string, call: AgentCall): void {
    if (this.calls.get(conversationId) !== call) return;
    this.calls.delete(conversationId);
    call.peer?.close();
    this.changed(conversationId);
  }

  private changed(conversationId: string): void {
    for (const listener of this.listeners) listener(conversationId);
  }
}

/** The call of the open conversation, drawn above its messages. */
export class CallPane {
  readonly element = h("div", { class: "call-slot" });
  private readonly off: () => void;
  private peerOff: (() => void) | null = null;
  private peer: CallPeer | null = null;
  private callId: string | null = null;
  private parts: Parts | null = null;
  private statsTimer = 0;
  private clockTimer = 0;

  constructor(private readonly calls: ConsoleCalls, private readonly conversationId: string, private readonly name: string) {
    this.off = calls.onChange((id) => {
      if (id === conversationId) this.render();
    });
    this.render();
  }

  dispose(): void {
    this.off();
    this.peerOff?.();
    clearInterval(this.statsTimer);
    clearInterval(this.clockTimer);
    this.parts?.dispose();
  }

  private render(): void {
    const call = this.calls.get(this.conversationId);
    if (!call) {
      this.teardown();
      this.element.replaceChildren();
      return;
    }
    if (call.view.id !== this.callId || call.peer !== this.peer) {
      this.teardown();
      this.callId = call.view.id;
      this.peer = call.peer;
      if (call.peer) {
        const peer = call.peer;
        this.peerOff = peer.onChange(() => this.update());
        this.parts = new Parts(peer, this.name, () => void this.calls.hangUp(this.conversationId));
        this.element.replaceChildren(this.parts.element);
        this.statsTimer = window.setInterval(() => void this.parts?.refreshFigures(), STATS_INTERVAL_MS);
        this.clockTimer = window.setInterval(() => this.parts?.refreshState(), 1000);
      } else {
        // Announced, not focused: the agent may be typing, and Enter must not answer a call.
        this.element.replaceChildren(this.incoming(call.view));
      }
    }
    this.update();
  }

  private update(): void {
    const call = this.calls.get(this.conversationId);
    if (call && this.parts) this.parts.update(call.view);
  }

  private incoming(view: CallView): HTMLElement {
    const kind = t.callProfiles[view.profile] ?? view.profile;
    return h("section", { class: "call call--incoming", "aria-label": t.callWith(this.name) },
      h("p", { class: "call__incoming", role: "alert" }, sentence(t.callIncoming, this.name, kind)),
      h("div", { class: "call__controls" },
        h("button", { type: "button", class: "button button--primary call__accept", onclick: () => void this.calls.accept(this.conversationId) }, t.acceptCall),
        h("button", { type: "button", class: "button button--danger-quiet", onclick: () => void this.calls.decline(this.conversationId) }, t.declineCall)));
  }

  private teardown(): void {
    this.peerOff?.();
    this.peerOff = null;
    clearInterval(this.statsTimer);
    clearInterval(this.clockTimer);
    this.parts?.dispose();
    this.parts = null;
    this.peer = null;
    this.callId = null;
  }
}

/** The elements of a running call: state and figures, controls, the videos, and the drawing tools. */
class Parts {
  readonly element: HTMLElement;
  private readonly state = h("span", { class: "call__state", role: "status" });
  private readonly figures = h("dl", { class: "call__figures", "aria-label": t.figuresLabel });
  private readonly problem = h("p", { class: "call__problem", hidden: true });
  private readonly controls = h("div", { class: "call__controls" });
  private readonly stage = h("div", { class: "call__stage", hidden: true });
  private readonly main = h("div", { class: "call__main" });
  private readonly screenBox: HTMLElement;
  private readonly screenVideo: HTMLVideoElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly pausedCover: HTMLElement;
  private readonly waiting: HTMLElement;
  private readonly cameraVideo: HTMLVideoElement;
  private readonly selfVideo: HTMLVideoElement;
  private readonly tiles = h("div", { class: "call__tiles" });
  private readonly tools: HTMLElement;
  private readonly audio: HTMLAudioElement;
  private readonly ink: InkLayer;
  private readonly resize: ResizeObserver;
  private mode: "draw" | "point" = "draw";
  private colour: string = InkColours[0];
  private stroke: number[][] | null = null;
  private view: CallView | null = null;
  private connectedAt = 0;

  constructor(private readonly peer: CallPeer, name: string, private readonly hangUp: () => void) {
    const video = (cls: string, label: string) => {
      const v = h("video", { class: `call__video ${cls}`, autoplay: true, playsinline: true, muted: true, "aria-label": label });
      v.muted = true;
      return v;
    };
    this.screenVideo = video("call__video--screen", t.customerScreen(name));
    this.cameraVideo = video("call__video--camera", t.customerCamera(name));
    this.selfVideo = video("call__video--self", t.yourCamera);
    this.canvas = h("canvas", { class: "call__ink", role: "img", "aria-label": t.inkHint });
    this.pausedCover = h("div", { class: "call__paused", hidden: true },
      h("p", { class: "call__paused-title" }, t.screenPaused),
      h("p", {}, sentence(t.screenPausedText, name)));
    this.waiting = h("p", { class: "call__waiting", hidden: true }, sentence(t.screenWaiting, name));
    this.screenBox = h("div", { class: "call__screen", hidden: true }, this.screenVideo, this.canvas, this.pausedCover);
    this.main.append(this.screenBox, this.waiting);
    this.audio = h("audio", { autoplay: true, hidden: true });
    this.ink = new InkLayer(this.canvas, () => this.contentArea());
    this.resize = new ResizeObserver(() => this.ink.render());
    this.resize.observe(this.screenBox);
    this.screenVideo.addEventListener("resize", () => this.ink.render());
    this.tools = this.buildTools();
    this.stage.append(this.main, this.tiles);
    this.element = h("section", { class: "call", "aria-label": t.callWith(name) },
      h("div", { class: "call__bar" }, h("span", { class: "call__kind" }, t.callProfiles[peer.profile] ?? peer.profile), this.state, this.figures),
      this.problem,
      this.stage,
      h("div", { class: "call__footer" }, this.tools, this.controls),
      this.audio);
    this.bindDrawing();
  }

  dispose(): void {
    this.resize.disconnect();
    for (const v of [this.screenVideo, this.cameraVideo, this.selfVideo, this.audio]) v.srcObject = null;
  }

  update(view: CallView): void {
    this.view = view;
    const peer = this.peer;
    this.refreshState();
    this.problem.hidden = !peer.mediaProblem;
    this.problem.textContent = peer.mediaProblem === "camera" ? t.cameraProblem : peer.mediaProblem === "microphone" ? t.micProblem : "";
    this.renderControls();

    this.attach(this.audio, peer.remoteTrack(Slot.audio));
    const screen = view.screen;
    const showsCamera = receivesCamera(view.profile, "agent");
    const hasVideo = view.profile !== "voice" || screen !== "off";
    this.stage.hidden = !hasVideo;
    this.attach(this.screenVideo, screen !== "off" ? peer.remoteTrack(Slot.screen) : null);
    this.screenBox.hidden = screen === "off";
    this.pausedCover.hidden = screen !== "paused";
    this.waiting.hidden = !(view.profile === "mayday" && screen === "off");
    this.tools.hidden = screen === "off";
    for (const control of this.tools.querySelectorAll<HTMLButtonElement | HTMLInputElement>("button, input")) control.disabled = screen !== "sharing";
    this.canvas.classList.toggle("call__ink--on", screen === "sharing");

    // The customer's camera is the main picture in a video call, and a tile beside their screen while they share it.
    this.attach(this.cameraVideo, showsCamera ? peer.remoteTrack(Slot.camera) : null);
    this.attach(this.selfVideo, sendsCamera(view.profile, "agent") ? peer.camera : null);
    const cameraMain = showsCamera && screen === "off";
    if (cameraMain && this.cameraVideo.parentElement !== this.main) this.main.append(this.cameraVideo);
    else if (!cameraMain && this.cameraVideo.parentElement !== this.tiles) this.tiles.prepend(this.cameraVideo);
    this.cameraVideo.hidden = !showsCamera;
    this.selfVideo.hidden = !sendsCamera(view.profile, "agent") || !peer.camera;
    if (this.selfVideo.parentElement !== this.tiles) this.tiles.append(this.selfVideo);
    this.tiles.hidden = [...this.tiles.children].every((c) => (c as HTMLElement).hidden);
  }

  refreshState(): void {
    const peer = this.peer;
    const key: string = peer.state;
    let text = t.callStates[key] ?? key;
    if (peer.state === "connected") {
      this.connectedAt ||= Date.now();
      const s = Math.floor((Date.now() - this.connectedAt) / 1000);
      text += ` · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
    }
    if (this.state.textContent !== text) this.state.textContent = text;
    this.state.dataset.state = key;
  }

  async refreshFigures(): Promise<void> {
    let f: CallFigures | null = null;
    try {
      f = await this.peer.figures();
    } catch {
      f = null;
    }
    if (!f) {
      this.figures.replaceChildren();
      return;
    }
    const items: Array<[string, string]> = [
      [t.rtt, f.rttMs != null ? t.ms(f.rttMs) : "–"],
      [t.loss, f.lossPercent != null ? t.percent(f.lossPercent) : "–"],
      [t.bitrateIn, f.inKbps != null ? t.kbps(f.inKbps) : "–"],
      [t.bitrateOut, f.outKbps != null ? t.kbps(f.outKbps) : "–"],
      [t.route, f.route ? t.routes[f.route] ?? f.route : "–"],
    ];
    this.figures.replaceChildren(...items.map(([label, value]) => h("div", { class: "call__figure" }, h("dt", {}, label), h("dd", {}, value))));
  }

  private renderControls(): void {
    const peer = this.peer;
    const focused = document.activeElement instanceof HTMLElement && this.controls.contains(document.activeElement) ? document.activeElement.dataset.action : undefined;
    const toggle = (action: string, label: string, pressed: boolean, onclick: () => void) =>
      h("button", { type: "button", class: "button button--small", "data-action": action, "aria-pressed": String(pressed), onclick }, label);
    const buttons: HTMLElement[] = [];
    if (peer.mic) buttons.push(toggle("mute", t.mute, peer.muted, () => peer.setMuted(!peer.muted)));
    if (peer.camera) buttons.push(toggle("camera", t.cameraOff, peer.cameraOff, () => peer.setCameraOff(!peer.cameraOff)));
    buttons.push(h("button", { type: "button", class: "button button--small button--danger", "data-action": "end", onclick: () => this.hangUp() }, t.endCall));
    const signature = buttons.map((b) => `${b.dataset.action}:${b.getAttribute("aria-pressed")}`).join();
    if (this.controls.dataset.signature === signature) return;
    this.controls.dataset.signature = signature;
    this.controls.replaceChildren(...buttons);
    if (focused) this.controls.querySelector<HTMLElement>(`[data-action="${focused}"]`)?.focus();
  }

  private buildTools(): HTMLElement {
    const modeButton = (mode: "draw" | "point", label: string, title: string) => {
      const b = h("button", { type: "button", class: "button button--small", "data-mode": mode, "aria-pressed": String(this.mode === mode), title }, label);
      b.addEventListener("click", () => {
        this.mode = mode;
        for (const other of tools.querySelectorAll<HTMLElement>("[data-mode]")) other.setAttribute("aria-pressed", String(other.dataset.mode === mode));
      });
      return b;
    };
    const colours = h("fieldset", { class: "call__colours" }, h("legend", { class: "sr-only" }, t.inkColour));
    InkColours.forEach((colour, i) => {
      const input = h("input", { type: "radio", name: `ink-colour-${this.peer.call.id}`, value: colour, class: "call__swatch", "aria-label": t.inkColours[i] ?? colour, checked: i === 0 });
      input.style.setProperty("--swatch", colour);
      input.addEventListener("change", () => (this.colour = colour));
      colours.append(input);
    });
    const clearButton = h("button", { type: "button", class: "button button--small", onclick: () => this.sendClear() }, t.inkClear);
    const tools = h("div", { class: "call__tools", role: "toolbar", "aria-label": t.inkTools, hidden: true },
      modeButton("draw", t.inkDraw, t.inkDrawHint), modeButton("point", t.inkPoint, t.inkPointHint), colours, clearButton);
    return tools;
  }

  /** Where the picture is inside the video element: object-fit contain letterboxes it. */
  private contentArea(): Area | null {
    const v = this.screenVideo;
    const width = v.clientWidth;
    const height = v.clientHeight;
    if (!v.videoWidth || !v.videoHeight || !width || !height) return null;
    const scale = Math.min(width / v.videoWidth, height / v.videoHeight);
    const w = v.videoWidth * scale;
    const hgt = v.videoHeight * scale;
    return { x: (width - w) / 2, y: (height - hgt) / 2, width: w, height: hgt };
  }

  private normalise(e: PointerEvent): [number, number] | null {
    const area = this.contentArea();
    if (!area) return null;
    const box = this.canvas.getBoundingClientRect();
    const x = (e.clientX - box.left - area.x) / area.width;
    const y = (e.clientY - box.top - area.y) / area.height;
    return [x, y];
  }

  private bindDrawing(): void {
    const canvas = this.canvas;
    const clamp = (n: number) => Math.min(1, Math.max(0, n));
    canvas.addEventListener("pointerdown", (e) => {
      if (this.view?.screen !== "sharing" || e.button !== 0) return;
      const p = this.normalise(e);
      if (!p) return;
      e.preventDefault();
      if (this.mode === "point") {
        if (p[0] < 0 || p[0] > 1 || p[1] < 0 || p[1] > 1) return;
        this.send("pointer", [p]);
        return;
      }
      canvas.setPointerCapture(e.pointerId);
      this.stroke = [[clamp(p[0]), clamp(p[1])]];
      this.ink.setDraft(this.stroke, this.colour);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.stroke) return;
      const p = this.normalise(e);
      if (!p) return;
      const last = this.stroke[this.stroke.length - 1];
      const next = [clamp(p[0]), clamp(p[1])];
      if (Math.abs(next[0] - last[0]) + Math.abs(next[1] - last[1]) < 0.002) return;
      this.stroke.push(next);
      this.ink.setDraft(this.stroke, this.colour);
    });
    const finish = () => {
      const stroke = this.stroke;
      this.stroke = null;
      this.ink.setDraft(null, this.colour);
      if (stroke) this.send("stroke", thin(stroke));
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);
  }

  private send(kind: "stroke" | "pointer", points: number[][]): void {
    const rounded = points.map(([x, y]) => [Math.round(x * 10000) / 10000, Math.round(y * 10000) / 10000]);
    const annotation = { conversationId: this.peer.conversationId, kind, points: rounded, color: this.colour };
    this.ink.add(annotation);
    void this.peer.annotate(annotation).catch((error: unknown) => toast(describeError(error), "error"));
  }

  private sendClear(): void {
    this.ink.clear();
    void this.peer.annotate({ conversationId: this.peer.conversationId, kind: "clear", points: [], color: this.colour }).catch(() => undefined);
  }

  private attach(element: HTMLMediaElement, track: MediaStreamTrack | null): void {
    const current = (element.srcObject as MediaStream | null)?.getTracks()[0] ?? null;
    if (current === track) return;
    element.srcObject = track ? new MediaStream([track]) : null;
    if (track) void element.play().catch(() => undefined);
  }
}

/** Keeps a stroke within the hub's limit by dropping every other point until it fits. */
function thin(points: number[][]): number[][] {
  let out = points;
  while (out.length > MAX_POINTS) out = out.filter((_, i) => i % 2 === 0 || i === out.length - 1);
  return out;
}
