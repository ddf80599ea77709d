// Admin view: agents (create, skills, cap, auto-accept, disable), topics, allowed widget origins, canned responses,
// offline messages and the identity secret.
import { append, bdi, clear, h, sentence } from "../sdk/dom";
import { newId } from "../sdk/session";
import type { AgentView, CannedResponse, Role } from "./api";
import { type Ctx, toast, topicName } from "./context";
import { t } from "./strings";
import { describeError, field, formatDateTime, scrollBox, select, statusBadge, uid } from "./ui";

const roleOptions: Array<[string, string]> = [["agent", t.roles.agent], ["supervisor", t.roles.supervisor], ["admin", t.roles.admin]];

export class AdminView {
  readonly element: HTMLElement;
  private readonly agentsBody = scrollBox("admin-agents");
  private readonly topicsBody = h("div", {});
  private readonly originsBody = h("div", {});
  private readonly cannedBody = h("div", {});
  private readonly offlineBody = h("div", {});
  private readonly secretBody = h("div", {});

  constructor(private readonly ctx: Ctx) {
    this.element = h("div", { class: "admin" },
      h("h1", { class: "page-title" }, t.adminHeading),
      card("admin-agents", t.agentsAdmin, this.agentsBody, this.createAgentForm()),
      h("div", { class: "admin__grid" },
        card("admin-topics", t.topicsAdmin, this.topicsBody),
        h("div", { class: "admin__stack" },
          card("admin-origins", t.originsAdmin, this.originsBody),
          card("admin-secret", t.identitySecret, this.secretBody))),
      card("admin-canned", t.cannedAdmin, this.cannedBody),
      card("admin-offline", t.offlineAdmin, this.offlineBody));
    this.renderSecret();
  }

  async load(): Promise<void> {
    await Promise.all([this.loadAgents(), this.loadTopics(), this.loadOrigins(), this.loadCanned(), this.loadOffline()]);
  }

  // --- agents ---

  private async loadAgents(): Promise<void> {
    try {
      const agents = await this.ctx.api.agents();
      this.agentsBody.replaceChildren(h("table", { class: "table table--edit", "aria-labelledby": "admin-agents" },
        h("thead", {}, h("tr", {}, ...[t.displayName, t.username, t.role, t.skills, t.maxConcurrent, t.autoAccept, t.disabled, t.colStatus, ""]
          .map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, ...agents.sort((a, b) => a.displayName.localeCompare(b.displayName)).map((a) => this.agentRow(a)))));
    } catch (error) {
      this.agentsBody.replaceChildren(failed(error));
    }
  }

  private agentRow(a: AgentView): HTMLTableRowElement {
    const who = a.displayName;
    const name = h("input", { class: "input", value: a.displayName, "aria-label": t.editFor(t.displayName, who), maxlength: 100 });
    const role = select(roleOptions, a.role, { "aria-label": t.editFor(t.role, who), class: "input" });
    const skills = h("input", { class: "input", value: a.skills.join(", "), "aria-label": t.editFor(t.skills, who) });
    const cap = h("input", { class: "input input--num", type: "number", min: 1, max: 50, value: a.maxConcurrent, "aria-label": t.editFor(t.maxConcurrent, who) });
    const auto = h("input", { type: "checkbox", checked: a.autoAccept, "aria-label": t.editFor(t.autoAccept, who) });
    const disabled = h("input", { type: "checkbox", checked: a.disabled, "aria-label": t.editFor(t.disabled, who) });
    const save = h("button", { type: "button", class: "button button--small" }, t.save);
    save.addEventListener("click", async () => {
      save.disabled = true;
      try {
        await this.ctx.api.updateAgent(a.id, {
          displayName: name.value.trim(),
          role: role.value as Role,
          skills: splitList(skills.value),
          maxConcurrent: Number(cap.value),
          autoAccept: auto.checked,
          disabled: disabled.checked,
        });
        toast(`${name.value.trim()}: ${t.saved}`, "success");
        await this.loadAgents();
      } catch (error) {
        toast(describeError(error), "error");
        save.disabled = false;
      }
    });
    return h("tr", { "data-agent": a.username },
      h("td", {}, name),
      h("td", {}, h("code", {}, a.username)),
      h("td", {}, role),
      h("td", {}, skills),
      h("td", {}, cap),
      h("td", { class: "center" }, auto),
      h("td", { class: "center" }, disabled),
      h("td", {}, a.disabled ? t.disabled : statusBadge(a.status, a.connected)),
      h("td", {}, save));
  }

  private createAgentForm(): HTMLElement {
    const username = h("input", { class: "input", required: true, autocomplete: "off", maxlength: 64, pattern: "[A-Za-z0-9_\\-]+" });
    const displayName = h("input", { class: "input", required: true, maxlength: 100 });
    const password = h("input", { class: "input", type: "password", required: true, minlength: 8, autocomplete: "new-password" });
    const role = select(roleOptions, "agent", { class: "input" });
    const skills = h("input", { class: "input", value: "general" });
    const cap = h("input", { class: "input input--num", type: "number", min: 1, max: 50, value: 3 });
    const auto = h("input", { type: "checkbox", id: uid("auto") });
    const error = h("p", { class: "form-error", role: "alert" });
    const form = h("form", { class: "form form--inline", "aria-labelledby": "create-agent-heading" },
      h("h3", { id: "create-agent-heading", class: "form__title" }, t.createAgent),
      h("div", { class: "form__row" },
        field(t.username, username),
        field(t.displayName, displayName),
        field(t.password, password),
        field(t.role, role),
        field(t.skills, skills, t.skillsHint),
        field(t.maxConcurrent, cap),
        h("div", { class: "field field--check" }, auto, h("label", { for: auto.id }, t.autoAccept))),
      error,
      h("div", {}, h("button", { type: "submit", class: "button button--primary" }, t.create)));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      error.textContent = "";
      try {
        const created = await this.ctx.api.createAgent({
          username: username.value.trim(),
          displayName: displayName.value.trim(),
          password: password.value,
          role: role.value as Role,
          skills: splitList(skills.value),
          maxConcurrent: Number(cap.value),
          autoAccept: auto.checked,
        });
        form.reset();
        toast(sentence(t.created, created.displayName), "success");
        await this.loadAgents();
      } catch (err) {
        error.textContent = describeError(err);
      }
    });
    return form;
  }

  // --- topics ---

  private async loadTopics(): Promise<void> {
    try {
      this.ctx.topics = await this.ctx.api.topics();
      const id = h("input", { class: "input", required: true, maxlength: 64, pattern: "[a-z0-9_\\-]+" });
      const name = h("input", { class: "input", required: true, maxlength: 100 });
      const skill = h("input", { class: "input", maxlength: 64 });
      const error = h("p", { class: "form-error", role: "alert" });
      const form = h("form", { class: "form" },
        h("div", { class: "form__row form__row--tight" }, field(t.topicId, id), field(t.topicName, name), field(t.topicSkill, skill)),
        error,
        h("div", {}, h("button", { type: "submit", class: "button" }, t.addTopic)));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        try {
          await this.ctx.api.saveTopic({ id: id.value.trim(), name: name.value.trim(), skill: skill.value.trim() || id.value.trim() });
          toast(`${name.value.trim()}: ${t.saved}`, "success");
          await this.loadTopics();
        } catch (err) {
          error.textContent = describeError(err);
        }
      });
      this.topicsBody.replaceChildren(
        h("table", { class: "table", "aria-labelledby": "admin-topics" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t.topicId), h("th", { scope: "col" }, t.topicName), h("th", { scope: "col" }, t.topicSkill))),
          h("tbody", {}, ...this.ctx.topics.map((x) => h("tr", {}, h("td", {}, h("code", {}, x.id)), h("td", {}, x.name), h("td", {}, x.skill))))),
        form);
    } catch (error) {
      this.topicsBody.replaceChildren(failed(error));
    }
  }

  // --- allowed origins ---

  private async loadOrigins(): Promise<void> {
    try {
      const view = await this.ctx.api.origins();
      this.renderOrigins(view.origins, view.configured);
    } catch (error) {
      this.originsBody.replaceChildren(failed(error));
    }
  }

  private renderOrigins(origins: string[], configured: string[]): void {
    const save = async (next: string[]) => {
      try {
        const view = await this.ctx.api.saveOrigins(next);
        toast(t.saved, "success");
        this.renderOrigins(view.origins, view.configured);
        return true;
      } catch (err) {
        toast(describeError(err), "error");
        return false;
      }
    };
    const input = h("input", { class: "input", type: "url", placeholder: "https://www.example.com", required: true });
    const form = h("form", { class: "form form--line" }, field(t.origin, input), h("button", { type: "submit", class: "button" }, t.originAdd));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const value = input.value.trim().replace(/\/+$/, "");
      if (value && (await save([...origins.filter((o) => o !== value), value]))) {
        this.originsBody.querySelector<HTMLInputElement>("input")?.focus();
      }
    });
    clear(this.originsBody);
    append(this.originsBody,
      h("p", { class: "hint" }, t.originsHint),
      origins.length
        ? h("ul", { class: "plain-list" }, ...origins.map((o) =>
          h("li", { class: "plain-list__item" }, h("code", { class: "break" }, o),
            h("button", { type: "button", class: "button button--small button--danger-quiet", "aria-label": t.removeItem(o), onclick: () => void save(origins.filter((x) => x !== o)) }, t.remove))))
        : h("p", { class: "muted" }, t.originsNone),
      configured.length ? h("p", { class: "hint" }, t.originsConfigured, " ", configured.join(", ")) : null,
      form);
  }

  // --- canned responses ---

  private async loadCanned(): Promise<void> {
    try {
      this.ctx.canned = await this.ctx.api.canned();
      this.renderCanned(this.ctx.canned.map((r) => ({ ...r })));
    } catch (error) {
      this.cannedBody.replaceChildren(failed(error));
    }
  }

  private renderCanned(list: CannedResponse[]): void {
    const rows = h("div", { class: "canned-edit" });
    const addRow = (r: CannedResponse) => {
      const title = h("input", { class: "input", value: r.title, maxlength: 100, "data-field": "title" });
      const text = h("textarea", { class: "input", rows: 3, maxlength: 4000, "data-field": "text" });
      text.value = r.text;
      const row = h("div", { class: "canned-edit__row", "data-id": r.id },
        field(t.cannedTitle, title),
        field(t.cannedText, text),
        h("button", { type: "button", class: "button button--small button--danger-quiet", "aria-label": t.removeItem(r.title || t.cannedTitle), onclick: () => row.remove() }, t.remove));
      rows.append(row);
      return title;
    };
    list.forEach(addRow);
    const add = h("button", { type: "button", class: "button", onclick: () => addRow({ id: "r-" + newId().slice(0, 8), title: "", text: "" }).focus() }, t.addCanned);
    const save = h("button", { type: "button", class: "button button--primary" }, t.saveCanned);
    save.addEventListener("click", async () => {
      const next: CannedResponse[] = [...rows.querySelectorAll<HTMLElement>(".canned-edit__row")].map((row) => ({
        id: row.dataset.id!,
        title: row.querySelector<HTMLInputElement>("[data-field=title]")!.value.trim(),
        text: row.querySelector<HTMLTextAreaElement>("[data-field=text]")!.value.trim(),
      })).filter((r) => r.title || r.text);
      try {
        this.ctx.canned = await this.ctx.api.saveCanned(next);
        toast(t.saved, "success");
        this.renderCanned(this.ctx.canned.map((r) => ({ ...r })));
      } catch (err) {
        toast(describeError(err), "error");
      }
    });
    this.cannedBody.replaceChildren(h("p", { class: "hint" }, t.cannedAdminHint), rows, h("div", { class: "button-row" }, add, save));
  }

  // --- offline messages ---

  private async loadOffline(): Promise<void> {
    try {
      const messages = (await this.ctx.api.offlineMessages()).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      this.offlineBody.replaceChildren(messages.length
        ? h("ul", { class: "offline-list" }, ...messages.map((m) =>
          h("li", { class: "offline" },
            h("p", { class: "offline__meta" },
              h("strong", {}, bdi(m.name || t.visitor)),
              m.email ? h("span", { class: "break" }, " · ", bdi(m.email)) : null,
              m.topic ? ` · ${topicName(this.ctx, m.topic)}` : null,
              " · ", h("time", { datetime: m.createdAt, title: formatDateTime(m.createdAt) }, `${formatDateTime(m.createdAt)}`)),
            h("p", { class: "offline__text prewrap" }, m.text))))
        : h("p", { class: "muted" }, t.offlineNone));
    } catch (error) {
      this.offlineBody.replaceChildren(failed(error));
    }
  }

  // --- identity secret ---

  private renderSecret(): void {
    const reveal = h("button", { type: "button", class: "button" }, t.reveal);
    reveal.addEventListener("click", async () => {
      try {
        const { secret } = await this.ctx.api.identitySecret();
        reveal.replaceWith(h("code", { class: "secret break" }, secret));
      } catch (error) {
        toast(describeError(error), "error");
      }
    });
    this.secretBody.replaceChildren(h("p", { class: "hint" }, t.identitySecretHint), reveal);
  }
}

function card(headingId: string, title: string, ...body: Node[]): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": headingId }, h("h2", { id: headingId, class: "card__title" }, title), ...body);
}

function failed(error: unknown): HTMLElement {
  return h("p", { class: "form-error" }, `${t.loadFailed} ${describeError(error)}`);
}

function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}
