// A conversation the agent holds (or held), as the desk keeps it.
import type { ConversationView } from "../sdk/contract";

export type ConvState = "open" | "closed" | "transferred";

export interface Conv {
  view: ConversationView;
  state: ConvState;
  closedBy?: string;
  transferredTo?: string;
  /** The agent side's read mark: customer messages after it are unread. */
  readSeq: number;
  /** The customer's read mark: agent messages up to it show "Seen". */
  customerReadSeq: number;
  typing: boolean;
  /** The newest message seq seen: an older one (caught up after a newer, like the opening question) is not news. */
  lastSeq: number;
  typingTimer?: number;
}
