// Report view: what our customers are saying, for a period against the one before (supervisors and admins).
import uPlot from "uplot";
import { h } from "../sdk/dom";
import { LiveHelpError } from "../sdk/session";
import { type Ctx, topicName } from "./context";
import { t } from "./strings";
import { openTranscript } from "./transcript";
import { describeError, field, formatDuration, select } from "./ui";

export interface Outcomes { requests: number; answered: number; abandoned: number; offline: number; answeredShare: number | null; abandonedShare: number | null; offlineShare: number | null; }
export interface Percentiles { count: number; p50: number | null; p90: number | null; p99: number | null; }
export interface Csat { rated: number; average: number | null; distribution: number[]; }
export interface PeriodFigures { overall: Outcomes; byHour: number[]; byWeekday: number[]; timeToHuman: Percentiles; firstResponse: Percentiles; handleTime: Percentiles; csat: Csat; }
export interface CustomerReport {
  period: { from: string; to: string };
  previousPeriod: { from: string; to: string };
  timeZone: string;
  topic: string | null;
  current: PeriodFigures;
  previous: PeriodFigures;
  topics: Array<{ topic: string; current: Outcomes; previous: Outcomes; currentCsat: Csat; previousCsat: Csat }>;
  lowestRated: Array<{ conversationId: string; topic: string; rating: number; comment: string | null; closedAt: string | null }>;
  phrases: Array<{ topic: string; phrase: string; count: number; previousCount: number; trend: "up" | "down" | "same"; examples: string[] }>;
}

type Choice = "this-week" | "last-week" | "last-7" | "last-30" | "this-month" | "custom";

export class ReportView {
  readonly element: HTMLElement;
  private readonly period = select(Object.entries(t.report.periods) as Array<[Choice, string]>, "this-week", { id: "report-period", class: "input" });
  private readonly from = h("input", { type: "date", id: "report-from", class: "input", required: true });
  private readonly to = h("input", { type: "date", id: "report-to", class: "input", required: true });
  private readonly topic = select([], "", { id: "report-topic", class: "input" });
  private readonly body = h("div", { class: "report__body", "aria-live": "polite" });
  private readonly zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  private charts: uPlot[] = [];

  constructor(private readonly ctx: Ctx) {
    const show = h("button", { type: "submit", class: "button button--primary" }, t.report.show);
    const csv = h("button", { type: "button", class: "button", onclick: () => void this.downloadCsv() }, t.report.downloadCsv);
    const form = h("form", { class: "report__controls", onsubmit: (e: Event) => { e.preventDefault(); void this.load(); } },
      field(t.report.period, this.period), field(t.report.from, this.from), field(t.report.to, this.to), field(t.report.topic, this.topic), show, csv);
    this.period.addEventListener("change", () => {
      if (this.period.value === "custom") return;
      this.choose(this.period.value as Exclude<Choice, "custom">);
      void this.load();
    });
    // Days typed in are a period of their own.
    for (const day of [this.from, this.to]) day.addEventListener("input", () => (this.period.value = "custom"));
    this.topic.addEventListener("change", () => void this.load());
    this.choose("this-week");
    this.element = h("div", { class: "report" }, h("h1", { class: "page-title" }, t.report.heading), form, this.body);
  }

  private query(): string {
    const q = new URLSearchParams({ from: this.from.value, to: this.to.value, tz: this.zone });
    if (this.topic.value) q.set("topic", this.topic.value);
    return q.toString();
  }

  private choose(choice: Exclude<Choice, "custom">): void {
    const [from, to] = periodOf(choice, new Date());
    this.from.value = from;
    this.to.value = to;
  }

  async load(): Promise<void> {
    if (this.topic.options.length !== this.ctx.topics.length + 1) {
      const chosen = this.topic.value;
      this.topic.replaceChildren(h("option", { value: "" }, t.report.allTopics),
        ...this.ctx.topics.map((x) => h("option", { value: x.id }, x.name)));
      this.topic.value = chosen;
    }
    this.body.replaceChildren(h("p", { class: "muted" }, t.report.loading));
    try {
      this.render(await this.ctx.api.customersSaying(this.query()));
    } catch (error) {
      this.body.replaceChildren(h("p", { class: "form-error", role: "alert" }, describeError(error)));
    }
  }

  private async downloadCsv(): Promise<void> {
    try {
      const blob = await this.ctx.api.customersSayingCsv(this.query());
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `customers-saying-${this.from.value}-${this.to.value}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      this.body.prepend(h("p", { class: "form-error", role: "alert" }, describeError(error)));
    }
  }

  private render(r: CustomerReport): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const now = r.current;
    const then = r.previous;
    const hourChart = h("div", { class: "report__chart", id: "report-by-hour" });
    const dayChart = h("div", { class: "report__chart", id: "report-by-weekday" });
    this.body.replaceChildren(
      h("p", { class: "muted" }, t.report.comparing(r.period.from, r.period.to, r.previousPeriod.from, r.previousPeriod.to, r.timeZone)),
      h("div", { class: "stats" },
        stat(t.report.requests, String(now.overall.requests), String(then.overall.requests)),
        stat(t.report.answered, percent(now.overall.answeredShare), percent(then.overall.answeredShare)),
        stat(t.report.abandoned, percent(now.overall.abandonedShare), percent(then.overall.abandonedShare)),
        stat(t.report.offline, percent(now.overall.offlineShare), percent(then.overall.offlineShare))),
      h("div", { class: "report__grid" },
        card("report-hours", t.report.byHour, hourChart),
        card("report-days", t.report.byWeekday, dayChart)),
      h("div", { class: "report__grid" },
        card("report-times", t.report.times, table([t.report.measure, "p50", "p90", "p99", t.report.count], [
          durationRow(t.report.timeToHuman, now.timeToHuman, then.timeToHuman),
          durationRow(t.report.firstResponse, now.firstResponse, then.firstResponse),
          durationRow(t.report.handleTime, now.handleTime, then.handleTime),
        ])),
        card("report-csat", t.report.csat, h("p", {}, t.report.csatAverage(stars(now.csat.average), stars(then.csat.average), now.csat.rated)),
          table([t.report.rating, t.report.thisPeriod, t.report.previousPeriod],
            [5, 4, 3, 2, 1].map((star) => [`${star} ★`, String(now.csat.distribution[star - 1]), String(then.csat.distribution[star - 1])])))),
      card("report-lowest", t.report.lowestRated, this.lowestRated(r)),
      card("report-phrases", t.report.phrases, this.phrases(r)),
      card("report-topics", t.report.perTopic, table([t.report.topic, t.report.requests, t.report.answered, t.report.abandoned, t.report.offline, t.report.csat],
        r.topics.map((x) => [x.topic ? topicName(this.ctx, x.topic) : t.report.noTopic, versus(String(x.current.requests), String(x.previous.requests)),
          versus(percent(x.current.answeredShare), percent(x.previous.answeredShare)), versus(percent(x.current.abandonedShare), percent(x.previous.abandonedShare)),
          versus(percent(x.current.offlineShare), percent(x.previous.offlineShare)), versus(stars(x.currentCsat.average), stars(x.previousCsat.average))]))));
    const hours = Array.from({ length: 24 }, (_, i) => String(i));
    this.charts.push(bars(hourChart, hours, now.byHour, then.byHour), bars(dayChart, t.report.weekdays, now.byWeekday, then.byWeekday));
  }

  private lowestRated(r: CustomerReport): HTMLElement {
    if (r.lowestRated.length === 0) return h("p", { class: "muted" }, t.report.noRatings);
    return h("ul", { class: "report__list", id: "report-lowest-list" }, ...r.lowestRated.map((x) =>
      h("li", {},
        h("button", { type: "button", class: "link-button", "data-conversation": x.conversationId, onclick: () => void this.openConversation(x.conversationId) },
          `${x.rating} ★ · ${topicName(this.ctx, x.topic)}`),
        x.comment ? h("q", { class: "report__comment" }, x.comment) : null)));
  }

  private phrases(r: CustomerReport): HTMLElement {
    if (r.phrases.length === 0) return h("p", { class: "muted" }, t.report.noPhrases);
    const byTopic = new Map<string, CustomerReport["phrases"]>();
    for (const p of r.phrases) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p]);
    return h("div", { class: "report__phrases" }, ...[...byTopic].map(([topic, phrases]) =>
      h("section", { class: "report__topic", "data-topic": topic },
        h("h3", { class: "report__topic-name" }, topicName(this.ctx, topic)),
        h("ol", { class: "report__list" }, ...phrases.map((p) =>
          h("li", { class: "report__phrase" },
            h("span", { class: "report__phrase-text" }, p.phrase), " ",
            h("span", { class: "report__count" }, String(p.count)), " ",
            h("span", { class: `report__trend report__trend--${p.trend}`, title: t.report.trendTitle(p.previousCount) }, t.report.trend[p.trend]),
            h("span", { class: "sr-only" }, t.report.trendTitle(p.previousCount)), " ",
            ...p.examples.map((id, i) => h("button", { type: "button", class: "link-button", onclick: () => void this.openConversation(id) }, t.report.example(i + 1)))))))));
  }

  private async openConversation(id: string): Promise<void> {
    try {
      const result = await this.ctx.api.transcript(id);
      await openTranscript(this.ctx, result.conversation, result);
    } catch (error) {
      this.body.prepend(h("p", { class: "form-error", role: "alert" }, describeError(LiveHelpError.from(error))));
    }
  }
}

/** The first and last day (yyyy-MM-dd, local) of a period choice; weeks start on Monday. */
export function periodOf(choice: Exclude<Choice, "custom">, today: Date): [string, string] {
  const day = (offset: number) => new Date(today.getFullYear(), today.getMonth(), today.getDate() + offset);
  const monday = -((today.getDay() + 6) % 7);
  switch (choice) {
    case "this-week": return [iso(day(monday)), iso(day(monday + 6))];
    case "last-week": return [iso(day(monday - 7)), iso(day(monday - 1))];
    case "last-7": return [iso(day(-6)), iso(day(0))];
    case "last-30": return [iso(day(-29)), iso(day(0))];
    case "this-month": return [iso(new Date(today.getFullYear(), today.getMonth(), 1)), iso(new Date(today.getFullYear(), today.getMonth() + 1, 0))];
  }
}

function iso(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

/** A bar chart of this period against the previous one, drawn by uPlot on a canvas. */
function bars(container: HTMLElement, labels: readonly string[], current: number[], previous: number[]): uPlot {
  const style = getComputedStyle(document.documentElement);
  const accent = style.getPropertyValue("--primary").trim() || "#2563eb";
  const muted = style.getPropertyValue("--muted").trim() || "#94a3b8";
  const xs = labels.map((_, i) => i);
  return new uPlot({
    width: Math.max(300, container.clientWidth || 520),
    height: 220,
    legend: { live: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [
      { values: (_u, ticks) => ticks.map((i) => labels[i] ?? ""), splits: () => xs },
      { values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? String(v) : "")) },
    ],
    series: [
      {},
      { label: t.report.thisPeriod, stroke: accent, fill: accent, points: { show: false }, paths: uPlot.paths.bars!({ size: [0.4, 40], align: 1 }) },
      { label: t.report.previousPeriod, stroke: muted, fill: muted, points: { show: false }, paths: uPlot.paths.bars!({ size: [0.4, 40], align: -1 }) },
    ],
  }, [xs, current, previous], container);
}

function card(id: string, title: string, ...body: Node[]): HTMLElement {
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id, class: "card__title" }, title), ...body);
}

function stat(label: string, value: string, before: string): HTMLElement {
  return h("div", { class: "stat" }, h("div", { class: "stat__label" }, label), h("div", { class: "stat__value" }, value),
    h("div", { class: "muted small" }, t.report.before(before)));
}

function table(head: string[], rows: Array<Array<string | Node>>): HTMLElement {
  return h("div", { class: "table-wrap" }, h("table", { class: "table" },
    h("thead", {}, h("tr", {}, ...head.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, ...rows.map((row) => h("tr", {}, ...row.map((cell, i) => h("td", { class: i > 0 ? "num" : "" }, cell)))))));
}

function durationRow(label: string, now: Percentiles, then: Percentiles): Array<string | Node> {
  const d = (s: number | null) => (s === null ? "–" : formatDuration(Math.round(s)));
  return [label, versus(d(now.p50), d(then.p50)), versus(d(now.p90), d(then.p90)), versus(d(now.p99), d(then.p99)), versus(String(now.count), String(then.count))];
}

function versus(now: string, then: string): Node {
  return h("span", {}, now, " ", h("span", { class: "muted small" }, t.report.before(then)));
}

function percent(share: number | null): string {
  return share === null ? "–" : `${Math.round(share * 100)}%`;
}

function stars(average: number | null): string {
  return average === null ? "–" : average.toFixed(2);
}
