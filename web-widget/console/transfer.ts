// Transfer a conversation to another agent (who is online with room) or back to a topic's queue, with a note.
import { type ConversationView, Methods } from "../sdk/contract";
import { bdi, h } from "../sdk/dom";
import { TextLimit } from "../sdk/text-limit";
import type { AgentView } from "./api";
import type { Ctx } from "./context";
import { t } from "./strings";
import { describeError, field, openDialog, select, statusBadge, uid } from "./ui";

export function canTake(agent: AgentView, meId: string): boolean {
  return agent.id !== meId && !agent.disabled && agent.connected && agent.status === "online" && agent.load < agent.maxConcurrent;
}

export async function openTransfer(ctx: Ctx, view: ConversationView, done: (targetName: string) => void): Promise<void> {
  let agents: AgentView[] = [];
  try {
    agents = await ctx.api.agents();
  } catch {
    agents = [];
  }
  const others = agents.filter((a) => a.id !== ctx.me.agentId && !a.disabled).sort((a, b) => Number(canTake(b, ctx.me.agentId)) - Number(canTake(a, ctx.me.agentId)) || a.displayName.localeCompare(b.displayName));
  const anyAvailable = others.some((a) => canTake(a, ctx.me.agentId));

  const group = uid("target");
  const toAgent = h("input", { type: "radio", name: group, value: "agent", id: uid("r"), checked: anyAvailable });
  const toTopic = h("input", { type: "radio", name: group, value: "topic", id: uid("r"), checked: !anyAvailable });

  const agentGroup = uid("agent");
  const agentList = h("div", { class: "choice-list", role: "radiogroup", "aria-label": t.chooseAgent },
    ...others.map((a) => {
      const id = uid("a");
      const ok = canTake(a, ctx.me.agentId);
      return h("label", { class: ok ? "choice" : "choice choice--disabled", for: id },
        h("input", { type: "radio", name: agentGroup, value: a.id, id, disabled: !ok, "data-name": a.displayName }),
        h("span", { class: "choice__name" }, bdi(a.displayName)),
        h("span", { class: "choice__meta" }, statusBadge(a.connected ? a.status : "offline"), a.connected ? t.chatsLoad(a.load, a.maxConcurrent) : t.notConnected));
    }));
  const firstAvailable = agentList.querySelector<HTMLInputElement>("input:not([disabled])");
  if (firstAvailable) firstAvailable.checked = true;
  const noAgents = anyAvailable ? null : h("p", { class: "muted" }, t.noAgentsAvailable);

  const topic = select(ctx.topics.map((x) => [x.id, x.name]), view.topic);
  const note = h("textarea", { class: "input", rows: 3 });
  const noteCount = h("p", { class: "field__count", id: uid("count"), "aria-live": "polite" });
  const error = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "button button--primary" }, t.transferSubmit);

  const agentSection = h("fieldset", { class: "subfield" }, h("legend", {}, t.chooseAgent), agentList, noAgents);
  const topicSection = h("div", { class: "subfield" }, field(t.chooseTopic, topic));
  const sync = () => {
    agentSection.hidden = !toAgent.checked;
    topicSection.hidden = !toTopic.checked;
  };
  toAgent.addEventListener("change", sync);
  toTopic.addEventListener("change", sync);
  sync();

  const form = h("form", { class: "form", novalidate: true },
    h("fieldset", { class: "segmented-field" },
      h("legend", {}, t.transferTo),
      h("label", { for: toAgent.id, class: "radio" }, toAgent, t.toAgent),
      h("label", { for: toTopic.id, class: "radio" }, toTopic, t.toTopic)),
    agentSection,
    topicSection,
    field(t.transferNote, note, t.transferNoteHint, noteCount),
    error,
    h("div", { class: "dialog__actions" },
      h("button", { type: "button", class: "button", onclick: () => dlg.close() }, t.cancel),
      submit));

  const noteLimit = new TextLimit(note, noteCount, submit, t.tooLongToSend, ctx.maxMessageLength);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    error.textContent = "";
    if (noteLimit.refused()) return;
    const input: { toAgentId?: string; toTopic?: string; note?: string } = {};
    let targetName: string;
    if (toAgent.checked) {
      const chosen = agentList.querySelector<HTMLInputElement>("input:checked");
      if (!chosen) {
        error.textContent = t.noAgentsAvailable;
        return;
      }
      input.toAgentId = chosen.value;
      targetName = chosen.dataset.name ?? chosen.value;
    } else {
      input.toTopic = topic.value;
      targetName = topic.selectedOptions[0]?.textContent ?? topic.value;
    }
    if (note.value.trim()) input.note = note.value.trim();
    submit.disabled = true;
    submit.textContent = t.transferring;
    try {
      await ctx.session.invoke(Methods.transfer, view.id, input);
      dlg.close();
      done(targetName);
    } catch (err) {
      error.textContent = describeError(err);
      submit.disabled = false;
      submit.textContent = t.transferSubmit;
    }
  });

  const dlg = openDialog(t.transferHeading, [form], { wide: true });
  (toAgent.checked ? (firstAvailable ?? toAgent) : toTopic).focus();
}
