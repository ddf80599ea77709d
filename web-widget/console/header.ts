// The console's top bar (brand, view tabs, connection, the agent's status, sign-out) and the banners under it.
import { type AgentStatus, Methods, type StatusChanged } from "../sdk/contract";
import { h } from "../sdk/dom";
import type { ConnectionState } from "../sdk/session";
import { askNotificationPermission } from "./alerts";
import { type Ctx, toast } from "./context";
import { t } from "./strings";
import { describeError, select } from "./ui";

export type ViewName = "desk" | "history" | "supervisor" | "admin" | "report";

export class Header {
  readonly element: HTMLElement;
  readonly tabs: Record<ViewName, HTMLAnchorElement | null>;
  /** Shown while the hub connection is down. */
  readonly connBanner = h("div", { class: "conn-banner", hidden: true });
  /** Shown when the server set the agent away after a missed offer. */
  readonly banner = h("div", { class: "app-banner", hidden: true });
  private readonly connection = h("span", { class: "conn conn--connecting", role: "status" });
  private readonly reconnect = h("button", { type: "button", class: "button button--small button--on-dark", hidden: true }, t.reconnect);
  private readonly status = select([["online", t.status.online], ["away", t.status.away], ["offline", t.status.offline]], "offline",
    { id: "status", class: "status-select status-select--offline" });
  private readonly deskCount = h("span", { class: "count count--tab", "aria-hidden": "true", hidden: true });
  private shownStatus: AgentStatus = "offline";

  constructor(private readonly ctx: Ctx, views: { supervisor: boolean; admin: boolean }, main: HTMLElement,
    actions: { signOut: () => void; reconnect: () => void }) {
    const me = ctx.me;
    this.tabs = {
      desk: tab("desk", t.viewDesk),
      history: tab("history", t.viewHistory),
      supervisor: views.supervisor ? tab("supervisor", t.viewSupervisor) : null,
      report: views.supervisor ? tab("report", t.viewReport) : null,
      admin: views.admin ? tab("admin", t.viewAdmin) : null,
    };
    this.tabs.desk!.append(this.deskCount);
    this.element = h("header", { class: "topbar" },
      h("a", { class: "skip-link", href: "#main", onclick: (e: Event) => { e.preventDefault(); main.focus(); } }, t.skipToContent),
      h("div", { class: "brand" }, h("span", { class: "brand__mark", "aria-hidden": "true" }), h("span", { class: "brand__name" }, t.appName), h("span", { class: "brand__sub" }, t.consoleName)),
      h("nav", { class: "tabs", "aria-label": t.mainNavigation }, ...Object.values(this.tabs).filter((x): x is HTMLAnchorElement => x !== null)),
      h("div", { class: "topbar__right" },
        h("span", { class: "conn-wrap" }, h("span", { class: "sr-only" }, `${t.connectionLabel}: `), this.connection, this.reconnect),
        h("span", { class: "status-wrap" }, h("label", { for: "status", class: "topbar__label" }, t.statusLabel), this.status),
        h("span", { class: "me" }, h("span", { class: "me__name" }, me.displayName), h("span", { class: "me__role" }, t.roles[me.role] ?? me.role)),
        h("button", { type: "button", class: "button button--small button--on-dark topbar__signout", onclick: actions.signOut }, t.signOut)));
    this.status.addEventListener("change", () => void this.choose(this.status.value as AgentStatus));
    this.reconnect.addEventListener("click", actions.reconnect);
    this.connection.textContent = t.connection.connecting;
  }

  /** The unread count beside the desk tab. */
  showUnread(unread: number): void {
    this.deskCount.hidden = unread === 0;
    this.deskCount.textContent = String(unread);
  }

  showConnection(s: ConnectionState, started: boolean): void {
    this.connection.className = `conn conn--${s}`;
    this.connection.textContent = t.connection[s] ?? s;
    this.reconnect.hidden = s !== "disconnected";
    this.connBanner.hidden = !started || (s !== "reconnecting" && s !== "disconnected");
    this.connBanner.textContent = s === "disconnected" ? t.connectionGone : t.connectionLost;
  }

  /** The server changed the agent's status (another tab, or away after a missed offer). */
  onStatusChanged(n: StatusChanged): void {
    this.showStatus(n.status);
    if (n.reason === "missed_offer") this.showMissedOffer();
    else if (n.status === "online") this.banner.hidden = true;
  }

  /** The status the server holds for this agent, as the agent list says. */
  async refreshMyStatus(): Promise<void> {
    const agents = await this.ctx.api.agents().catch(() => []);
    const mine = agents.find((a) => a.id === this.ctx.me.agentId);
    if (mine) this.showStatus(mine.status);
  }

  private showStatus(s: AgentStatus): void {
    this.shownStatus = s;
    this.status.value = s;
    this.status.className = `status-select status-select--${s}`;
  }

  private async choose(wanted: AgentStatus): Promise<void> {
    if (wanted === "online") askNotificationPermission();
    try {
      await this.ctx.session.invoke(Methods.setStatus, wanted);
      this.showStatus(wanted);
      if (wanted === "online") this.banner.hidden = true;
    } catch (error) {
      this.showStatus(this.shownStatus);
      toast(describeError(error), "error");
    }
  }

  private showMissedOffer(): void {
    this.banner.replaceChildren(
      h("div", { class: "app-banner__inner", role: "alert" },
        h("span", { class: "app-banner__icon", "aria-hidden": "true" }, "!"),
        h("span", {}, t.missedOffer)),
      h("button", { type: "button", class: "button button--small button--primary", onclick: async () => {
        try {
          await this.ctx.session.invoke(Methods.setStatus, "online");
          this.showStatus("online");
          this.banner.hidden = true;
        } catch (error) {
          toast(describeError(error), "error");
        }
      } }, t.goOnline),
      h("button", { type: "button", class: "button button--small", onclick: () => (this.banner.hidden = true) }, t.dismiss));
    this.banner.hidden = false;
  }
}

function tab(view: ViewName, label: string): HTMLAnchorElement {
  return h("a", { href: `#/${view}`, class: "tab", "data-view": view }, label);
}
