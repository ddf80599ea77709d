// /mayday: the one-tap device entry, full screen in a device app's WebView or a kiosk. Opening it asks for help at
// once (Mayday mode, topic "device"), with the device information from the query string; no form.
import { h } from "../sdk/dom";
import { addStyles, hostStyle, type DeviceInfo } from "./bridge";
import { HelpView } from "./help";
import { strings } from "./strings";
import { widgetCss } from "./styles";
import { VisitorStore } from "./visitor";

function deviceFromQuery(query: URLSearchParams): DeviceInfo {
  const get = (key: string) => query.get(key)?.trim().slice(0, 4000) || undefined;
  return {
    model: get("model"),
    os: get("os"),
    app: get("app") ?? get("appVersion"),
    details: get("details"),
    userId: get("userId"),
    userHash: get("userHash"),
    name: get("name"),
    email: get("email"),
  };
}

function boot(): void {
  const base = location.origin;
  const device = deviceFromQuery(new URLSearchParams(location.search));
  const host = document.createElement("livehelp-mayday");
  host.style.cssText = hostStyle.replace(/width:0!important;height:0!important;/, "width:100%!important;height:100%!important;");
  const root = host.attachShadow({ mode: "open" });
  addStyles(root, widgetCss);

  const deviceLine = [device.model, device.os, device.app].filter(Boolean).join(" · ");
  const banner = h("div", { class: "banner", role: "status", "aria-live": "polite", hidden: true });
  const mount = h("main", { class: "mount" });
  const page = h(
    "div",
    { class: "frame page" },
    h("header", { class: "head" }, h("div", { class: "titles" }, h("h1", {}, strings.maydayTitle), deviceLine ? h("p", {}, deviceLine) : null)),
    banner,
    mount,
  );
  root.append(page);
  document.body.append(host);

  const help = new HelpView({
    base,
    store: new VisitorStore(base),
    root,
    mount,
    banner,
    layout: "page",
    emit: (event, payload) => window.dispatchEvent(new CustomEvent("livehelp:" + event, { detail: payload })),
    isVisible: () => document.visibilityState === "visible",
  });
  document.addEventListener("visibilitychange", () => help.visibilityChanged());
  help.focus();
  void help.mayday(device);
}

if (document.body) boot();
else document.addEventListener("DOMContentLoaded", boot, { once: true });
