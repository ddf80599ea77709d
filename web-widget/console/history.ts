// History view: past conversations (an agent's own, or all for supervisors), filtered and searched, a page at a
// time; a row opens the transcript, and the filtered list downloads as CSV.
import { h } from "../sdk/dom";
import type { HistoryItem } from "./api";
import { type Ctx, canOversee, topicName } from "./context";
import { t } from "./strings";
import { openTranscript } from "./transcript";
import { describeError, field, formatDateTime, select, srOnly, uid } from "./ui";

export class HistoryView {
  readonly element: HTMLElement;
  private readonly text = h("input", { class: "input", type: "search", maxlength: 200, "aria-label": t.historySearch, placeholder: t.historySearch });
  private readonly topic = select([["", t.historyAny]], "", { class: "input" });
  private readonly agent = select([["", t.historyAny]], "", { class: "input" });
  private readonly status = select([["", t.historyAny], ...Object.entries(t.conversationStatus)], "", { class: "input" });
  private readonly mode = select([["", t.historyAny], ["chat", t.modes.chat], ["mayday", t.modes.mayday], ["call", t.historyWithCall]], "", { class: "input" });
  private readonly rating = select([["", t.historyAny], ...["5", "4", "3", "2", "1"].map((r): [string, string] => [r, `${r}/5`])], "", { class: "input" });
  private readonly from = h("input", { class: "input", type: "date" });
  private readonly to = h("input", { class: "input", type: "date" });
  private readonly rows = h("tbody", {});
  private readonly message = h("p", { class: "muted", role: "status" });
  private readonly more = h("button", { type: "button", class: "button", hidden: true }, t.historyMore);
  private readonly error = h("p", { class: "form-error", role: "alert", hidden: true });
  private next: string | null = null;
  private shown: URLSearchParams = new URLSearchParams();
  private loadedLists = false;

  constructor(private readonly ctx: Ctx) {
    const form = h("form", { class: "history__filters", role: "search" },
      h("div", { class: "history__search" }, this.text,
        h("button", { type: "submit", class: "button button--primary" }, t.historySearchButton)),
      h("div", { class: "history__grid" },
        field(t.colTopic, this.topic), field(t.colAgent, this.agent), field(t.colStatus, this.status),
        field(t.mode, this.mode), field(t.historyRating, this.rating), field(t.historyFrom, this.from), field(t.historyTo, this.to)));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.search();
    });
    const exportCsv = h("button", { type: "button", class: "button" }, t.historyExport);
    exportCsv.addEventListener("click", () => void this.exportCsv());
    this.more.addEventListener("click", () => void this.page(false));
    const headingId = uid("history");
    this.element = h("div", { class: "history" },
      h("h1", { class: "page-title", id: headingId }, t.historyHeading),
      form,
      h("div", { class: "history__actions" }, exportCsv),
      this.error,
      h("table", { class: "table", "aria-labelledby": headingId },
        h("thead", {}, h("tr", {}, ...[t.colStarted, t.colCustomer, t.colTopic, t.colAgent, t.colStatus, t.colRating, t.colSnippet]
          .map((x) => h("th", { scope: "col" }, x)))),
        this.rows),
      this.message,
      this.more);
  }

  /** Fills the topic and agent lists once, then shows the newest conversations. */
  async load(): Promise<void> {
    if (!this.loadedLists) {
      this.loadedLists = true;
      this.topic.append(...this.ctx.topics.map((x) => h("option", { value: x.id }, x.name)));
      if (canOversee(this.ctx)) {
        const agents = await this.ctx.api.agents().catch(() => []);
        this.agent.append(...agents.sort((a, b) => a.displayName.localeCompare(b.displayName)).map((a) => h("option", { value: a.id }, a.displayName)));
      } else {
        this.agent.append(h("option", { value: this.ctx.me.agentId }, this.ctx.me.displayName));
      }
    }
    await this.search();
  }

  private query(): URLSearchParams {
    const q = new URLSearchParams();
    const put = (name: string, value: string) => { if (value.trim()) q.set(name, value.trim()); };
    put("q", this.text.value);
    put("topic", this.topic.value);
    put("agent", this.agent.value);
    put("status", this.status.value);
    put("mode", this.mode.value);
    put("rating", this.rating.value);
    // The picked days are the agent's own: from the start of the first to the end of the last, in local time.
    if (this.from.value) q.set("from", localDay(this.from.value, 0));
    if (this.to.value) q.set("to", localDay(this.to.value, 1));
    return q;
  }

  private async search(): Promise<void> {
    this.shown = this.query();
    await this.page(true);
  }

  private async page(first: boolean): Promise<void> {
    const q = new URLSearchParams(this.shown);
    if (!first && this.next) q.set("cursor", this.next);
    this.error.hidden = true;
    this.more.disabled = true;
    try {
      const list = await this.ctx.api.history(q);
      if (first) this.rows.replaceChildren();
      this.rows.append(...list.items.map((item) => this.row(item)));
      this.next = list.next ?? null;
      this.more.hidden = !this.next;
      this.message.textContent = this.rows.childElementCount === 0 ? t.historyNone : "";
    } catch (error) {
      this.error.textContent = describeError(error);
      this.error.hidden = false;
    } finally {
      this.more.disabled = false;
    }
  }

  private row(item: HistoryItem): HTMLTableRowElement {
    const who = item.customerName?.trim() || t.visitor;
    const open = h("button", { type: "button", class: "link-button" }, formatDateTime(item.createdAt), srOnly(` ${t.historyOpen(who)}`));
    open.addEventListener("click", () => void this.open(item.id));
    return h("tr", { "data-conversation": item.id },
      h("td", {}, open),
      h("td", {}, who),
      h("td", {}, topicName(this.ctx, item.topic)),
      h("td", {}, item.agentName ?? ""),
      h("td", {}, t.conversationStatus[item.status] ?? item.status),
      h("td", {}, item.rating ? `${item.rating}/5` : ""),
      h("td", { class: "history__snippet" }, item.snippet ?? ""));
  }

  private async open(id: string): Promise<void> {
    try {
      const transcript = await this.ctx.api.transcript(id);
      await openTranscript(this.ctx, transcript.conversation, transcript);
    } catch (error) {
      this.error.textContent = describeError(error);
      this.error.hidden = false;
    }
  }

  private async exportCsv(): Promise<void> {
    try {
      const blob = await this.ctx.api.historyCsv(this.query());
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: "livehelp-history.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      this.error.textContent = describeError(error);
      this.error.hidden = false;
    }
  }
}

/** The start of a day (yyyy-mm-dd) plus some days, in local time, as an ISO instant. */
function localDay(day: string, plusDays: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d + plusDays).toISOString();
}
