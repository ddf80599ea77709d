// The customer's files: the attach button (picker or phone camera) and image paste in the composer, each upload's
// progress or refusal in the log, and sent files as thumbnails that open full size or PDF cards that download.
import type { Message } from "../sdk/contract";
import { fileView, pastedImages, pastedName, pickerAccept, uploadFile, type FileAccess, type FileLabels } from "../sdk/attachments";
import { bdi, h } from "../sdk/dom";
import { LiveHelpError, newId } from "../sdk/session";
import { icon } from "./bridge";
import { errorText, strings } from "./strings";

const attachIcon = "M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z";

const css = `
.attachbtn{display:grid;place-items:center;flex:none;width:44px;height:44px;margin:0;padding:0;border:0;border-radius:50%;
background:transparent;color:var(--lh-muted);cursor:pointer}
.attachbtn:hover{background:var(--lh-surface);color:var(--lh-text)}
.attachbtn:focus-visible{outline:2px solid var(--lh-primary);outline-offset:2px}
.msg .bubble.filebubble{padding:4px;white-space:normal}
.msg .bubble a.lh-file--doc{text-decoration:none}
.lh-file{display:block;margin:0;padding:0;border:0;border-radius:12px;background:none;cursor:pointer;color:inherit;font:inherit;text-align:left}
.lh-file:focus-visible{outline:2px solid var(--lh-primary);outline-offset:2px}
.lh-file__thumb{display:block;max-width:200px;max-height:160px;min-width:48px;min-height:32px;border-radius:10px;object-fit:contain}
.lh-file--doc{display:flex;align-items:center;gap:10px;padding:8px 12px;text-decoration:none}
.lh-file__icon{display:grid;place-items:center;flex:none;width:36px;height:44px;border-radius:6px;background:#fff;color:var(--lh-error);
font-size:11px;font-weight:700;box-shadow:0 0 0 1px var(--lh-border)}
.lh-file__text{display:flex;flex-direction:column;min-width:0}
.lh-file__name{font-weight:600;text-decoration:underline;overflow-wrap:anywhere}
.lh-file__size{font-size:12px;opacity:.85}
.lh-file--failed .lh-file__size::after{content:" · ${strings.fileFailed}"}
.msg.upload progress{width:100%;height:6px}
.msg.upload.failed .bubble{opacity:.6}
.lh-viewer{max-width:96vw;max-height:96vh;padding:0;border:0;border-radius:10px;background:#111;overflow:auto}
.lh-viewer::backdrop{background:rgba(0,0,0,.75)}
.lh-viewer__image{display:block}
.lh-viewer__close{position:sticky;top:8px;left:8px;display:block;margin:8px;padding:6px 12px;border:0;border-radius:16px;
background:#fff;color:#111;font:600 14px/1.2 var(--lh-font);cursor:pointer}
`;

export interface WidgetFilesOptions {
  base: string;
  token(): string | null | undefined;
  root: ShadowRoot;
  /** The open conversation's id, if any. */
  conversationId(): string | null;
  /** The chat's message log, while it is shown. */
  log(): HTMLElement | null;
}

const labels: FileLabels = {
  openImage: strings.openImage,
  download: strings.downloadFile,
  close: strings.closeImage,
  failed: strings.fileFailed,
};

export class WidgetFiles {
  private readonly access: FileAccess;

  constructor(private readonly o: WidgetFilesOptions) {
    this.access = { base: o.base, token: o.token };
  }

  /** Adds the attach button before the send button, and takes images pasted into the composer. */
  composer(form: HTMLFormElement, input: HTMLTextAreaElement, before: Element): void {
    if (!this.o.root.querySelector("style[data-files]")) this.o.root.append(h("style", { "data-files": "" }, css));
    const picker = h("input", { type: "file", accept: pickerAccept, hidden: true, tabindex: -1 });
    const button = h("button", { type: "button", class: "attachbtn", "aria-label": strings.attach, title: strings.attach, onclick: () => picker.click() }, icon(attachIcon, 22));
    picker.addEventListener("change", () => {
      for (const file of picker.files ?? []) void this.send(file, file.name);
      picker.value = "";
    });
    input.addEventListener("paste", (e) => {
      const images = pastedImages(e);
      if (images.length === 0) return;
      e.preventDefault();
      for (const file of images) void this.send(file, pastedName(file));
    });
    form.insertBefore(button, before);
    form.append(picker);
  }

  /** The body of a message that sends a file. */
  view(m: Message): HTMLElement {
    return h("div", { class: "bubble filebubble" }, fileView(this.access, m.conversationId, m.attachment!, labels, () => this.o.root));
  }

  /** Uploads one file, showing its progress in the log until its message arrives, or why it was refused. */
  private async send(file: File, name: string): Promise<void> {
    const conversationId = this.o.conversationId();
    const log = this.o.log();
    if (!conversationId || !log) return;
    const bar = h("progress", { max: 1, value: 0, "aria-label": strings.uploading });
    const status = h("span", { class: "time" }, strings.uploading);
    const el = h("div", { class: "msg mine upload" }, h("span", { class: "sr" }, strings.you + ": "), h("div", { class: "bubble" }, bdi(name), bar), h("div", { class: "meta" }, status));
    log.append(el);
    log.scrollTop = log.scrollHeight;
    try {
      await uploadFile(this.access, conversationId, file, name, newId(), (share) => (bar.value = share));
      // The message itself comes through the hub, like any other.
      el.remove();
    } catch (error) {
      const code = LiveHelpError.from(error).code;
      el.classList.add("failed");
      bar.remove();
      status.setAttribute("role", "alert");
      status.textContent = code === "connection" ? strings.notSent : errorText(code);
      el.querySelector(".meta")!.append(" ", h("button", { type: "button", class: "linkbtn", onclick: () => el.remove() }, strings.dismiss));
    }
  }
}
