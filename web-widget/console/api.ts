// The console's HTTP API: staff endpoints with the signed-in token; a 401 ends the session.
import type { AgentStatus, ConversationView, ResumeResult, SiteStatus, Topic } from "../sdk/contract";
import { LiveHelpError, api } from "../sdk/session";
import type { CustomerReport } from "./report";

export type Role = "agent" | "supervisor" | "admin";

export interface SignedIn {
  token: string;
  agentId: string;
  displayName: string;
  role: Role;
}

export interface AgentView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  skills: string[];
  maxConcurrent: number;
  autoAccept: boolean;
  disabled: boolean;
  status: AgentStatus;
  load: number;
  connected: boolean;
}

export interface AgentInput {
  username?: string;
  displayName?: string;
  password?: string;
  role?: Role;
  skills?: string[];
  maxConcurrent?: number;
  autoAccept?: boolean;
  disabled?: boolean;
}

export interface CannedResponse {
  id: string;
  title: string;
  text: string;
}

export interface OfflineMessage {
  id: string;
  visitorId: string;
  topic?: string | null;
  name?: string | null;
  email?: string | null;
  text: string;
  createdAt: string;
}

export interface HistoryItem {
  id: string;
  createdAt: string;
  closedAt?: string | null;
  customerName?: string | null;
  topic: string;
  agentId?: string | null;
  agentName?: string | null;
  status: string;
  mode: string;
  rating?: number | null;
  snippet?: string | null;
}

export interface HistoryList {
  items: HistoryItem[];
  next?: string | null;
}

export interface OriginsView {
  origins: string[];
  configured: string[];
}

export function signIn(username: string, password: string): Promise<SignedIn> {
  return api<SignedIn>(location.origin, "/api/auth/signin", { body: { username, password } });
}

export class StaffApi {
  constructor(private readonly token: () => string, private readonly onUnauthorized: () => void) {}

  private async call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    try {
      return await api<T>(location.origin, path, { ...init, token: this.token() });
    } catch (error) {
      const e = LiveHelpError.from(error);
      if (e.code === "unauthorized" || e.code === "http_401") this.onUnauthorized();
      throw e;
    }
  }

  status = () => this.call<SiteStatus>("/api/status");
  agents = () => this.call<AgentView[]>("/api/agents");
  createAgent = (input: AgentInput) => this.call<AgentView>("/api/agents", { body: input });
  updateAgent = (id: string, input: AgentInput) => this.call<AgentView>(`/api/agents/${encodeURIComponent(id)}`, { method: "PUT", body: input });
  topics = () => this.call<Topic[]>("/api/topics");
  saveTopic = (topic: Topic) => this.call<Topic>("/api/topics", { body: topic });
  origins = () => this.call<OriginsView>("/api/settings/allowed-origins");
  saveOrigins = (origins: string[]) => this.call<OriginsView>("/api/settings/allowed-origins", { method: "PUT", body: { origins } });
  canned = () => this.call<CannedResponse[]>("/api/canned-responses");
  saveCanned = (list: CannedResponse[]) => this.call<CannedResponse[]>("/api/canned-responses", { method: "PUT", body: list });
  visitorConversations = (visitorId: string) => this.call<ConversationView[]>(`/api/visitors/${encodeURIComponent(visitorId)}/conversations`);
  openConversations = () => this.call<ConversationView[]>("/api/conversations");
  transcript = (id: string) => this.call<ResumeResult>(`/api/conversations/${encodeURIComponent(id)}/transcript`);
  offlineMessages = () => this.call<OfflineMessage[]>("/api/offline-messages");
  history = (query: URLSearchParams) => this.call<HistoryList>(`/api/history?${query}`);
  identitySecret = () => this.call<{ secret: string }>("/api/settings/identity-secret");
  customersSaying = (query: string) => this.call<CustomerReport>(`/api/reports/customers-saying?${query}`);
  customersSayingCsv = (query: string) => this.blob(`/api/reports/customers-saying.csv?${query}`);

  /** The plain-text transcript, fetched with the token (a link could not carry it). */
  transcriptText = (id: string) => this.blob(`/api/conversations/${encodeURIComponent(id)}/transcript.txt`);

  /** The filtered history as CSV. */
  historyCsv = (query: URLSearchParams) => this.blob(`/api/history.csv?${query}`);

  /** A file fetched with the token (a link could not carry it). */
  private async blob(path: string): Promise<Blob> {
    const response = await fetch(path, {
      headers: { authorization: `Bearer ${this.token()}` },
    });
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) {
      const problem = await response.json().catch(() => null) as { code?: string; detail?: string } | null;
      throw new LiveHelpError(problem?.code ?? "http_" + response.status, problem?.detail ?? response.statusText);
    }
    return response.blob();
  }
}
