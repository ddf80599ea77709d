// The pre-chat form: the topic (required), the question, and the name and email the customer last gave.
import type { RequestHelpInput, Topic } from "../sdk/contract";
import { h } from "../sdk/dom";
import { TextLimit } from "../sdk/text-limit";
import { strings } from "./strings";

export interface PrechatForm {
  topics: Topic[];
  defaults: { name: string; email: string };
  messageLimit: number;
  /** Start chat, with what the customer wrote; the button and error line show how the request goes. */
  submit(input: RequestHelpInput, form: { button: HTMLButtonElement; error: HTMLElement }): void;
}

/** The form and the field that takes the focus. */
export function prechatForm(o: PrechatForm): { view: HTMLElement; focus: HTMLElement } {
  const id = (name: string) => `lh-${name}`;
  const topic = h("select", { id: id("topic"), name: "topic", required: true, "aria-describedby": id("prechat-error") }, h("option", { value: "" }, strings.chooseTopic));
  for (const t of o.topics) topic.append(h("option", { value: t.id }, t.name));
  if (o.topics.length === 1) topic.value = o.topics[0].id;
  const details = h("textarea", { id: id("details"), name: "details", rows: 3, "aria-describedby": id("details-hint") });
  const detailsCount = h("p", { class: "count", id: id("details-count"), "aria-live": "polite" });
  const name = h("input", { id: id("name"), name: "name", type: "text", autocomplete: "name", maxlength: 200 });
  name.value = o.defaults.name;
  const email = h("input", { id: id("email"), name: "email", type: "email", autocomplete: "email", maxlength: 320 });
  email.value = o.defaults.email;
  const error = h("p", { class: "error", id: id("prechat-error"), role: "alert" });
  const button = h("button", { type: "submit", class: "btn primary" }, strings.startChat);
  const form = h(
    "form",
    { class: "scroll", novalidate: true },
    h("p", { class: "intro" }, strings.prechatIntro),
    h("div", { class: "field" }, h("label", { for: id("topic") }, strings.topic), topic),
    h("div", { class: "field" }, h("label", { for: id("details") }, strings.details, " ", h("span", { class: "opt" }, `(${strings.optional})`)), details, detailsCount, h("p", { class: "hint", id: id("details-hint") }, strings.detailsHint)),
    h("div", { class: "field" }, h("label", { for: id("name") }, strings.name, " ", h("span", { class: "opt" }, `(${strings.optional})`)), name),
    h("div", { class: "field" }, h("label", { for: id("email") }, strings.email, " ", h("span", { class: "opt" }, `(${strings.optional})`)), email),
    error,
    button,
  );
  const detailsLimit = new TextLimit(details, detailsCount, button, strings.tooLongToSend, o.messageLimit);
  topic.addEventListener("change", () => {
    topic.removeAttribute("aria-invalid");
    error.textContent = "";
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!topic.value) {
      topic.setAttribute("aria-invalid", "true");
      error.textContent = strings.topicRequired;
      topic.focus();
      return;
    }
    if (detailsLimit.refused()) return;
    if (button.disabled) return;
    button.disabled = true;
    button.textContent = strings.starting;
    error.textContent = "";
    o.submit(
      {
        topic: topic.value,
        mode: "chat",
        details: details.value.trim() || null,
        name: name.value.trim() || null,
        email: email.value.trim() || null,
        pageUrl: location.href,
      },
      { button, error },
    );
  });
  return { view: form, focus: topic };
}
