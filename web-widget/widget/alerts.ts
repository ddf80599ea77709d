// Tells a customer who is not looking (panel closed, or tab in the background) that the agent wrote or calls: a
// short generated tone, once the page has had a gesture (browsers refuse sound before one), and the tab title
// alternating between the news and the page's own title until the customer looks.
import { strings } from "./strings";

// Events that count as a user gesture for the browsers' autoplay rules.
const gestures = ["pointerdown", "keydown", "touchend"] as const;

export class Alerts {
  private gestured = false;
  private audio: AudioContext | null = null;
  private unread = 0;
  private calling = false;
  /** When the last chime ends: the audio device is let go after it. */
  private until = 0;
  private readonly title = new TitleFlash();

  constructor(private readonly isVisible: () => boolean) {
    for (const type of gestures) addEventListener(type, this.onGesture, { capture: true, passive: true });
  }

  /** The unread count changed; a live one (not history shown again) that the customer does not see also sounds. */
  unreadChanged(count: number, live: boolean): void {
    if (count === 0) return this.seen();
    const rose = count > this.unread;
    this.unread = count;
    this.title.show(this.text());
    if (rose && live && !this.isVisible()) void this.tone([660, 880]);
  }

  /** A call rings for the customer. */
  ringing(): void {
    if (this.isVisible()) return;
    this.calling = true;
    this.title.show(this.text());
    void this.tone([880, 660, 880]);
  }

  /** The customer looks at the conversation: the page gets its own title back. */
  seen(): void {
    this.unread = 0;
    this.calling = false;
    this.title.stop();
  }

  private text(): string {
    return this.calling ? strings.alertCall : strings.alertUnread(this.unread);
  }

  private readonly onGesture = (event: Event): void => {
    if (!event.isTrusted) return;
    this.gestured = true;
    for (const type of gestures) removeEventListener(type, this.onGesture, { capture: true });
  };

  /** A short chime of one soft note per frequency; nothing before a gesture, and nothing late if the browser still says no. */
  private async tone(frequencies: number[]): Promise<void> {
    if (!this.gestured || typeof AudioContext === "undefined") return;
    try {
      const audio = (this.audio ??= new AudioContext());
      const asked = performance.now();
      if (audio.state !== "running") await audio.resume();
      // Refused for now (it would sound late), or a chime is still sounding (messages caught up at once chime once).
      if (performance.now() - asked > 1000 || audio.currentTime < this.until) return;
      const start = audio.currentTime + 0.01;
      const note = 0.12;
      const gain = audio.createGain();
      gain.connect(audio.destination);
      gain.gain.setValueAtTime(0, start);
      this.until = start + frequencies.length * note;
      frequencies.forEach((frequency, i) => {
        const at = start + i * note;
        gain.gain.linearRampToValueAtTime(0.12, at + 0.015);
        gain.gain.linearRampToValueAtTime(0.0001, at + note - 0.005);
        const oscillator = audio.createOscillator();
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        oscillator.connect(gain);
        oscillator.start(at);
        oscillator.stop(at + note);
        // The audio device is let go once the last chime has ended.
        oscillator.onended = () => {
          if (audio.currentTime >= this.until) void audio.suspend().catch(() => undefined);
        };
      });
    } catch {
      // No sound is no harm: the title and the badge still say it.
    }
  }
}

/** The tab title alternating with the page's own title; the page may set its title meanwhile, and that one comes back. */
class TitleFlash {
  private own: string | null = null;
  private written = "";
  private text = "";
  private showing = false;
  private timer = 0;
  private created: HTMLTitleElement | null = null;

  show(text: string): void {
    this.text = text;
    if (this.own === null) {
      const had = titleElement();
      this.own = had?.textContent ?? "";
      this.write(text);
      // A page without a title element gets one from the first write; it goes again when the flashing stops.
      this.created = had ? null : titleElement();
      this.timer = window.setInterval(() => this.tick(), 1000);
    } else if (this.showing) {
      this.tick(true);
    }
  }

  stop(): void {
    if (this.own === null) return;
    clearInterval(this.timer);
    if (current() === this.written) {
      if (this.created?.isConnected && !this.own) this.created.remove();
      else document.title = this.own;
    }
    this.own = null;
    this.created = null;
  }

  private tick(again = false): void {
    // The page changed its title since our last write: that is its own title now.
    if (current() !== this.written) this.own = current();
    this.write(this.showing === again ? this.text : this.own!);
  }

  private write(text: string): void {
    this.showing = text === this.text;
    document.title = text;
    this.written = current();
  }
}

// The title as written (document.title would collapse its spaces), so it comes back exactly.
const titleElement = () => document.querySelector("title");
const current = () => titleElement()?.textContent ?? "";
