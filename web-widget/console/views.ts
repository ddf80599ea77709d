// Which view fills the page (desk, history, supervisor, report or admin), as the address's #/view says.
import type { AdminView } from "./admin";
import type { Desk } from "./desk";
import type { ViewName } from "./header";
import type { HistoryView } from "./history";
import type { ReportView } from "./report";
import type { SupervisorView } from "./supervisor";

export function routeViews(main: HTMLElement, tabs: Record<ViewName, HTMLAnchorElement | null>,
  views: { desk: Desk; history: HistoryView; supervisor: SupervisorView | null; admin: AdminView | null; report: ReportView | null }): void {
  const { desk, history, supervisor, admin, report } = views;
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
    else if (view === "history") {
      main.replaceChildren(history.element);
      void history.load();
    }
    else if (view === "supervisor" && supervisor) {
      main.replaceChildren(supervisor.element);
      supervisor.start();
    } else if (view === "report" && report) {
      main.replaceChildren(report.element);
      void report.load();
    } else if (view === "admin" && admin) {
      main.replaceChildren(admin.element);
      void admin.load();
    }
  };
  const route = () => show((location.hash.replace(/^#\/?/, "") || "desk") as ViewName);
  addEventListener("hashchange", route);
  route();
}
