// The end of a conversation, in place of the composer: who ended it, the rating form (until rated), the transcript
// download and the way to a new conversation.
import type { ConversationView } from "../sdk/contract";
import { Methods } from "../sdk/contract";
import { clear, h, sentence } from "../sdk/dom";
import { LiveHelpError, type Session } from "../sdk/session";
import { icon } from "./bridge";
import * as icons from "./icons";
import { errorText, strings } from "./strings";

export interface Ending {
  base: string;
  root: ShadowRoot;
  session(): Session | null;
  token(): string | null;
  conversation: ConversationView;
  closedBy: string;
  /** The customer can see the conversation: the heading may take the focus the footer had. */
  visible: boolean;
  again: { label: string; start(): void };
}

/** Replaces the conversation's footer with the closed view; returns its heading, the view's first focus. */
export function showEnding(chat: { footer: HTMLElement; log: HTMLElement }, o: Ending): HTMLElement {
  const c = o.conversation;
  const hadFocus = !!o.root.activeElement && chat.footer.contains(o.root.activeElement);
  const heading = h("h3", { tabindex: -1, id: "lh-closed-title" }, strings.closedTitle);
  const byline = o.closedBy === "customer" ? strings.closedByYou : o.closedBy === "system" ? strings.closedWhileAway : c.agentName ? sentence(strings.closedByAgent, c.agentName) : "";
  const section = h("section", { class: "closed", "aria-labelledby": "lh-closed-title" }, heading, byline ? h("p", { class: "hint" }, byline) : null);
  if (c.rating == null) section.append(ratingForm(o));
  const transcript = h("button", { type: "button", class: "btn secondary", onclick: () => void downloadTranscript(o, transcript) }, icon(icons.download, 18), strings.transcript);
  const again = h("button", { type: "button", class: "btn secondary", onclick: () => o.again.start() }, o.again.label);
  section.append(h("div", { class: "row2" }, transcript, again));
  clear(chat.footer);
  chat.footer.append(section);
  chat.log.scrollTop = chat.log.scrollHeight;
  if (hadFocus && o.visible) heading.focus();
  return heading;
}

function ratingForm(o: Ending): HTMLElement {
  const c = o.conversation;
  const comment = h("textarea", { id: "lh-rate-comment", rows: 2, maxlength: 2000 });
  // The comment field opens once a rating is chosen, to keep the closed view short.
  const commentField = h("div", { class: "field", hidden: true }, h("label", { for: "lh-rate-comment" }, strings.rateComment, " ", h("span", { class: "opt" }, `(${strings.optional})`)), comment);
  const error = h("p", { class: "error", id: "lh-rate-error", role: "alert" });
  const row = h("div", { class: "row" });
  const labels: HTMLLabelElement[] = [];
  let chosen = 0;
  const paint = (n: number) => labels.forEach((l, i) => l.classList.toggle("on", i < n));
  for (let n = 1; n <= 5; n++) {
    const input = h("input", { type: "radio", name: "lh-rating", id: `lh-star-${n}`, value: n });
    const label = h("label", { for: `lh-star-${n}` }, h("span", { "aria-hidden": "true" }, "★"), h("span", { class: "sr" }, strings.rateStar(n)));
    input.addEventListener("change", () => {
      chosen = n;
      paint(n);
      error.textContent = "";
      commentField.hidden = false;
    });
    label.addEventListener("mouseenter", () => paint(n));
    label.addEventListener("mouseleave", () => paint(chosen));
    labels.push(label);
    row.append(input, label);
  }
  const button = h("button", { type: "submit", class: "btn primary" }, strings.rateSend);
  const form = h(
    "form",
    { novalidate: true },
    h("fieldset", { class: "stars", "aria-describedby": "lh-rate-error" }, h("legend", {}, strings.rateLegend), row),
    commentField,
    error,
    button,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!chosen) {
      error.textContent = strings.rateRequired;
      (form.querySelector("input[type=radio]") as HTMLInputElement).focus();
      return;
    }
    button.disabled = true;
    try {
      await o.session()!.invoke(Methods.rate, c.id, chosen, comment.value.trim() || null);
    } catch (err) {
      const code = LiveHelpError.from(err).code;
      if (code !== "already_rated") {
        button.disabled = false;
        error.textContent = errorText(code);
        return;
      }
    }
    const thanks = h("p", { class: "thanks", role: "status", tabindex: -1 }, icon(icons.check, 20), strings.rateThanks);
    form.replaceWith(thanks);
    thanks.focus();
  });
  return form;
}

async function downloadTranscript(o: Ending, button: HTMLButtonElement): Promise<void> {
  const conversationId = o.conversation.id;
  // Busy rather than disabled: a disabled button would drop the keyboard focus.
  if (button.getAttribute("aria-busy") === "true") return;
  button.setAttribute("aria-busy", "true");
  try {
    const response = await fetch(new URL(`/api/conversations/${encodeURIComponent(conversationId)}/transcript.txt`, o.base), {
      headers: { authorization: `Bearer ${o.token()}` },
    });
    if (!response.ok) throw new LiveHelpError("http_" + response.status, response.statusText);
    const blob = new Blob([await response.blob()], { type: "text/plain;charset=utf-8" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `livehelp-${conversationId}.txt`, hidden: true });
    o.root.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch {
    // The button stays for another try.
  } finally {
    button.removeAttribute("aria-busy");
  }
}
