// The hub's events, each handed to the parts of the console it concerns.
import {
  type ConversationClosed, type ConversationRated, type ConversationView, Events, type OfferNotice, type OfferWithdrawn,
  type ReadNotice, type StatusChanged, type TypingNotice, type Unassigned,
} from "../sdk/contract";
import { sentence } from "../sdk/dom";
import { alertHandedOver } from "./alerts";
import { type Ctx, customerName, toast, topicName } from "./context";
import type { Desk } from "./desk";
import type { Header } from "./header";
import type { Offers } from "./offers";
import { t } from "./strings";
import type { SupervisorView } from "./supervisor";

export function wireEvents(ctx: Ctx, parts: { header: Header; desk: Desk; offers: Offers; supervisor: SupervisorView | null }): void {
  const { session } = ctx;
  const { header, desk, offers, supervisor } = parts;
  session.on<OfferNotice>(Events.offer, (n) => offers.add(n));
  session.on<OfferWithdrawn>(Events.offerWithdrawn, (n) => offers.withdrawn(n));
  session.on<ConversationView>(Events.assigned, (view) => {
    const fromOffer = offers.remove(view.id);
    const known = desk.isMine(view.id);
    void desk.add(view, !desk.hasSelection);
    if (!known && !fromOffer) {
      toast(sentence(t.newConversation, customerName(view)));
      alertHandedOver(customerName(view), topicName(ctx, view.topic), view.id);
    }
  });
  session.on<Unassigned>(Events.unassigned, (n) => desk.onUnassigned(n));
  session.on<StatusChanged>(Events.statusChanged, (n) => header.onStatusChanged(n));
  session.on<TypingNotice>(Events.typing, (n) => {
    desk.onTyping(n);
    supervisor?.onTyping(n);
  });
  session.on<ReadNotice>(Events.read, (n) => desk.onRead(n));
  session.on<ConversationClosed>(Events.conversationClosed, (n) => {
    desk.onClosed(n);
    supervisor?.onClosed(n);
  });
  session.on<ConversationRated>(Events.conversationRated, (n) => {
    desk.onRated(n);
    supervisor?.onRated(n);
  });
  session.onResume((r) => desk.onResume(r));
  session.watchNetwork();
  session.onMessage((m) => {
    desk.onMessage(m);
    supervisor?.onMessage(m);
  });
}
