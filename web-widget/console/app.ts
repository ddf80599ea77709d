// The signed-in console: header (views, status, connection), offers, and the desk, supervisor and admin views,
// all wired to one hub session.
import {
  type AgentStatus, type ConversationClosed, type ConversationView, Events, Methods, type OfferNotice, type OfferWithdrawn,
  type ReadNotice, type StatusChanged, type TypingNotice, type Unassigned,
} from "../sdk/contract";
import { h, sentence } from "../sdk/dom";
import { type ConnectionState, Session } from "../sdk/session";
import { AdminView } from "./admin";
import { alertHandedOver, askNotificationPermission, prepareSound } from "./alerts";
import { useFiles } from "./attachments";
import { type SignedIn, StaffApi } from "./api";
import { ConsoleCalls } from "./calls";
import { type Ctx, canOversee, customerName, toast, topicName } from "./context";
import { Desk } from "./desk";
import { Offers } from "./offers";
import { t } from "./strings";
import { SupervisorView } from "./supervisor";
import { confirmDialog, describeError, select } from "./ui";

type ViewName = "desk" | "supervisor" | "admin";

export async function startConsole(me: SignedIn, signOut: (reason?: string) => void): Promise<void> {
  let ended = false;
  let started = false;
  let retry: number | undefined;
  const session = new Session(location.origin, () => me.token);
  const end = (reason?: string) => {
    if (ended) return;
    ended = true;
    void session.stop().catch(() => undefined);
    signOut(reason);
  };
  const api = new StaffApi(() => me.token, () => end(t.sessionEnded));
  const ctx: Ctx = { me, api, session, topics: [], canned: [], maxMessageLength: 4000 };
  useFiles(() => me.token);

  const calls = new ConsoleCalls(ctx, (id) => desk.nameOf(id), (id) => desk.isShown(id));
  const desk: Desk = new Desk(ctx, () => updateTitle(), calls);
  const offers = new Offers(ctx, (view) => void desk.add(view, true), () => updateTitle());
  const supervisor = canOversee(ctx) ? new SupervisorView(ctx, (id) => desk.isMine(id)) : null;
  const admin = me.role === "admin" ? new AdminView(ctx) : null;

  // --- header ---
  const connection = h("span", { class: "conn conn--connecting", role: "status" });
  const reconnect = h("button", { type: "button", class: "button button--small button--on-dark", hidden: true }, t.reconnect);
  const status = select([["online", t.status.online], ["away", t.status.away], ["offline", t.status.offline]], "offline",
    { id: "status", class: "status-select status-select--offline" });
  const banner = h("div", { class: "app-banner", hidden: true });
  const connBanner = h("div", { class: "conn-banner", hidden: true });
  const main = h("main", { id: "main", class: "main", tabindex: -1 });
  const tabs: Record<ViewName, HTMLAnchorElement | null> = {
    desk: tab("desk", t.viewDesk),
    supervisor: supervisor ? tab("supervisor", t.viewSupervisor) : null,
    admin: admin ? tab("admin", t.viewAdmin) : null,
  };
  const deskCount = h("span", { class: "count count--tab", "aria-hidden": "true", hidden: true });
  tabs.desk!.append(deskCount);

  const header = h("header", { class: "topbar" },
    h("a", { class: "skip-link", href: "#main", onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t.skipToContent),
    h("div", { class: "brand" }, h("span", { class: "brand__mark", "aria-hidden": "true" }), h("span", { class: "brand__name" }, t.appName), h("span", { class: "brand__sub" }, t.consoleName)),
    h("nav", { class: "tabs", "aria-label": t.mainNavigation }, ...Object.values(tabs).filter((x): x is HTMLAnchorElement => x !== null)),
    h("div", { class: "topbar__right" },
      h("span", { class: "conn-wrap" }, h("span", { class: "sr-only" }, `${t.connectionLabel}: `), connection, reconnect),
      h("span", { class: "status-wrap" }, h("label", { for: "status", class: "topbar__label" }, t.statusLabel), status),
      h("span", { class: "me" }, h("span", { class: "me__name" }, me.displayName), h("span", { class: "me__role" }, t.roles[me.role] ?? me.role)),
      h("button", { type: "button", class: "button button--small button--on-dark", onclick: () => void doSignOut() }, t.signOut)));

  // Offers come right after the header in keyboard order, though they are drawn at the top right.
  document.body.replaceChildren(header, connBanner, banner, offers.element, main);

  function tab(view: ViewName, label: string): HTMLAnchorElement {
    return h("a", { href: `#/${view}`, class: "tab", "data-view": view }, label);
  }

  // --- views ---
  let current: ViewName | null = null;
  const show = (view: ViewName) => {
    if (!tabs[view]) view = "desk";
    if (view === current) return;
    current = view;
    for (const [name, el] of Object.entries(tabs)) {
      if (!el) continue;
      if (name === view) el.setAttribute("aria-current", "page");
      else el.removeAttribute("aria-current");
    }
    if (view !== "supervisor") supervisor?.stop();
    main.className = `main main--${view}`;
    document.body.classList.toggle("fixed-height", view === "desk");
    scrollTo(0, 0);
    if (view === "desk") main.replaceChildren(desk.element);
    else if (view === "supervisor" && supervisor) {
      main.replaceChildren(supervisor.element);
      supervisor.start();
    } else if (view === "admin" && admin) {
      main.replaceChildren(admin.element);
      void admin.load();
    }
  };
  const route = () => show((location.hash.replace(/^#\/?/, "") || "desk") as ViewName);
  addEventListener("hashchange", route);
  route();

  function updateTitle(): void {
    const unread = desk.unreadTotal;
    deskCount.hidden = unread === 0;
    deskCount.textContent = String(unread);
    const n = unread + offers.count;
    document.title = n ? t.pageTitleWithCount(n) : t.pageTitle;
  }

  // --- status ---
  let shownStatus: AgentStatus = "offline";
  const setShownStatus = (s: AgentStatus) => {
    shownStatus = s;
    status.value = s;
    status.className = `status-select status-select--${s}`;
  };
  status.addEventListener("change", async () => {
    const wanted = status.value as AgentStatus;
    if (wanted === "online") askNotificationPermission();
    try {
      await session.invoke(Methods.setStatus, wanted);
      setShownStatus(wanted);
      if (wanted === "online") banner.hidden = true;
    } catch (error) {
      setShownStatus(shownStatus);
      toast(describeError(error), "error");
    }
  });

  const showMissedOffer = () => {
    banner.replaceChildren(
      h("div", { class: "app-banner__inner", role: "alert" },
        h("span", { class: "app-banner__icon", "aria-hidden": "true" }, "!"),
        h("span", {}, t.missedOffer)),
      h("button", { type: "button", class: "button button--small button--primary", onclick: async () => {
        try {
          await session.invoke(Methods.setStatus, "online");
          setShownStatus("online");
          banner.hidden = true;
        } catch (error) {
          toast(describeError(error), "error");
        }
      } }, t.goOnline),
      h("button", { type: "button", class: "button button--small", onclick: () => (banner.hidden = true) }, t.dismiss));
    banner.hidden = false;
  };

  // --- hub events ---
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
  session.on<StatusChanged>(Events.statusChanged, (n) => {
    setShownStatus(n.status);
    if (n.reason === "missed_offer") showMissedOffer();
    else if (n.status === "online") banner.hidden = true;
  });
  session.on<TypingNotice>(Events.typing, (n) => {
    desk.onTyping(n);
    supervisor?.onTyping(n);
  });
  session.on<ReadNotice>(Events.read, (n) => desk.onRead(n));
  session.on<ConversationClosed>(Events.conversationClosed, (n) => {
    desk.onClosed(n);
    supervisor?.onClosed(n);
  });
  session.onResume((r) => desk.onResume(r));
  session.watchNetwork();
  session.onMessage((m) => {
    desk.onMessage(m);
    supervisor?.onMessage(m);
  });

  let previous: ConnectionState = "disconnected";
  session.onState((s) => {
    connection.className = `conn conn--${s}`;
    connection.textContent = t.connection[s] ?? s;
    reconnect.hidden = s !== "disconnected";
    connBanner.hidden = !started || (s !== "reconnecting" && s !== "disconnected");
    connBanner.textContent = s === "disconnected" ? t.connectionGone : t.connectionLost;
    const wasDown = previous === "reconnecting" || previous === "disconnected";
    previous = s;
    if (s === "connected" && wasDown && started) {
      void desk.sync().catch(() => undefined);
      void supervisor?.rewatch();
      void refreshMyStatus();
    }
  });
  reconnect.addEventListener("click", () => void connect());

  async function refreshMyStatus(): Promise<void> {
    const agents = await api.agents().catch(() => []);
    const mine = agents.find((a) => a.id === me.agentId);
    if (mine) setShownStatus(mine.status);
  }

  async function connect(): Promise<void> {
    clearTimeout(retry);
    try {
      await session.start();
    } catch (error) {
      const text = String((error as Error)?.message ?? error);
      if (/401|unauthori[sz]ed|forbidden/i.test(text)) {
        end(t.sessionEnded);
        return;
      }
      retry = window.setTimeout(() => void connect(), 5000);
      return;
    }
    if (started) {
      for (const id of desk.ids()) await session.resume(id).catch(() => undefined);
      await desk.sync().catch(() => undefined);
      await supervisor?.rewatch();
    }
    started = true;
  }

  async function doSignOut(): Promise<void> {
    const open = desk.openCount;
    if (open > 0 && !(await confirmDialog(t.signOutConfirmTitle, t.signOutConfirmText(open), t.signOut))) return;
    await calls.hangUpAll();
    await session.invoke(Methods.setStatus, "offline").catch(() => undefined);
    end();
  }

  prepareSound();
  connection.textContent = t.connection.connecting;
  const [topics, canned, site] = await Promise.all([api.topics().catch(() => []), api.canned().catch(() => []), api.status().catch(() => null)]);
  ctx.topics = topics;
  ctx.canned = canned;
  if (site) ctx.maxMessageLength = site.maxMessageLength;
  await refreshMyStatus();
  if (ended) return;
  await connect();
  if (ended) return;
  try {
    await desk.sync();
  } catch (error) {
    toast(describeError(error), "error");
  }
  updateTitle();
}
