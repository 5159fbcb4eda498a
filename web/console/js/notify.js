// Attention: a short WebAudio beep, desktop notifications (only after the agent asked for
// them with a button), and the unread/waiting count in the document title.

const PREF_SOUNDS = 'frontdesk.sounds';
const BASE_TITLE = 'Frontdesk Console';

let audio = null;

function readPref(key, fallback) {
  try {
    const v = window.localStorage.getItem(key);
    return v === null ? fallback : v === '1';
  } catch {
    return fallback;
  }
}

export function soundsEnabled() {
  return readPref(PREF_SOUNDS, true);
}

export function setSoundsEnabled(on) {
  try {
    window.localStorage.setItem(PREF_SOUNDS, on ? '1' : '0');
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  if (on) primeAudio();
}

function ensureAudio() {
  if (!audio) {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) audio = new Ctx();
    } catch {
      audio = null;
    }
  }
  return audio;
}

/**
 * Browsers start audio only after a user gesture: main.js calls this from every click and key
 * press. (Signing in is one, so the first chat request after it already sounds.)
 */
export function primeAudio() {
  const a = ensureAudio();
  if (a && a.state === 'suspended') a.resume().catch(() => {});
}

const TONES = {
  request: [[880, 0], [1175, 0.16]], // two rising notes: someone is waiting
  message: [[660, 0]],
  transfer: [[988, 0], [988, 0.16]],
  offline: [[523, 0]],
  // A chat waiting too long: unlike any other, rising and repeated.
  escalation: [[523, 0], [784, 0.15], [523, 0.3], [784, 0.45]],
};

/** A short beep, unless Sounds are off. kind: request | message | transfer | offline | escalation. */
export function beep(kind = 'message') {
  if (!soundsEnabled()) return;
  const a = ensureAudio();
  if (!a) return;
  if (a.state === 'running') play(a, kind);
  else if (a.state === 'suspended') {
    a.resume().then(() => { if (a.state === 'running') play(a, kind); }).catch(() => {});
  }
}

function play(a, kind) {
  try {
    const t0 = a.currentTime + 0.01;
    for (const [freq, at] of TONES[kind] || TONES.message) {
      const osc = a.createOscillator();
      const gain = a.createGain();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(freq, t0 + at);
      gain.gain.setValueAtTime(0.0001, t0 + at);
      gain.gain.exponentialRampToValueAtTime(0.2, t0 + at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 0.14);
      osc.connect(gain).connect(a.destination);
      osc.start(t0 + at);
      osc.stop(t0 + at + 0.16);
    }
  } catch {
    /* audio is a nicety */
  }
}

export function notificationsSupported() {
  return typeof window.Notification === 'function';
}

export function notificationPermission() {
  return notificationsSupported() ? window.Notification.permission : 'unsupported';
}

/** Only ever called from the "Enable desktop notifications" button. */
export async function requestNotifications() {
  if (!notificationsSupported()) return 'unsupported';
  try {
    return await window.Notification.requestPermission();
  } catch {
    return window.Notification.permission;
  }
}

/** A desktop notification when the console is not in view. Text only. */
export function desktopNotify(title, body, { tag, onClick } = {}) {
  if (notificationPermission() !== 'granted') return;
  if (document.visibilityState === 'visible' && document.hasFocus()) return;
  try {
    const n = new window.Notification(String(title), { body: String(body || ''), tag });
    n.onclick = () => {
      window.focus();
      if (onClick) onClick();
      n.close();
    };
  } catch {
    /* some browsers allow notifications only from a service worker */
  }
}

export function setTitleCount(n) {
  const title = n > 0 ? `(${n}) ${BASE_TITLE}` : BASE_TITLE;
  if (document.title !== title) document.title = title;
}
