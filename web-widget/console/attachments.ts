// Files in the console: sent files in any message log (thumbnails that open full size, PDF cards that download),
// and the composer's attach button and image paste, with the upload's progress or refusal beside it.
import type { Message } from "../sdk/contract";
import { fileView, pastedImages, pastedName, pickerAccept, uploadFile, type FileAccess, type FileLabels } from "../sdk/attachments";
import { h, sentence } from "../sdk/dom";
import { newId } from "../sdk/session";
import { t } from "./strings";
import { describeError } from "./ui";

const css = `
.msg__body--file { padding: 4px; background: none !important; border: 0 !important; box-shadow: none !important; }
.lh-file { display: block; margin: 0; padding: 0; border: 0; border-radius: 10px; background: none; cursor: pointer; color: inherit; font: inherit; text-align: left; }
.lh-file:focus-visible { outline: 2px solid var(--primary); outline-offset: 2px; }
.lh-file__thumb { display: block; max-width: 240px; max-height: 180px; min-width: 48px; min-height: 32px; border-radius: 8px; border: 1px solid var(--line); object-fit: contain; background: var(--panel); }
.lh-file--doc { display: flex; align-items: center; gap: 10px; padding: 8px 12px; border: 1px solid var(--line); background: var(--panel); color: var(--text); text-decoration: none; }
.lh-file__icon { display: grid; place-items: center; width: 34px; height: 42px; border-radius: 5px; background: #fdecea; color: #b42318; font-size: 11px; font-weight: 700; }
.lh-file__text { display: flex; flex-direction: column; min-width: 0; }
.lh-file__name { font-weight: 600; text-decoration: underline; overflow-wrap: anywhere; }
.lh-file__size { font-size: 12px; color: var(--muted); }
.lh-viewer { max-width: 96vw; max-height: 96vh; padding: 0; border: 0; border-radius: 8px; background: #111; overflow: auto; }
.lh-viewer::backdrop { background: rgba(0, 0, 0, .75); }
.lh-viewer__image { display: block; }
.lh-viewer__close { position: sticky; top: 8px; left: 8px; display: block; margin: 8px; padding: 6px 12px; border: 0; border-radius: 6px; background: #fff; color: #111; font-weight: 600; cursor: pointer; }
.composer__upload { margin: 0 8px 6px; font-size: 13px; color: var(--muted); }
.composer__upload progress { width: 160px; height: 6px; margin-left: 8px; vertical-align: middle; }
`;

let access: FileAccess | null = null;

const labels: FileLabels = { openImage: t.openImage, download: t.downloadFile, close: t.close, failed: t.fileFailed };

/** Files are fetched with the signed-in staff token, from this origin. */
export function useFiles(token: () => string): void {
  access = { base: location.origin, token };
  if (!document.head.querySelector("style[data-files]")) document.head.append(h("style", { "data-files": "" }, css));
}

/** The body of a message that sends a file. */
export function fileBody(m: Message): HTMLElement {
  return h("div", { class: "msg__body msg__body--file" },
    access ? fileView(access, m.conversationId, m.attachment!, labels, () => document.body) : m.text);
}

/** The attach button (for the bar) and the upload line (under it); pasted images in the textarea are sent too. */
export function composerFiles(conversationId: string, textarea: HTMLTextAreaElement, canSend: () => boolean): { button: HTMLButtonElement; picker: HTMLInputElement; status: HTMLElement } {
  const status = h("p", { class: "composer__upload", role: "status", hidden: true });
  const picker = h("input", { type: "file", accept: pickerAccept, hidden: true, tabindex: -1 });
  const send = async (file: File, name: string) => {
    if (!access) return;
    const bar = h("progress", { max: 1, value: 0 });
    status.hidden = false;
    status.replaceChildren(sentence(t.uploading, name), bar);
    try {
      await uploadFile(access, conversationId, file, name, newId(), (share) => (bar.value = share));
      status.hidden = true;
      status.replaceChildren();
    } catch (error) {
      status.replaceChildren(h("span", { class: "form-error", role: "alert" }, sentence(t.uploadFailed, name), describeError(error)));
    }
  };
  picker.addEventListener("change", () => {
    for (const file of picker.files ?? []) void send(file, file.name);
    picker.value = "";
  });
  textarea.addEventListener("paste", (e) => {
    const images = pastedImages(e);
    if (images.length === 0 || !canSend()) return;
    e.preventDefault();
    for (const file of images) void send(file, pastedName(file));
  });
  const button = h("button", { type: "button", class: "button button--quiet composer__attach", title: t.attachTitle, onclick: () => picker.click() }, t.attach);
  return { button, picker, status };
}
