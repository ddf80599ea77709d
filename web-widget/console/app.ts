// The signed-in console: one hub session, and the parts wired to it (header, offers, the desk, supervisor and admin
// views); connecting, reconnecting and signing out.
import { Methods } from "../sdk/contract";
import { h } from "../sdk/dom";
import { type ConnectionState, Session } from "../sdk/session";
import { AdminView } from "./admin";
import { prepareSound } from "./alerts";
import { useFiles } from "./attachments";
import { type SignedIn, StaffApi } from "./api";
import { ConsoleCalls } from "./calls";
import { type Ctx, canOversee, toast } from "./context";
import { Desk } from "./desk";
import { wireEvents } from "./events";
import { Header } from "./header";
import { HistoryView } from "./history";
import { Offers } from "./offers";
import { ReportView } from "./report";
import { t } from "./strings";
import { SupervisorView } from "./supervisor";
import { confirmDialog, describeError } from "./ui";
import { routeViews } from "./views";

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
  const report = canOversee(ctx) ? new ReportView(ctx) : null;

  const main = h("main", { id: "main", class: "main", tabindex: -1 });
  const header = new Header(ctx, { supervisor: !!supervisor, admin: !!admin }, main, {
    signOut: () => void doSignOut(),
    reconnect: () => void connect(),
  });
  // Offers come right after the header in keyboard order, though they are drawn at the top right.
  document.body.replaceChildren(header.element, header.connBanner, header.banner, offers.element, main);
  routeViews(main, header.tabs, { desk, history: new HistoryView(ctx), supervisor, admin, report });

  function updateTitle(): void {
    const unread = desk.unreadTotal;
    header.showUnread(unread);
    const n = unread + offers.count;
    document.title = n ? t.pageTitleWithCount(n) : t.pageTitle;
  }

  wireEvents(ctx, { header, desk, offers, supervisor });

  let previous: ConnectionState = "disconnected";
  session.onState((s) => {
    header.showConnection(s, started);
    const wasDown = previous === "reconnecting" || previous === "disconnected";
    previous = s;
    if (s === "connected" && wasDown && started) {
      void desk.sync().catch(() => undefined);
      void supervisor?.rewatch();
      void header.refreshMyStatus();
    }
  });

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
  const [topics, canned, site] = await Promise.all([api.topics().catch(() => []), api.canned().catch(() => []), api.status().catch(() => null)]);
  ctx.topics = topics;
  ctx.canned = canned;
  if (site) ctx.maxMessageLength = site.maxMessageLength;
  await header.refreshMyStatus();
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
