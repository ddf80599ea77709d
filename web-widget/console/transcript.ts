// Reading a whole transcript (an earlier conversation), read-only, with a plain-text download.
import type { ConversationView, ResumeResult } from "../sdk/contract";
import { h, joined, sentence } from "../sdk/dom";
import { type Ctx, customerName, topicName } from "./context";
import { MessageLog } from "./messages";
import { renderRating } from "./rating";
import { t } from "./strings";
import { describeError, formatDateTime, openDialog } from "./ui";

export function conversationSummary(ctx: Ctx, c: ConversationView): DocumentFragment {
  return joined([formatDateTime(c.createdAt), topicName(ctx, c.topic), t.conversationStatus[c.status] ?? c.status, c.agentName]);
}

export async function openTranscript(ctx: Ctx, view: ConversationView, loaded?: ResumeResult): Promise<void> {
  const who = customerName(view);
  const body = h("div", { class: "transcript" }, h("p", { class: "muted" }, t.earlierLoading));
  const download = h("button", { type: "button", class: "button" }, t.downloadText);
  download.addEventListener("click", async () => {
    try {
      const blob = await ctx.api.transcriptText(view.id);
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: `livehelp-${view.id}.txt` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      body.prepend(h("p", { class: "form-error", role: "alert" }, describeError(error)));
    }
  });
  openDialog(sentence(t.transcriptHeading, who), [
    h("p", { class: "muted" }, conversationSummary(ctx, view)),
    ...[renderRating(view)].filter((x) => x !== null),
    body,
    h("div", { class: "dialog__actions" }, download),
  ], { wide: true });
  try {
    const result = loaded ?? await ctx.api.transcript(view.id);
    const log = new MessageLog(t.transcriptLabel, who, false);
    log.addAll(result.messages);
    log.element.classList.add("log--dialog");
    body.replaceChildren(log.element);
  } catch (error) {
    body.replaceChildren(h("p", { class: "form-error", role: "alert" }, `${t.transcriptFailed} ${describeError(error)}`));
  }
}
