// livehelp.js: the one script a site embeds. It learns the LiveHelp server and the site key from its own tag, shows
// the launcher, defines window.LiveHelp, and fetches the full widget (livehelp-widget.js) on the first open.
import * as icons from "./icons";
import { addStyles, hostStyle, icon, loaderKey, type DeviceInfo, type LoaderContext, type WidgetApi, type WidgetEvent } from "./bridge";
import { launcherStrings as strings } from "./launcher-strings";
import { VisitorStore, type Identity } from "./visitor";

const launcherCss = `
:host{${hostStyle}}
.launcher{position:fixed;right:20px;bottom:20px;display:inline-flex;align-items:center;gap:8px;box-sizing:border-box;height:48px;
margin:0;padding:0 20px 0 16px;border:0;border-radius:24px;background:#1d4f7c;color:#fff;cursor:pointer;
font:600 15px/1 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;letter-spacing:normal;text-transform:none;
box-shadow:0 6px 18px rgba(16,42,67,.28)}
.launcher:hover{background:#173f63}
.launcher:focus{outline:none}
.launcher:focus-visible{box-shadow:0 0 0 3px #fff,0 0 0 6px #1d4f7c}
.launcher[hidden]{display:none}
.badge{display:inline-flex;align-items:center;justify-content:center;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;
border-radius:10px;background:#fff;color:#1d4f7c;font-size:12px;font-weight:700}
.badge[hidden]{display:none}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-reduced-motion:no-preference){.launcher{transition:transform .15s ease}.launcher:hover{transform:translateY(-1px)}}
`;

type Listener = (payload?: unknown) => void;

interface PublicApi {
  version: string;
  open(): void;
  close(): void;
  identify(identity: Identity): Promise<{ visitorId: string }>;
  mayday(device?: DeviceInfo): void;
  on(event: WidgetEvent, fn: Listener): () => void;
}

function findScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  const all = document.querySelectorAll<HTMLScriptElement>("script[src]");
  for (let i = all.length - 1; i >= 0; i--) if (/\/livehelp\.js(\?|#|$)/.test(all[i].src)) return all[i];
  return null;
}

function boot(): void {
  const w = window as unknown as Record<string, unknown>;
  const existing = w.LiveHelp as { version?: string; q?: unknown[][] } | undefined;
  if (existing?.version) return;
  const script = findScript();
  const base = new URL(script?.src ?? "/", location.href).origin;
  const site = script?.getAttribute("data-site") ?? "";
  const store = new VisitorStore(base);
  const listeners = new Map<string, Set<Listener>>();
  const waiting: ((widget: WidgetApi) => void)[] = [];
  let widget: WidgetApi | null = null;
  let loading = false;

  const host = document.createElement("livehelp-widget");
  host.style.cssText = hostStyle;
  const root = host.attachShadow({ mode: "open" });
  addStyles(root, launcherCss);
  const badge = document.createElement("span");
  badge.className = "badge";
  badge.hidden = true;
  const label = document.createElement("span");
  label.textContent = strings.launcher;
  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.setAttribute("aria-haspopup", "dialog");
  launcher.setAttribute("aria-expanded", "false");
  launcher.append(icon(icons.chat, 22), label, badge);
  launcher.addEventListener("click", () => api.open());
  root.appendChild(launcher);

  // The launcher says what pressing it will do: chat when someone is online, else leave a message. Asked again when
  // the page or the launcher comes back into view; a refused or failed answer leaves the words as they were.
  const checkStatus = () => {
    fetch(new URL("/api/status", base), { cache: "no-store" })
      .then((response) => (response.ok ? response.json() : null))
      .then((status: { agentsOnline?: unknown } | null) => {
        if (typeof status?.agentsOnline === "number") label.textContent = status.agentsOnline > 0 ? strings.launcher : strings.launcherNobody;
      })
      .catch(() => undefined);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !launcher.hidden) checkStatus();
  });

  const load = () => {
    if (loading) return;
    loading = true;
    const tag = document.createElement("script");
    tag.src = base + "/livehelp-widget.js";
    tag.async = true;
    tag.onerror = () => {
      loading = false;
      tag.remove();
    };
    (document.head ?? document.documentElement).appendChild(tag);
  };
  const call = (fn: (widget: WidgetApi) => void) => {
    if (widget) fn(widget);
    else {
      waiting.push(fn);
      load();
    }
  };

  const context: LoaderContext = {
    base,
    site,
    root,
    launcher,
    emit(event, payload) {
      for (const fn of listeners.get(event) ?? []) {
        try {
          fn(payload);
        } catch (error) {
          setTimeout(() => {
            throw error;
          });
        }
      }
    },
    setLauncherVisible(visible) {
      launcher.hidden = !visible;
      launcher.setAttribute("aria-expanded", String(!visible));
      if (visible) checkStatus();
    },
    setUnread(count) {
      badge.hidden = count === 0;
      badge.replaceChildren();
      if (count > 0) {
        const number = document.createElement("span");
        number.setAttribute("aria-hidden", "true");
        number.textContent = String(count);
        const text = document.createElement("span");
        text.className = "sr";
        text.textContent = strings.unread(count);
        badge.append(number, text);
      }
    },
    ready(api) {
      widget = api;
      for (const fn of waiting.splice(0)) fn(api);
    },
  };
  w[loaderKey] = context;

  const api: PublicApi = {
    version: "1",
    open: () => call((widget) => widget.open()),
    close: () => widget?.close(),
    async identify(identity) {
      const before = store.current?.visitorId;
      const stored = await store.identify(identity);
      widget?.identified(identity, before !== stored.visitorId);
      return { visitorId: stored.visitorId };
    },
    mayday: (device) => call((widget) => widget.mayday(device ?? {})),
    on(event, fn) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(fn);
      return () => set.delete(fn);
    },
  };
  w.LiveHelp = api;

  const mount = () => {
    document.body.appendChild(host);
    checkStatus();
    // A conversation was under way before this page loaded: bring the widget back at once.
    if (store.openConversation) load();
  };
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });

  // Calls a page queued before this script arrived: window.LiveHelp = { q: [["open"], ["identify", {...}]] }.
  for (const [method, ...args] of existing?.q ?? []) {
    const fn = (api as unknown as Record<string, (...a: unknown[]) => unknown>)[String(method)];
    if (typeof fn === "function") void Promise.resolve(fn(...args)).catch(() => undefined);
  }
  window.dispatchEvent(new Event("livehelp:ready"));
}

boot();
