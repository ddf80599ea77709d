// The message limit in a composer or a form's long text field. A maxlength attribute would cut a pasted text silently;
// instead the text stays whole, the field shows its length against the limit, and the send waits until it is short enough.

/** "4,120 / 4,000": a text's length against its limit. */
function formatCount(length: number, limit: number): string {
  return `${length.toLocaleString("en")} / ${limit.toLocaleString("en")}`;
}

export class TextLimit {
  /**
   * @param field the text field, followed as it changes
   * @param count where the length shows, from `showWithin` characters below the limit (marked data-over past it)
   * @param send the send or submit button, disabled while the text is too long
   * @param tooLong the words shown after the count while the text is too long
   * @param limit the server's limit (LiveHelp:MaxMessageLength), as /api/status says
   */
  constructor(
    private readonly field: HTMLTextAreaElement,
    private readonly count: HTMLElement,
    private readonly send: HTMLButtonElement,
    private readonly tooLong: string,
    private readonly limit: number,
    private readonly showWithin = 500,
  ) {
    field.setAttribute("aria-describedby", [field.getAttribute("aria-describedby"), count.id].filter(Boolean).join(" "));
    field.addEventListener("input", () => this.update());
    this.update();
  }

  /** True while the text as it would be sent (trimmed) is longer than the limit. */
  get over(): boolean {
    return this.field.value.trim().length > this.limit;
  }

  /** True while the text is too long to send, and then the field takes the focus: a form's submit stops there. */
  refused(): boolean {
    if (this.over) this.field.focus();
    return this.over;
  }

  /** Brings the count, the field's validity and the send button up to date with the text. */
  update(): void {
    const length = this.field.value.trim().length;
    const over = length > this.limit;
    this.count.textContent = length > this.limit - this.showWithin ? formatCount(length, this.limit) + (over ? ` · ${this.tooLong}` : "") : "";
    this.count.toggleAttribute("data-over", over);
    this.send.disabled = over;
    if (over) this.field.setAttribute("aria-invalid", "true");
    else this.field.removeAttribute("aria-invalid");
  }
}
