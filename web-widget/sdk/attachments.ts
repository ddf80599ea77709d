// Files in a conversation (docs/HUB.md, "Attachments"): uploads with progress, and images and PDFs fetched with the
// bearer token and shown from blob: URLs, so no token ever goes into a URL. A file name is text, never markup.
import type { Attachment, Message } from "./contract";
import { bdi, h } from "./dom";
import { LiveHelpError } from "./session";

/** What the picker offers: any image (on a phone, the camera too) and PDFs; the server judges the bytes. */
export const pickerAccept = "image/*,application/pdf";

export interface FileAccess {
  base: string;
  token(): string | null | undefined;
}

export interface FileLabels {
  /** The accessible name of a thumbnail button: opens the image full size. */
  openImage(name: string): string;
  /** The accessible name of a PDF card: downloads it. */
  download(name: string): string;
  close: string;
  failed: string;
}

export const isImage = (a: Attachment) => a.contentType.startsWith("image/");

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const fileUrl = (access: FileAccess, conversationId: string, id?: string) =>
  new URL(`/api/conversations/${encodeURIComponent(conversationId)}/attachments${id ? "/" + encodeURIComponent(id) : ""}`, access.base).toString();

/**
 * Sends a file as multipart form data; `progress` gets the share sent so far (0 to 1). Resolves to the stored
 * message; a refusal rejects with its code (`unsupported_type`, `too_large`, `conversation_closed`...).
 */
export function uploadFile(
  access: FileAccess, conversationId: string, file: Blob, fileName: string, clientMessageId: string, progress: (share: number) => void,
): Promise<Message> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${fileUrl(access, conversationId)}?clientMessageId=${encodeURIComponent(clientMessageId)}`);
    xhr.setRequestHeader("authorization", `Bearer ${access.token() ?? ""}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) progress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new LiveHelpError("connection", "the upload did not reach the server"));
    xhr.onload = () => {
      let data: { code?: string; detail?: string } | undefined;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data as unknown as Message);
      else reject(new LiveHelpError(data?.code ?? "http_" + xhr.status, data?.detail ?? xhr.statusText));
    };
    const form = new FormData();
    form.append("file", file, fileName);
    xhr.send(form);
  });
}

// One fetch per file however often it is shown; the blob: URLs live as long as the page.
const blobs = new Map<string, Promise<string>>();

/** The file's bytes, fetched with the token, as a blob: URL of the type the server read from them. */
export function fileBlobUrl(access: FileAccess, conversationId: string, a: Attachment): Promise<string> {
  const key = `${conversationId}/${a.id}`;
  let url = blobs.get(key);
  if (!url) {
    url = fetch(fileUrl(access, conversationId, a.id), { headers: { authorization: `Bearer ${access.token() ?? ""}` } }).then(async (response) => {
      if (!response.ok) throw new LiveHelpError("http_" + response.status, response.statusText);
      return URL.createObjectURL(await response.blob());
    });
    url.catch(() => blobs.delete(key));
    blobs.set(key, url);
  }
  return url;
}

/**
 * A sent file as a message shows it: an image as a thumbnail button that opens it full size in a dialog (put in
 * `host`), a PDF as a card with its name and size that downloads it.
 */
export function fileView(access: FileAccess, conversationId: string, a: Attachment, labels: FileLabels, host: () => Node): HTMLElement {
  if (isImage(a)) {
    const img = h("img", { class: "lh-file__thumb", alt: a.fileName });
    const button = h("button", { type: "button", class: "lh-file lh-file--image", "aria-label": labels.openImage(a.fileName), "data-attachment": a.id }, img);
    fileBlobUrl(access, conversationId, a).then((url) => (img.src = url), () => button.replaceChildren(h("span", { class: "lh-file__failed" }, labels.failed, ": ", bdi(a.fileName))));
    button.addEventListener("click", () => void fileBlobUrl(access, conversationId, a).then((url) => openViewer(host(), url, a.fileName, labels.close), () => undefined));
    return button;
  }
  const card = h(
    "a",
    { class: "lh-file lh-file--doc", href: fileUrl(access, conversationId, a.id), download: a.fileName, "aria-label": labels.download(a.fileName), "data-attachment": a.id },
    h("span", { class: "lh-file__icon", "aria-hidden": "true" }, "PDF"),
    h("span", { class: "lh-file__text" }, h("span", { class: "lh-file__name" }, bdi(a.fileName)), h("span", { class: "lh-file__size" }, formatSize(a.size))),
  );
  card.addEventListener("click", (e) => {
    // The link names the file; the bytes need the token, which a plain link could not carry.
    e.preventDefault();
    void fileBlobUrl(access, conversationId, a).then((url) => {
      const link = h("a", { href: url, download: a.fileName, hidden: true });
      card.after(link);
      link.click();
      link.remove();
    }, () => card.classList.add("lh-file--failed"));
  });
  return card;
}

/** The image at full size in a modal dialog; Escape or the close button ends it, and focus goes back. */
export function openViewer(host: Node, url: string, name: string, closeLabel: string): HTMLDialogElement {
  const close = h("button", { type: "button", class: "lh-viewer__close" }, closeLabel);
  const dialog = h("dialog", { class: "lh-viewer", "aria-label": name }, close, h("img", { class: "lh-viewer__image", src: url, alt: name }));
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", () => dialog.remove());
  host.appendChild(dialog);
  dialog.showModal();
  close.focus();
  return dialog;
}

/** The files on the clipboard of a paste: images only (a pasted PDF is rare, and text paste stays text). */
export function pastedImages(e: ClipboardEvent): File[] {
  return [...(e.clipboardData?.files ?? [])].filter((f) => f.type.startsWith("image/"));
}

/** A name for a pasted image, which has none of its own (browsers call them all "image.png"). */
export function pastedName(file: File): string {
  const ext = file.type.split("/")[1] ?? "png";
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return file.name && file.name !== "image.png" ? file.name : `screenshot-${stamp}.${ext === "jpeg" ? "jpg" : ext}`;
}
