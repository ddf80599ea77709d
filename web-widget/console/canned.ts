// The canned-response picker: a searchable list; the chosen text comes back with its placeholders filled.
import type { ConversationView } from "../sdk/contract";
import { h, sentence } from "../sdk/dom";
import type { CannedResponse } from "./api";
import { type Ctx, topicName } from "./context";
import { t } from "./strings";
import { openDialog, uid } from "./ui";

/** {name} is the customer's name (or "there"), {agent} the agent's display name, {topic} the topic's name. */
export function fillPlaceholders(text: string, values: { name?: string | null; agent: string; topic: string }): string {
  const name = values.name?.trim() || t.cannedThere;
  return text.replace(/\{(name|agent|topic)\}/g, (_, key: string) => (key === "name" ? name : key === "agent" ? values.agent : values.topic));
}

export function pickCanned(ctx: Ctx, view: ConversationView, onPick: (text: string) => void, onCancel: () => void): void {
  const listId = uid("canned");
  const search = h("input", {
    type: "search",
    class: "input",
    role: "combobox",
    "aria-label": t.cannedSearch,
    "aria-controls": listId,
    "aria-expanded": "true",
    "aria-autocomplete": "list",
    placeholder: t.cannedSearch,
    autocomplete: "off",
  });
  const list = h("ul", { class: "canned-list", role: "listbox", id: listId, "aria-label": t.cannedHeading });
  const empty = h("p", { class: "muted" });
  let shown: CannedResponse[] = [];
  let active = 0;
  let picked = false;

  const values = { name: view.preQualification?.name?.trim() || t.cannedThere, agent: ctx.me.displayName, topic: topicName(ctx, view.topic) };
  const fill = (r: CannedResponse) => fillPlaceholders(r.text, values);
  // The preview isolates the names in it, as everywhere else; the text that goes into the composer is plain.
  const preview = (r: CannedResponse) =>
    sentence((name, agent, topic) => fillPlaceholders(r.text, { name, agent, topic }), values.name, values.agent, values.topic);

  const choose = (r: CannedResponse) => {
    picked = true;
    dlg.close();
    onPick(fill(r));
  };

  const render = () => {
    const q = search.value.trim().toLowerCase();
    shown = ctx.canned.filter((r) => !q || r.title.toLowerCase().includes(q) || r.text.toLowerCase().includes(q));
    active = Math.min(active, Math.max(0, shown.length - 1));
    list.replaceChildren(...shown.map((r, i) => {
      const id = `${listId}-${i}`;
      return h("li", {
        id,
        role: "option",
        class: i === active ? "canned-item canned-item--active" : "canned-item",
        "aria-selected": i === active ? "true" : "false",
        onclick: () => choose(r),
        onmousemove: () => {
          if (active !== i) {
            active = i;
            render();
          }
        },
      }, h("span", { class: "canned-item__title" }, r.title), h("span", { class: "canned-item__text" }, preview(r)));
    }));
    if (shown.length > 0) {
      search.setAttribute("aria-activedescendant", `${listId}-${active}`);
      document.getElementById(`${listId}-${active}`)?.scrollIntoView({ block: "nearest" });
    } else {
      search.removeAttribute("aria-activedescendant");
    }
    empty.textContent = shown.length ? "" : ctx.canned.length ? t.cannedNone : t.cannedEmpty;
  };

  search.addEventListener("input", () => {
    active = 0;
    render();
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (shown.length) active = (active + (e.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
      render();
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (shown[active]) choose(shown[active]);
    }
  });

  const dlg = openDialog(t.cannedHeading, [search, h("p", { class: "hint" }, t.cannedHint), list, empty], {
    wide: true,
    onClose: () => {
      if (!picked) onCancel();
    },
  });
  render();
  search.focus();
}
