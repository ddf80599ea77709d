// livehelp-widget.js: the full widget, fetched by the loader on the first open. It renders a panel (a non-modal
// dialog) inside the loader's Shadow DOM and runs the help loop in it.
import { h } from "../sdk/dom";
import * as icons from "./icons";
import { addStyles, icon, loaderKey, type LoaderContext } from "./bridge";
import { HelpView } from "./help";
import { strings } from "./strings";
import { widgetCss } from "./styles";
import { VisitorStore } from "./visitor";

function boot(ctx: LoaderContext): void {
  addStyles(ctx.root, widgetCss);
  const store = new VisitorStore(ctx.base);
  const openKey = "livehelp-panel:" + ctx.base;
  let open = false;
  let started = false;

  const close = h("button", { type: "button", class: "iconbtn", "aria-label": strings.closePanel, onclick: () => closePanel() }, icon(icons.close, 22));
  const banner = h("div", { class: "banner", role: "status", "aria-live": "polite", hidden: true });
  const mount = h("div", { class: "mount" });
  const panel = h(
    "div",
    { class: "frame panel", id: "lh-panel", role: "dialog", "aria-labelledby": "lh-title", tabindex: -1, hidden: true },
    h("div", { class: "head" }, h("div", { class: "titles" }, h("h2", { id: "lh-title" }, strings.title), h("p", {}, strings.subtitle)), close),
    banner,
    mount,
  );
  ctx.launcher.setAttribute("aria-controls", "lh-panel");
  ctx.root.append(panel);

  const visible = () => open && document.visibilityState === "visible";
  const help = new HelpView({
    base: ctx.base,
    store,
    root: ctx.root,
    mount,
    banner,
    layout: "panel",
    emit: (event, payload) => ctx.emit(event, payload),
    isVisible: visible,
    onUnread: (n) => ctx.setUnread(n),
    // A call rings: the panel opens so the prompt is seen, without taking the keyboard focus from the page.
    onCall: () => openPanel(false),
  });
  const ensureStarted = () => {
    if (started) return;
    started = true;
    void help.start();
  };

  function openPanel(takeFocus = true): void {
    if (!open) {
      open = true;
      panel.hidden = false;
      ctx.setLauncherVisible(false);
      remember(true);
      ctx.emit("open");
    }
    if (takeFocus) {
      panel.focus();
      help.focus();
    }
    ensureStarted();
    help.visibilityChanged();
  }

  function closePanel(): void {
    if (!open) return;
    open = false;
    panel.hidden = true;
    ctx.setLauncherVisible(true);
    remember(false);
    ctx.launcher.focus();
    ctx.emit("close");
  }

  function remember(isOpen: boolean): void {
    try {
      if (isOpen) sessionStorage.setItem(openKey, "1");
      else sessionStorage.removeItem(openKey);
    } catch {
      // Storage may be off; the panel then starts closed after a reload.
    }
  }

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.stopPropagation();
      closePanel();
    }
  });
  document.addEventListener("visibilitychange", () => help.visibilityChanged());

  ctx.ready({
    open: openPanel,
    close: closePanel,
    mayday(device) {
      void help.mayday(device);
      openPanel();
    },
    identified: (identity, changed) => void help.identified(identity, changed),
  });

  // Brought back by a reload during a conversation: reconnect at once, and reopen the panel if it was open.
  if (!started && store.openConversation) {
    let wasOpen = false;
    try {
      wasOpen = sessionStorage.getItem(openKey) === "1";
    } catch {
      wasOpen = false;
    }
    if (wasOpen) openPanel();
    else ensureStarted();
  }
}

const context = (window as unknown as Record<string, LoaderContext | undefined>)[loaderKey];
if (context && !context.root.querySelector(".panel")) boot(context);
