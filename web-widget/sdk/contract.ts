// The hub contract (docs/HUB.md), as the browser sees it.

export type HelpMode = "chat" | "mayday";
export type AgentStatus = "online" | "away" | "offline";
export type ConversationStatus = "queued" | "active" | "closed" | "cancelled";
export type MessageKind = "customer" | "agent" | "note" | "system";

export interface PreQualification {
  details?: string | null;
  name?: string | null;
  email?: string | null;
  pageUrl?: string | null;
  orderId?: string | null;
  deviceModel?: string | null;
  deviceOs?: string | null;
  appVersion?: string | null;
}

export interface ConversationView {
  id: string;
  visitorId?: string | null;
  topic: string;
  mode: HelpMode;
  status: ConversationStatus;
  preQualification: PreQualification;
  verifiedUserId?: string | null;
  createdAt: string;
  agentId?: string | null;
  agentName?: string | null;
  closedAt?: string | null;
  closedBy?: string | null;
  rating?: number | null;
  ratingComment?: string | null;
  queueWaitSeconds?: number | null;
  firstResponseSeconds?: number | null;
  handleSeconds?: number | null;
  customerReadSeq: number;
  agentReadSeq: number;
}

export interface Message {
  conversationId: string;
  seq: number;
  clientMessageId?: string | null;
  kind: MessageKind;
  senderId?: string | null;
  senderName?: string | null;
  text: string;
  sentAt: string;
}

export interface RequestHelpInput extends PreQualification {
  topic: string;
  mode: HelpMode;
}

export interface QueueUpdate { conversationId: string; position: number; estimatedWaitSeconds: number; }
export interface RequestHelpResult { status: "queued" | "assigned" | "no_agents_online"; conversation?: ConversationView | null; place?: QueueUpdate | null; }
export interface AgentJoined { conversationId: string; agentId: string; agentName: string; }
export interface TypingNotice { conversationId: string; role: string; name?: string | null; isTyping: boolean; }
export interface ReadNotice { conversationId: string; role: string; seq: number; }
export interface ConversationClosed { conversationId: string; closedBy: string; }
export interface OfferNotice { conversationId: string; deadline: string; conversation: ConversationView; }
export interface OfferWithdrawn { conversationId: string; reason: string; }
export interface Unassigned { conversationId: string; reason: string; }
export interface StatusChanged { status: AgentStatus; reason: string; }
export interface ResumeResult { conversation: ConversationView; messages: Message[]; }
export interface QueueEntry { conversation: ConversationView; position: number; estimatedWaitSeconds: number; offeredTo?: string | null; }
export interface Topic { id: string; name: string; skill: string; }

export const Events = {
  queueUpdate: "queueUpdate",
  agentJoined: "agentJoined",
  message: "message",
  typing: "typing",
  read: "read",
  conversationClosed: "conversationClosed",
  offer: "offer",
  offerWithdrawn: "offerWithdrawn",
  assigned: "assigned",
  unassigned: "unassigned",
  statusChanged: "statusChanged",
} as const;
