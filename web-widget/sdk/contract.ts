// The hub contract (docs/HUB.md), as the browser sees it.

export type HelpMode = "chat" | "mayday";
export type AgentStatus = "online" | "away" | "offline";
export type ConversationStatus = "queued" | "active" | "closed" | "cancelled";
export type MessageKind = "customer" | "agent" | "note" | "system";
/** Whether the customer is there: tab shown, tab hidden, or no connection. */
export type CustomerPresence = "here" | "away" | "gone";

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
  customerPresence?: CustomerPresence;
  customerPresenceSince?: string;
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
  /** The file this message sends (then `text` is its name): see "Attachments" in docs/HUB.md. */
  attachment?: Attachment | null;
}

/** A file sent in a conversation; `fileName` is the sender's text, `contentType` what the server read from the bytes. */
export interface Attachment { id: string; fileName: string; contentType: string; size: number; }

export interface RequestHelpInput extends PreQualification {
  topic: string;
  mode: HelpMode;
}

/**
 * `queuedSince`: when this stay in the queue began (ISO time, whole milliseconds); an agentJoined with the same or a later one makes the place stale.
 * `nobodyOnline`: no agent online has the skill the request needs; `position` and `estimatedWaitSeconds` are null then, and the place is kept.
 */
export interface QueueUpdate { conversationId: string; position: number | null; estimatedWaitSeconds: number | null; queuedSince: string; nobodyOnline: boolean; }
export interface OfflineMessageInput { text: string; topic?: string | null; name?: string | null; email?: string | null; }
export interface RequestHelpResult { status: "queued" | "assigned" | "no_agents_online"; conversation?: ConversationView | null; place?: QueueUpdate | null; }
export interface AgentJoined { conversationId: string; agentId: string; agentName: string; queuedSince: string; }
export interface TypingNotice { conversationId: string; role: string; name?: string | null; isTyping: boolean; }
export interface ReadNotice { conversationId: string; role: string; seq: number; }
export interface ConversationClosed { conversationId: string; closedBy: string; }
export interface ConversationRated { conversationId: string; rating: number; comment?: string | null; }
export interface CustomerPresenceChanged { conversationId: string; presence: CustomerPresence; since: string; }
export interface OfferNotice { conversationId: string; deadline: string; conversation: ConversationView; transferNote?: string | null; }
export interface OfferWithdrawn { conversationId: string; reason: string; }
export interface Unassigned { conversationId: string; reason: string; }
export interface StatusChanged { status: AgentStatus; reason: string; }
export interface ResumeResult { conversation: ConversationView; messages: Message[]; }
export interface QueueEntry { conversation: ConversationView; position: number; estimatedWaitSeconds: number; offeredTo?: string | null; }
export interface Topic { id: string; name: string; skill: string; }
/** GET /api/status: whether anyone can help now, and the longest message the server takes. */
export interface SiteStatus { agentsOnline: number; maxMessageLength: number; }

/** Where the hub listens (C#: Hub.Path). */
export const HubPath = "/hub";

export const Methods = {
  requestHelp: "RequestHelp",
  cancelHelp: "CancelHelp",
  leaveMessage: "LeaveMessage",
  sendMessage: "SendMessage",
  typing: "Typing",
  markRead: "MarkRead",
  resume: "Resume",
  closeConversation: "CloseConversation",
  rate: "Rate",
  myConversations: "MyConversations",
  setStatus: "SetStatus",
  acceptOffer: "AcceptOffer",
  declineOffer: "DeclineOffer",
  addNote: "AddNote",
  transfer: "Transfer",
  watch: "Watch",
  getQueue: "GetQueue",
  setPresence: "SetPresence",
} as const;

export const Events = {
  queueUpdate: "queueUpdate",
  agentJoined: "agentJoined",
  message: "message",
  typing: "typing",
  read: "read",
  conversationClosed: "conversationClosed",
  conversationRated: "conversationRated",
  customerPresence: "customerPresence",
  offer: "offer",
  offerWithdrawn: "offerWithdrawn",
  assigned: "assigned",
  unassigned: "unassigned",
  statusChanged: "statusChanged",
  resync: "resync",
} as const;

// ---- calls (docs/CALLS.md) -------------------------------------------------------------------------------------

export type CallProfile = "voice" | "video" | "mayday";
export type CallState = "ringing" | "connecting" | "connected" | "ended";
export type ScreenShare = "off" | "sharing" | "paused";
export type CallSide = "customer" | "agent";

export interface CallView {
  id: string;
  conversationId: string;
  profile: CallProfile;
  state: CallState;
  startedBy: CallSide;
  screen: ScreenShare;
  ringingAt: string;
  connectedAt?: string | null;
}

export interface CallSignal {
  conversationId: string;
  callId: string;
  kind: "offer" | "answer" | "candidate";
  sdp?: string | null;
  /** RTCIceCandidateInit as JSON text. */
  candidate?: string | null;
  from?: CallSide | null;
}

export type AnnotationKind = "stroke" | "pointer" | "clear";

export interface Annotation {
  conversationId: string;
  kind: AnnotationKind;
  /** [x, y] pairs normalised to the shared screen, 0..1 each way. */
  points: number[][];
  color: string;
}

export interface CallEnded { conversationId: string; callId: string; reason: string; durationSeconds?: number | null; }
export interface IceServerView { urls: string[]; username?: string | null; credential?: string | null; }
export interface IceServers { servers: IceServerView[]; ttlSeconds: number; }

export const CallEvents = {
  started: "callStarted",
  updated: "callUpdated",
  signal: "callSignal",
  annotation: "annotation",
  ended: "callEnded",
} as const;

export const CallMethods = {
  start: "StartCall",
  answer: "AnswerCall",
  signal: "CallSignal",
  connected: "CallConnected",
  screen: "SetScreenShare",
  annotate: "Annotate",
  end: "EndCall",
} as const;
