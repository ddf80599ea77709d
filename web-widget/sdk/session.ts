// One hub connection with the delivery rules of docs/HUB.md: every message shown once, in order, and after any
// reconnect what was missed is fetched with Resume.
import { HttpTransportType, HubConnection, HubConnectionBuilder, HubConnectionState, type IHttpConnectionOptions, LogLevel } from "@microsoft/signalr";
import { Events, HubPath, type Message, Methods, type ResumeResult } from "./contract";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "disconnected";

/** How long a hub socket may take to open; then the attempt is given up and tried again after the next delay. */
const connectTimeoutMs = 5000;
const retryDelaysMs = [0, 1000, 2000, 5000];
const retryDelay = (attempt: number): number => retryDelaysMs[attempt] ?? 10000;

/** A refusal from the hub or the HTTP API, with the stable code of docs/HUB.md. */
export class LiveHelpError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }

  static from(error: unknown): LiveHelpError {
    if (error instanceof LiveHelpError) return error;
    const text = error instanceof Error ? error.message : String(error);
    // The JS client prefixes the server's "code: text" with its own words.
    const match = /(?:^|HubException: |server\. )([a-z_]+): (.*)$/s.exec(text);
    return match ? new LiveHelpError(match[1], match[2]) : new LiveHelpError("connection", text);
  }
}

// A store restarting answers "unavailable": a send is tried again, with back-off, for at least this long.
const UNAVAILABLE_PATIENCE_MS = 30000;
const UNAVAILABLE_BACKOFF_MS = [250, 500, 1000, 2000, 4000];

export class Session {
  readonly connection: HubConnection;
  private readonly seen = new Map<string, Map<number, Message>>();
  private readonly followed = new Set<string>();
  private readonly resumePoints = new Map<string, number>();
  private readonly messageListeners = new Set<(m: Message) => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private readonly resumeListeners = new Set<(r: ResumeResult) => void>();
  private current: ConnectionState = "disconnected";
  private offline = false;
  private restarting = false;
  private timedOut = false;
  private stops = 0;

  constructor(readonly baseUrl: string, tokenFactory: () => string | Promise<string>) {
    // WebSockets straight away, without negotiate: behind a plain round-robin balancer a negotiate on one node
    // and a socket on another would not meet. The sequence/Resume design needs no particular node.
    const options: IHttpConnectionOptions & { WebSocket: typeof WebSocket } = {
      accessTokenFactory: tokenFactory,
      skipNegotiation: true,
      transport: HttpTransportType.WebSockets,
      // The client's own (untyped, internal) option for the WebSocket class; the pinned version reads it.
      WebSocket: this.timedWebSocket(),
    };
    this.connection = new HubConnectionBuilder()
      .withUrl(new URL(HubPath, baseUrl).toString(), options)
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => retryDelay(ctx.previousRetryCount) })
      .configureLogging(LogLevel.None)
      .build();
    this.connection.serverTimeoutInMilliseconds = 30000;
    this.connection.on(Events.message, (m: Message) => this.accept(m));
    // The server's backplane was down: live delivery may have missed messages that are stored.
    this.connection.on(Events.resync, () => void this.resumeAll(true));
    this.connection.onreconnecting(() => {
      this.markResumePoints();
      this.setState("reconnecting");
    });
    this.connection.onreconnected(async () => {
      this.setState("connected");
      await this.resumeAll();
    });
    this.connection.onclose(() => {
      if (!this.offline) this.setState("disconnected");
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** Connects; an attempt that timed out (a node that took the connection but never answered) is tried again. */
  async start(): Promise<void> {
    this.setState("connecting");
    const stops = this.stops;
    for (let attempt = 0; ; attempt++) {
      this.timedOut = false;
      try {
        await this.connection.start();
        this.setState("connected");
        return;
      } catch (error) {
        if (!this.timedOut || attempt >= retryDelaysMs.length) {
          this.setState("disconnected");
          throw LiveHelpError.from(error);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelay(attempt)));
      if (this.stops !== stops) {
        this.setState("disconnected");
        throw new LiveHelpError("connection", "stopped");
      }
    }
  }

  stop(): Promise<void> {
    this.offline = false;
    this.stops++;
    return this.connection.stop();
  }

  /**
   * Follows the browser's online/offline events. Offline: the connection is dropped at once (an open WebSocket can
   * look alive long after the network went) and the state is "reconnecting". Online again: it reconnects and resumes
   * every followed conversation, as after any other drop.
   */
  watchNetwork(target: Window = window): void {
    target.addEventListener("offline", () => void this.goOffline());
    target.addEventListener("online", () => void this.goOnline());
  }

  /** Told about every Resume answer (after a reconnect too): the conversation's status and read marks may have moved. */
  onResume(handler: (r: ResumeResult) => void): () => void {
    this.resumeListeners.add(handler);
    return () => this.resumeListeners.delete(handler);
  }

  on<T>(event: string, handler: (payload: T) => void): void {
    this.connection.on(event, handler);
  }

  onMessage(handler: (m: Message) => void): () => void {
    this.messageListeners.add(handler);
    return () => this.messageListeners.delete(handler);
  }

  onState(handler: (s: ConnectionState) => void): void {
    this.stateListeners.add(handler);
  }

  async invoke<T = void>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return await this.connection.invoke<T>(method, ...args);
    } catch (error) {
      throw LiveHelpError.from(error);
    }
  }

  /**
   * Sends once: a retry after a dropped connection, or while the server answers "unavailable" (its store restarting:
   * tried again with back-off for at least 30 s), reuses the client message id, so the server stores it once.
   */
  async send(conversationId: string, text: string, method: typeof Methods.sendMessage | typeof Methods.addNote = Methods.sendMessage, clientMessageId = newId()): Promise<Message> {
    const started = Date.now();
    for (let drops = 0, waits = 0; ; ) {
      try {
        const message = await this.invoke<Message>(method, conversationId, clientMessageId, text);
        this.accept(message);
        return message;
      } catch (error) {
        const e = LiveHelpError.from(error);
        if (e.code === "unavailable" && Date.now() - started < UNAVAILABLE_PATIENCE_MS) {
          await new Promise((resolve) => setTimeout(resolve, UNAVAILABLE_BACKOFF_MS[waits++] ?? 5000));
        } else if (e.code === "connection" && drops++ < 5) {
          await this.connected();
        } else {
          throw e;
        }
      }
    }
  }

  /**
   * Follows a conversation: its messages are kept, de-duplicated and resumed after reconnects. The first follow reads
   * from the start, since messages that arrived before it (an agent gets "joined" before "assigned") are no proof
   * that nothing earlier was missed.
   */
  async follow(conversationId: string): Promise<ResumeResult> {
    const first = !this.followed.has(conversationId);
    this.followed.add(conversationId);
    return first ? this.resumeFrom(conversationId, 0) : this.resume(conversationId);
  }

  unfollow(conversationId: string): void {
    this.followed.delete(conversationId);
    this.resumePoints.delete(conversationId);
  }

  transcript(conversationId: string): Message[] {
    return [...(this.seen.get(conversationId)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  lastSeq(conversationId: string): number {
    let last = 0;
    for (const seq of this.seen.get(conversationId)?.keys() ?? []) last = Math.max(last, seq);
    return last;
  }

  async resume(conversationId: string): Promise<ResumeResult> {
    return this.resumeFrom(conversationId, this.lastSeq(conversationId));
  }

  /** Every message after afterSeq, page by page (Resume answers at most 1,000 at a time). */
  private async resumeFrom(conversationId: string, afterSeq: number): Promise<ResumeResult> {
    const result = await this.invoke<ResumeResult>(Methods.resume, conversationId, afterSeq);
    const all = [...result.messages];
    for (let page = result.messages; page.length >= 1000; ) {
      page = (await this.invoke<ResumeResult>(Methods.resume, conversationId, page[page.length - 1].seq)).messages;
      all.push(...page);
    }
    for (const m of all) this.accept(m);
    const answer = { conversation: result.conversation, messages: all };
    for (const listener of this.resumeListeners) listener(answer);
    return answer;
  }

  /**
   * After a reconnect, each conversation resumes from where it stood when the connection dropped (live messages
   * arriving before Resume must not move that point past a gap); after "resync", from the start.
   */
  private async resumeAll(fromStart = false): Promise<void> {
    for (const id of this.followed) {
      const from = fromStart ? 0 : (this.resumePoints.get(id) ?? this.lastSeq(id));
      try {
        await this.resumeFrom(id, from);
        this.resumePoints.delete(id);
      } catch {
        // Dropped again, or the conversation closed or moved away meanwhile (the next event says so): the next
        // reconnect starts from here, never past what this one missed.
        this.resumePoints.set(id, Math.min(from, this.resumePoints.get(id) ?? from));
      }
    }
  }

  private markResumePoints(): void {
    for (const id of this.followed) {
      if (!this.resumePoints.has(id)) this.resumePoints.set(id, this.lastSeq(id));
    }
  }

  private accept(message: Message): void {
    let log = this.seen.get(message.conversationId);
    if (!log) this.seen.set(message.conversationId, (log = new Map()));
    if (log.has(message.seq)) return;
    log.set(message.seq, message);
    for (const listener of this.messageListeners) listener(message);
  }

  private async goOffline(): Promise<void> {
    if (this.offline || this.connection.state === HubConnectionState.Disconnected) return;
    this.offline = true;
    this.markResumePoints();
    this.setState("reconnecting");
    await this.connection.stop().catch(() => undefined);
  }

  private async goOnline(): Promise<void> {
    if (!this.offline || this.restarting) return;
    this.restarting = true;
    try {
      for (let attempt = 0; this.offline; attempt++) {
        try {
          if (this.connection.state === HubConnectionState.Disconnected) await this.connection.start();
          this.offline = false;
          this.setState("connected");
          await this.resumeAll();
        } catch {
          await new Promise((resolve) => setTimeout(resolve, [500, 1000, 2000, 5000][attempt] ?? 10000));
        }
      }
    } finally {
      this.restarting = false;
    }
  }

  /**
   * The WebSocket class the connection uses: one still opening after connectTimeoutMs is closed, which fails the
   * attempt. The SignalR client has no timeout of its own before the socket opens, and a node whose kernel accepts
   * TCP while its process never answers (frozen, stopped) would hold a start or a reconnect until it woke up.
   */
  private timedWebSocket(): typeof WebSocket {
    const session = this;
    return class extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        const timer = setTimeout(() => {
          session.timedOut = true;
          this.close();
        }, connectTimeoutMs);
        this.addEventListener("open", () => clearTimeout(timer));
        this.addEventListener("close", () => clearTimeout(timer));
      }
    };
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private connected(): Promise<void> {
    if (this.connection.state === HubConnectionState.Connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.connection.state === HubConnectionState.Connected) resolve();
        else if (this.connection.state === HubConnectionState.Disconnected && !this.offline) reject(new LiveHelpError("connection", "disconnected"));
        else setTimeout(check, 250);
      };
      check();
    });
  }
}

/** A random id for idempotent sends; crypto.randomUUID exists only in secure contexts, and host pages may be plain http. */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** JSON over fetch with problem+json errors turned into LiveHelpError. */
export async function api<T>(baseUrl: string, path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<T> {
  const response = await fetch(new URL(path, baseUrl), {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new LiveHelpError(data?.code ?? "http_" + response.status, data?.detail ?? response.statusText);
  return data as T;
}
