// One side of a call's media, used by the widget, the /mayday page and the console alike: an RTCPeerConnection with
// three fixed transceivers (microphone, camera, screen) whose directions follow the call's profile, signalling over
// the hub, screen sharing with pause and renegotiation, one ICE restart before giving up, and live figures.
import { type Annotation, CallMethods, type CallProfile, type CallSide, type CallSignal, type CallView, type IceServers, type ScreenShare } from "./contract";
import { api, type Session } from "./session";

export type PeerState = "ringing" | "connecting" | "connected" | "reconnecting" | "failed" | "ended";

export interface CallPeerOptions {
  session: Session;
  base: string;
  token: () => string | null | undefined;
  side: CallSide;
  call: CallView;
}

export interface CallFigures {
  /** Round-trip time of the selected candidate pair, in milliseconds. */
  rttMs: number | null;
  /** Share of incoming packets lost over the last interval (since the call began, on the first reading). */
  lossPercent: number | null;
  inKbps: number | null;
  outKbps: number | null;
  route: "direct" | "relay" | null;
}

/** Which transceiver carries what; the side that offers first creates them in this order, so both sides agree. */
export const Slot = { audio: 0, camera: 1, screen: 2 } as const;

/** Tests (and operators diagnosing a network) can force every call through TURN by setting this to "relay". */
export const IceTransportPolicyKey = "livehelp.iceTransportPolicy";

const CONNECT_TIMEOUT_MS = 30000;
const RESTART_TIMEOUT_MS = 25000;
const RESTART_WAIT_MS = 3000;
/** How often a side whose media is connected says so; the server ends a connected call silent on one side for 30 s. */
const ALIVE_INTERVAL_MS = 10000;

export function sendsCamera(profile: CallProfile, side: CallSide): boolean {
  return profile === "video" || (profile === "mayday" && side === "agent");
}

export function receivesCamera(profile: CallProfile, side: CallSide): boolean {
  return profile === "video" || (profile === "mayday" && side === "customer");
}

export class CallPeer {
  readonly side: CallSide;
  readonly starter: boolean;
  call: CallView;
  state: PeerState;
  /** What went wrong with the microphone or camera, if anything (the call goes on without it). */
  mediaProblem: "microphone" | "camera" | null = null;
  mic: MediaStreamTrack | null = null;
  camera: MediaStreamTrack | null = null;
  screenTrack: MediaStreamTrack | null = null;
  screen: ScreenShare = "off";
  muted = false;
  cameraOff = false;

  private readonly o: CallPeerOptions;
  private pc: RTCPeerConnection | null = null;
  private slots: RTCRtpTransceiver[] | null = null;
  private readonly listeners = new Set<() => void>();
  private preparing: Promise<void> | null = null;
  private iceServers: RTCIceServer[] = [];
  private pendingOffer: string | null = null;
  private offerSent = false;
  private outbox: string[] | null = [];
  private remoteCandidates: RTCIceCandidateInit[] = [];
  private signals: Promise<void> = Promise.resolve();
  private makingOffer = false;
  private ignoreOffer = false;
  private negotiated = false;
  private localSdpMade = false;
  private dirty = false;
  private everConnected = false;
  private restarts = 0;
  private watchdog = 0;
  private restartTimer = 0;
  private aliveTimer = 0;
  private closed = false;
  private lastSample: { at: number; inBytes: number; outBytes: number; lost: number; received: number } | null = null;

  constructor(options: CallPeerOptions) {
    this.o = options;
    this.side = options.side;
    this.call = options.call;
    this.starter = options.call.startedBy === options.side;
    this.state = options.call.state === "ringing" ? "ringing" : "connecting";
    this.screen = options.side === "customer" ? "off" : options.call.screen;
  }

  get conversationId(): string {
    return this.call.conversationId;
  }

  get profile(): CallProfile {
    return this.call.profile;
  }

  get isLive(): boolean {
    return !this.closed;
  }

  /** The track the other side sends in a slot (it exists before media arrives, muted until then). */
  remoteTrack(slot: number): MediaStreamTrack | null {
    return this.slots?.[slot]?.receiver.track ?? null;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Gets the ICE servers and the microphone (and camera, by profile); the starter also prepares its offer. */
  prepare(): Promise<void> {
    return (this.preparing ??= this.doPrepare());
  }

  /** The call's state or screen share changed on the server. */
  update(view: CallView): void {
    if (view.id !== this.call.id) return;
    this.call = view;
    if (this.side === "agent") this.screen = view.screen;
    if (this.closed) return;
    if (view.state === "connecting" || view.state === "connected") {
      if (this.state === "ringing") this.setState("connecting");
      if (this.starter && !this.offerSent) void this.sendOffer();
      this.armWatchdog(CONNECT_TIMEOUT_MS);
    }
    this.emit();
  }

  /** An offer, answer or candidate from the other side, handled strictly in order. */
  signal(s: CallSignal): void {
    if (s.callId !== this.call.id || this.closed) return;
    this.signals = this.signals.then(() => this.handle(s)).catch(() => undefined);
  }

  async answer(accept: boolean): Promise<void> {
    if (accept) {
      this.setState("connecting");
      void this.prepare();
    }
    await this.o.session.invoke(CallMethods.answer, this.conversationId, accept);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    if (this.mic) this.mic.enabled = !muted;
    this.emit();
  }

  setCameraOff(off: boolean): void {
    this.cameraOff = off;
    if (this.camera) this.camera.enabled = !off;
    this.emit();
  }

  /** Customer only: asks the browser for a screen (the caller has the customer's consent) and shares it. */
  async shareScreen(): Promise<boolean> {
    if (this.side !== "customer" || this.closed) return false;
    if (this.screenTrack) {
      if (this.screen === "paused") await this.resumeScreen();
      return true;
    }
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 30 } }, audio: false });
    } catch {
      return false;
    }
    const track = stream.getVideoTracks()[0];
    if (!track || this.closed || this.screenTrack) {
      stream.getTracks().forEach((t) => t.stop());
      return !!this.screenTrack;
    }
    track.contentHint = "detail";
    track.addEventListener("ended", () => void this.stopScreen());
    this.screenTrack = track;
    this.screen = "sharing";
    await this.applyScreen();
    this.preferForScreen();
    this.emit();
    await this.report("sharing");
    return true;
  }

  /** The agent receives nothing while paused: the sender has no track (not a black one). */
  async pauseScreen(): Promise<void> {
    if (!this.screenTrack || this.screen !== "sharing") return;
    this.screen = "paused";
    await this.slots?.[Slot.screen].sender.replaceTrack(null).catch(() => undefined);
    this.emit();
    await this.report("paused");
  }

  async resumeScreen(): Promise<void> {
    if (!this.screenTrack || this.screen !== "paused") return;
    this.screen = "sharing";
    await this.slots?.[Slot.screen].sender.replaceTrack(this.screenTrack).catch(() => undefined);
    this.emit();
    await this.report("sharing");
  }

  async stopScreen(): Promise<void> {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    this.screen = "off";
    track.stop();
    await this.applyScreen();
    this.emit();
    await this.report("off");
  }

  /** Agent only: a drawing on the customer's shared screen. */
  annotate(annotation: Annotation): Promise<void> {
    return this.o.session.invoke(CallMethods.annotate, this.conversationId, annotation);
  }

  /** Stops every local track and the connection. */
  close(state: PeerState = "ended"): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.watchdog);
    clearTimeout(this.restartTimer);
    clearInterval(this.aliveTimer);
    for (const track of [this.mic, this.camera, this.screenTrack]) track?.stop();
    this.screenTrack = null;
    this.pc?.close();
    this.setState(state);
  }

  /** Live figures from getStats: round-trip time, packet loss, bitrates both ways and the route taken. */
  async figures(): Promise<CallFigures | null> {
    const pc = this.pc;
    if (!pc || this.closed) return null;
    const report = await pc.getStats();
    let pair: RTCIceCandidatePairStats | undefined;
    let inBytes = 0;
    let outBytes = 0;
    let lost = 0;
    let received = 0;
    report.forEach((s) => {
      if (s.type === "transport" && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId) as RTCIceCandidatePairStats;
      else if (s.type === "inbound-rtp") {
        inBytes += s.bytesReceived ?? 0;
        lost += Math.max(0, s.packetsLost ?? 0);
        received += s.packetsReceived ?? 0;
      } else if (s.type === "outbound-rtp") outBytes += s.bytesSent ?? 0;
    });
    if (!pair) report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") pair ??= s as RTCIceCandidatePairStats;
    });
    const now = performance.now();
    const last = this.lastSample;
    this.lastSample = { at: now, inBytes, outBytes, lost, received };
    const seconds = last ? (now - last.at) / 1000 : 0;
    const lostNow = last ? Math.max(0, lost - last.lost) : lost;
    const receivedNow = last ? Math.max(0, received - last.received) : received;
    const local = pair ? report.get(pair.localCandidateId) : undefined;
    const remote = pair ? report.get(pair.remoteCandidateId) : undefined;
    return {
      rttMs: pair?.currentRoundTripTime != null ? Math.round(pair.currentRoundTripTime * 1000) : null,
      lossPercent: lostNow + receivedNow > 0 ? (100 * lostNow) / (lostNow + receivedNow) : null,
      inKbps: last && seconds > 0 ? Math.max(0, Math.round(((inBytes - last.inBytes) * 8) / seconds / 1000)) : null,
      outKbps: last && seconds > 0 ? Math.max(0, Math.round(((outBytes - last.outBytes) * 8) / seconds / 1000)) : null,
      route: pair ? (local?.candidateType === "relay" || remote?.candidateType === "relay" ? "relay" : "direct") : null,
    };
  }

  // ---- setting up ------------------------------------------------------------------------------------------------

  private async doPrepare(): Promise<void> {
    const [servers] = await Promise.all([this.fetchIceServers(), this.getMedia()]);
    this.iceServers = servers;
    if (this.closed) return;
    if (this.starter) {
      this.createConnection();
      this.addTransceivers();
      try {
        await this.pc!.setLocalDescription();
        this.localSdpMade = true;
        this.pendingOffer = this.pc!.localDescription?.sdp ?? null;
      } catch {
        this.fail();
        return;
      }
      if (this.call.state === "connecting" || this.call.state === "connected") await this.sendOffer();
    }
    this.emit();
  }

  private async fetchIceServers(): Promise<RTCIceServer[]> {
    try {
      const answer = await api<IceServers>(this.o.base, `/api/calls/ice-servers?conversationId=${encodeURIComponent(this.conversationId)}`, { token: this.o.token() });
      return answer.servers.map((s) => ({ urls: s.urls, ...(s.username ? { username: s.username } : {}), ...(s.credential ? { credential: s.credential } : {}) }));
    } catch {
      return [];
    }
  }

  /** The microphone always; the camera only when this side sends one (never the customer's in a Mayday call). */
  private async getMedia(): Promise<void> {
    const audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    let stream: MediaStream | null = null;
    if (sendsCamera(this.profile, this.side)) {
      stream = await navigator.mediaDevices
        .getUserMedia({ audio, video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } })
        .catch(() => null);
      if (!stream) this.mediaProblem = "camera";
    }
    stream ??= await navigator.mediaDevices.getUserMedia({ audio }).catch(() => {
      this.mediaProblem = "microphone";
      return null;
    });
    if (!stream) return;
    if (this.closed) {
      stream.getTracks().forEach((t) => t.stop());
      return;
    }
    this.mic = stream.getAudioTracks()[0] ?? null;
    this.camera = stream.getVideoTracks()[0] ?? null;
    if (this.mic) this.mic.enabled = !this.muted;
    if (this.camera) this.camera.enabled = !this.cameraOff;
  }

  private createConnection(): void {
    let policy: RTCIceTransportPolicy = "all";
    try {
      if (localStorage.getItem(IceTransportPolicyKey) === "relay") policy = "relay";
    } catch {
      // Storage may be blocked on the host page; the default policy applies.
    }
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: policy, bundlePolicy: "max-bundle" });
    this.pc = pc;
    pc.onicecandidate = (e) => {
      if (e.candidate) this.sendCandidate(JSON.stringify(e.candidate.toJSON()));
    };
    pc.onnegotiationneeded = () => {
      if (this.negotiated) void this.negotiate();
    };
    pc.onconnectionstatechange = () => this.connectionChanged();
    pc.ontrack = () => this.emit();
  }

  private directionOf(slot: number): RTCRtpTransceiverDirection {
    if (slot === Slot.audio) return "sendrecv";
    if (slot === Slot.camera) {
      const send = sendsCamera(this.profile, this.side);
      const receive = receivesCamera(this.profile, this.side);
      return send && receive ? "sendrecv" : send ? "sendonly" : receive ? "recvonly" : "inactive";
    }
    if (this.side === "agent") return "recvonly";
    return this.screenTrack ? "sendonly" : "inactive";
  }

  private trackOf(slot: number): MediaStreamTrack | null {
    if (slot === Slot.audio) return this.mic;
    if (slot === Slot.camera) return sendsCamera(this.profile, this.side) ? this.camera : null;
    return this.screen === "sharing" ? this.screenTrack : null;
  }

  private addTransceivers(): void {
    const pc = this.pc!;
    const stream = new MediaStream();
    this.slots = [Slot.audio, Slot.camera, Slot.screen].map((slot) =>
      pc.addTransceiver(this.trackOf(slot) ?? (slot === Slot.audio ? "audio" : "video"), { direction: this.directionOf(slot), streams: [stream] }),
    );
    this.preferForScreen();
  }

  /** The answering side takes the transceivers the offer created, in order, and puts its tracks on them. */
  private async adoptTransceivers(): Promise<void> {
    const all = this.pc!.getTransceivers();
    this.slots = [all[Slot.audio], all[Slot.camera], all[Slot.screen]];
    for (const [slot, transceiver] of this.slots.entries()) {
      if (!transceiver) continue;
      transceiver.direction = this.directionOf(slot);
      await transceiver.sender.replaceTrack(this.trackOf(slot));
    }
    this.preferForScreen();
  }

  /** A screen is text and fine lines: keep the resolution and let the frame rate give way. */
  private preferForScreen(): void {
    const sender = this.slots?.[Slot.screen]?.sender;
    if (!sender || this.side !== "customer") return;
    try {
      const parameters = sender.getParameters();
      parameters.degradationPreference = "maintain-resolution";
      void sender.setParameters(parameters).catch(() => undefined);
    } catch {
      // Not every browser lets this be set before negotiation.
    }
  }

  private async applyScreen(): Promise<void> {
    const transceiver = this.slots?.[Slot.screen];
    if (!transceiver) return;
    await transceiver.sender.replaceTrack(this.trackOf(Slot.screen)).catch(() => undefined);
    const direction = this.directionOf(Slot.screen);
    if (transceiver.direction !== direction) {
      transceiver.direction = direction;
      if (this.localSdpMade && !this.negotiated) this.dirty = true;
    }
  }

  // ---- signalling ------------------------------------------------------------------------------------------------

  private async sendOffer(): Promise<void> {
    if (this.offerSent || !this.pendingOffer || this.closed) return;
    this.offerSent = true;
    this.setState(this.everConnected ? "connected" : "connecting");
    this.armWatchdog(CONNECT_TIMEOUT_MS);
    await this.send({ kind: "offer", sdp: this.pendingOffer });
    this.flushOutbox();
  }

  private sendCandidate(candidate: string): void {
    if (this.outbox) this.outbox.push(candidate);
    else void this.send({ kind: "candidate", candidate });
  }

  private flushOutbox(): void {
    const waiting = this.outbox ?? [];
    this.outbox = null;
    for (const candidate of waiting) void this.send({ kind: "candidate", candidate });
  }

  private async send(s: Pick<CallSignal, "kind" | "sdp" | "candidate">): Promise<void> {
    try {
      await this.o.session.invoke(CallMethods.signal, this.conversationId, { conversationId: this.conversationId, callId: this.call.id, ...s });
    } catch {
      // The call ended meanwhile, or the hub is reconnecting: ICE restarts cover a lost candidate.
    }
  }

  private async handle(s: CallSignal): Promise<void> {
    if (s.kind === "candidate") {
      if (!s.candidate) return;
      const candidate = JSON.parse(s.candidate) as RTCIceCandidateInit;
      if (!this.pc || !this.pc.remoteDescription) {
        this.remoteCandidates.push(candidate);
        return;
      }
      try {
        await this.pc.addIceCandidate(candidate);
      } catch {
        // A candidate for an offer that was ignored, or from before an ICE restart.
      }
      return;
    }
    if (!s.sdp) return;
    await this.description(s.kind, s.sdp);
  }

  /** Perfect negotiation: the side that did not start the call is the polite one and gives way on a collision. */
  private async description(type: "offer" | "answer", sdp: string): Promise<void> {
    if (!this.pc) {
      if (type !== "offer" || this.starter) return;
      await this.prepare();
      if (this.closed) return;
      this.createConnection();
    }
    const pc = this.pc!;
    const polite = !this.starter;
    const collision = type === "offer" && (this.makingOffer || pc.signalingState !== "stable");
    this.ignoreOffer = !polite && collision;
    if (this.ignoreOffer) return;
    if (type === "answer" && pc.signalingState !== "have-local-offer") return;
    await pc.setRemoteDescription({ type, sdp });
    if (!this.slots) await this.adoptTransceivers();
    if (type === "offer" && this.restarts > 0) clearTimeout(this.restartTimer);
    const queued = this.remoteCandidates.splice(0);
    for (const candidate of queued) await pc.addIceCandidate(candidate).catch(() => undefined);
    if (type === "offer") {
      await pc.setLocalDescription();
      this.localSdpMade = true;
      await this.send({ kind: "answer", sdp: pc.localDescription!.sdp });
      this.flushOutbox();
    }
    if (!this.negotiated && pc.signalingState === "stable") {
      this.negotiated = true;
      this.armWatchdog(CONNECT_TIMEOUT_MS);
      if (this.dirty) {
        this.dirty = false;
        void this.negotiate();
      }
    }
    this.emit();
  }

  private async negotiate(): Promise<void> {
    const pc = this.pc;
    if (!pc || this.closed) return;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      if (pc.localDescription?.type === "offer") await this.send({ kind: "offer", sdp: pc.localDescription.sdp });
    } catch {
      // A collision resolved by the other side's offer.
    } finally {
      this.makingOffer = false;
    }
  }

  // ---- connection state ------------------------------------------------------------------------------------------

  private connectionChanged(): void {
    const pc = this.pc;
    if (!pc || this.closed) return;
    switch (pc.connectionState) {
      case "connected":
        clearTimeout(this.watchdog);
        clearTimeout(this.restartTimer);
        if (!this.everConnected) {
          this.everConnected = true;
          this.reportAlive();
          this.aliveTimer = window.setInterval(() => {
            if (this.pc?.connectionState === "connected") this.reportAlive();
          }, ALIVE_INTERVAL_MS);
        }
        this.setState("connected");
        break;
      case "disconnected":
        if (this.everConnected) this.setState("reconnecting");
        break;
      case "failed":
        this.iceFailed();
        break;
    }
  }

  /** The first failure restarts ICE (the side that started the call offers; the other waits a moment, then does it
   * itself); a second one ends the call. */
  private iceFailed(): void {
    if (this.closed) return;
    if (this.restarts > 0) {
      this.fail();
      return;
    }
    this.restarts++;
    this.setState("reconnecting");
    this.armWatchdog(RESTART_TIMEOUT_MS);
    if (this.starter) this.pc?.restartIce();
    else this.restartTimer = window.setTimeout(() => this.pc?.restartIce(), RESTART_WAIT_MS);
  }

  private armWatchdog(ms: number): void {
    if (this.everConnected && this.state === "connected") return;
    clearTimeout(this.watchdog);
    this.watchdog = window.setTimeout(() => {
      if (this.closed || this.pc?.connectionState === "connected") return;
      this.iceFailed();
    }, ms);
  }

  private fail(): void {
    if (this.closed) return;
    this.close("failed");
    void this.o.session.invoke(CallMethods.end, this.conversationId).catch(() => undefined);
  }

  private reportAlive(): void {
    void this.o.session.invoke(CallMethods.connected, this.conversationId).catch(() => undefined);
  }

  private async report(screen: ScreenShare): Promise<void> {
    try {
      await this.o.session.invoke(CallMethods.screen, this.conversationId, screen);
    } catch {
      // The call ended meanwhile.
    }
  }

  private setState(state: PeerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // One view's mistake must not stop the call.
      }
    }
  }
}
