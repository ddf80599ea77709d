// The message form for when nobody can answer: before asking (nobody online), or while waiting in a line nobody can
// serve now (the customer keeps their place and can go back to it).
import type { OfflineMessageInput } from "../sdk/contract";
import { h, sentence } from "../sdk/dom";
import { LiveHelpError } from "../sdk/session";
import { TextLimit } from "../sdk/text-limit";
import { icon, type DeviceInfo } from "./bridge";
import * as icons from "./icons";
import { errorText, strings } from "./strings";

export interface OfflinePrefill {
  text?: string;
  topic?: string;
  name?: string;
  email?: string;
}

export interface OfflineForm {
  prefill: OfflinePrefill;
  defaults: { name: string; email: string };
  messageLimit: number;
  device: DeviceInfo | null;
  /** Sends the message; refused with a LiveHelpError. */
  leave(input: OfflineMessageInput): Promise<void>;
  /** The customer pressed Send (true) or a refusal gave the button back (false): the next view takes the focus. */
  busy(busy: boolean): void;
  /** Shows the confirmation in place of the form, focusing its heading. */
  sent(view: HTMLElement, heading: HTMLElement): void;
  /** Set while the customer waits in line: the form says they keep their place, with a way back to it. */
  backToLine?: () => void;
}

/** The form and its message field, which takes the focus. */
export function offlineForm(o: OfflineForm): { view: HTMLElement; text: HTMLTextAreaElement } {
  const id = (name: string) => `lh-off-${name}`;
  const waiting = !!o.backToLine;
  const text = h("textarea", { id: id("text"), name: "message", rows: 4, required: true, "aria-describedby": id("error") });
  text.value = o.prefill.text ?? "";
  const textCount = h("p", { class: "count", id: id("text-count"), "aria-live": "polite" });
  const name = h("input", { id: id("name"), name: "name", type: "text", autocomplete: "name", maxlength: 200 });
  name.value = o.prefill.name || o.defaults.name;
  const email = h("input", { id: id("email"), name: "email", type: "email", autocomplete: "email", maxlength: 320 });
  email.value = o.prefill.email || o.defaults.email;
  const error = h("p", { class: "error", id: id("error"), role: "alert" });
  const button = h("button", { type: "submit", class: "btn primary" }, strings.offlineSend);
  const back = () => (o.backToLine ? h("button", { type: "button", class: "btn secondary", onclick: () => o.backToLine?.() }, strings.backToLine) : null);
  const form = h(
    "form",
    { class: "scroll", novalidate: true },
    h(
      "div",
      { class: "notice", role: "status" },
      h("div", { class: "bigicon" }, icon(icons.chat, 24)),
      h("div", {}, h("h3", {}, waiting ? strings.queueNobody : strings.offlineTitle), h("p", {}, waiting ? strings.offlineKeepPlace : strings.offlineText)),
    ),
    h("div", { class: "field" }, h("label", { for: id("text") }, strings.offlineMessage), text, textCount),
    h("div", { class: "field" }, h("label", { for: id("name") }, strings.name, " ", h("span", { class: "opt" }, `(${strings.optional})`)), name),
    h("div", { class: "field" }, h("label", { for: id("email") }, strings.email, " ", h("span", { class: "opt" }, `(${strings.optional})`)), email),
    error,
    waiting ? h("div", { class: "row2" }, back(), button) : button,
  );
  const textLimit = new TextLimit(text, textCount, button, strings.tooLongToSend, o.messageLimit);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = text.value.trim();
    if (!body) {
      text.setAttribute("aria-invalid", "true");
      error.textContent = strings.messageRequired;
      text.focus();
      return;
    }
    if (textLimit.refused()) return;
    if (button.disabled) return;
    o.busy(true);
    button.disabled = true;
    error.textContent = "";
    const d = o.device;
    const deviceLine = d ? [d.model, d.os, d.app || d.appVersion].filter(Boolean).join(" · ") : "";
    try {
      await o.leave({
        text: deviceLine ? `${body}\n\n${strings.device}: ${deviceLine}` : body,
        topic: o.prefill.topic || (d ? "device" : null),
        name: name.value.trim() || null,
        email: email.value.trim() || null,
      });
    } catch (e) {
      o.busy(false);
      button.disabled = false;
      button.focus();
      error.textContent = errorText(LiveHelpError.from(e).code);
      return;
    }
    const sentTo = email.value.trim();
    const heading = h("h3", { tabindex: -1 }, strings.offlineSent);
    o.sent(
      h(
        "div",
        { class: "scroll center", role: "status" },
        h("div", { class: "bigicon" }, icon(icons.check, 26)),
        heading,
        sentTo ? h("p", {}, sentence(strings.offlineSentEmail, sentTo)) : null,
        waiting ? h("p", {}, strings.offlineSentKeepPlace) : null,
        back(),
      ),
      heading,
    );
  });
  return { view: form, text };
}
