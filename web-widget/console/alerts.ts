// Getting an agent's attention: a short beep (Web Audio, no file), a browser notification, and screen-reader announcements.
import { h, isolate } from "../sdk/dom";
import { t } from "./strings";

let audio: AudioContext | null = null;

/** Browsers only let audio start after a user gesture: the first click or key press prepares it. */
export function prepareSound(): void {
  const unlock = () => {
    try {
      audio ??= new AudioContext();
      if (audio.state === "suspended") void audio.resume();
    } catch {
      // No Web Audio here: offers are still shown and announced.
    }
  };
  addEventListener("pointerdown", unlock, { once: true, capture: true });
  addEventListener("keydown", unlock, { once: true, capture: true });
}

/** Two short soft tones. */
export function beep(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
    const start = audio.currentTime + 0.01;
    for (const [i, frequency] of [880, 1175].entries()) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = frequency;
      const at = start + i * 0.16;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.12, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.14);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(at);
      oscillator.stop(at + 0.15);
    }
  } catch {
    // Sound is a nicety; the offer is on screen regardless.
  }
}

/** Asks for permission to notify, once, from a user gesture such as going online. */
export function askNotificationPermission(): void {
  if ("Notification" in window && Notification.permission === "default") {
    void Notification.requestPermission().catch(() => undefined);
  }
}

export function notify(title: string, body: string, tag: string): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    // Some browsers only notify from a service worker.
  }
}

/** A conversation a colleague handed over directly is as pressing as an offer: it beeps, notifies and is announced like one. */
export function alertHandedOver(who: string, topic: string, conversationId: string): void {
  beep();
  announce(t.handedOverAnnounce(who, topic), true);
  notify(t.handedOverNotificationTitle, t.offerNotificationBody(isolate(who), topic), conversationId);
}

const politeRegion = h("div", { class: "sr-only", role: "status", "aria-live": "polite" });
const assertiveRegion = h("div", { class: "sr-only", role: "alert" });

export function mountAnnouncers(): void {
  document.body.append(politeRegion, assertiveRegion);
}

/** Says something to screen-reader users without moving focus. */
export function announce(text: string, urgent = false): void {
  const region = urgent ? assertiveRegion : politeRegion;
  region.textContent = "";
  setTimeout(() => (region.textContent = text), 50);
}
