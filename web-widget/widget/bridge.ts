// What the loader (livehelp.js) hands the full widget (livehelp-widget.js) once it has loaded.
import type { Identity } from "./visitor";

export type WidgetEvent = "open" | "close" | "queue" | "agentJoined" | "message" | "closed" | "state";

export interface DeviceInfo {
  model?: string;
  os?: string;
  app?: string;
  appVersion?: string;
  details?: string;
  userId?: string;
  userHash?: string;
  name?: string;
  email?: string;
}

/** The loader's side: where the widget lives and how it talks back. */
export interface LoaderContext {
  base: string;
  site: string;
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  emit(event: WidgetEvent, payload?: unknown): void;
  setLauncherVisible(visible: boolean): void;
  setUnread(count: number): void;
  ready(widget: WidgetApi): void;
}

/** The widget's side, called by the loader (queued calls included) once it is there. */
export interface WidgetApi {
  open(): void;
  close(): void;
  mayday(device: DeviceInfo): void;
  identified(identity: Identity, visitorChanged: boolean): void;
}

export const loaderKey = "__liveHelpLoader";

/** Adds CSS to a shadow root: a constructed sheet where possible (host pages' CSP may forbid style elements). */
export function addStyles(root: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    const style = document.createElement("style");
    style.textContent = css;
    root.appendChild(style);
  }
}

/** A small inline icon from fixed path data (never from untrusted input). */
export function icon(path: string, size = 20): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  p.setAttribute("fill", "currentColor");
  svg.appendChild(p);
  return svg;
}


/** The host element's own style: written inline and important, so the page's CSS cannot hide or move it. */
export const hostStyle =
  "all:initial!important;display:block!important;position:fixed!important;right:0!important;bottom:0!important;" +
  "width:0!important;height:0!important;z-index:2147483000!important;visibility:visible!important;opacity:1!important";
