// Desktop notifications (permission asked once per browser) and a short chime made with Web Audio (no file).

const ASKED = "osslc.console.notificationsAsked";

/** Asks for notification permission the first time only; call it from a user gesture (signing in). */
export function askNotificationPermissionOnce(): void {
  if (typeof Notification === "undefined" || Notification.permission !== "default") return;
  try {
    if (localStorage.getItem(ASKED)) return;
    localStorage.setItem(ASKED, "1");
  } catch {
    // storage blocked: asking again next time is fine
  }
  void Notification.requestPermission().catch(() => undefined);
}

/** Shows a desktop notification when allowed; clicking it focuses the console and runs onClick. */
export function desktopNotify(title: string, body: string, tag: string, onClick: () => void): void {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    // some browsers allow notifications only from a service worker: the sound and the title still tell
  }
}

let audio: AudioContext | null = null;

/** Prepares audio during a user gesture (browsers refuse to start it otherwise). */
export function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume();
  } catch {
    audio = null;
  }
}

/** Two soft notes: a new chat (rising) or a new message (single). */
export function chime(kind: "queue" | "message"): void {
  if (!audio) return;
  const notes = kind === "queue" ? [660, 880] : [740];
  const start = audio.currentTime;
  notes.forEach((freq, i) => {
    if (!audio) return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const t = start + i * 0.16;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.32);
  });
}
