// Admin → Sites → a site's "Appearance" (issue 17, crates/core/src/appearance.rs): the widget's
// accent colour, launcher position and label, greeting, offline text, "Ask for a name" / "Ask
// for an email", and "Agent names" (each agent's own, or one "Team name"). Its own form and
// "Save appearance": one PUT of the whole settings object with `appearance` replaced (the
// other settings as last saved). Visitors see a change on their next page load.
//
// "Appearance preview" draws a mock launcher and panel with the widget's own stylesheets (in a
// shadow root, as on a customer page), updated as the admin types. The accent's contrast with
// the widget's white text is checked here too (WCAG 2.1, the same formula as the server's),
// under the colour field; the server is the judge, and its refusal shows in the form.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { toast } from '../ui/toast.js';

const DEFAULT_ACCENT = '#2f5bea';
const DEFAULTS = {
  accent: null, position: 'right', launcher_label: null, greeting: null, offline_text: null,
  ask_name: 'optional', ask_email: 'hidden', agent_names: 'agent', team_name: null,
};
// The widget's English texts the settings replace (web/widget/l10n-en.js).
const WIDGET = { chat: 'Chat with us', intro: 'Hi! How can we help? Type your question below.' };

/** WCAG 2.1 contrast of `#rrggbb` with white; null for anything else. */
export function contrastWithWhite(hex) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(hex || '').trim());
  if (!m) return null;
  const channel = (x) => {
    const s = parseInt(x, 16) / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(m[1]) + 0.7152 * channel(m[2]) + 0.0722 * channel(m[3]);
  return 1.05 / (l + 0.05);
}

/** A ratio as the server says it: cut to two decimals, trailing zeros dropped. */
function ratioText(r) {
  return String(Math.floor(r * 100) / 100);
}

function select(options, value) {
  const el = h('select', null, ...options.map(([v, label]) => h('option', { value: v }, label)));
  el.value = options.some(([v]) => v === value) ? value : options[0][0];
  return el;
}

const ASK = [['optional', 'Optional'], ['required', 'Required'], ['hidden', 'Hidden']];

/** The mock widget: launcher and panel, in a shadow root with the widget's stylesheets. */
function preview() {
  const host = h('div', { class: 'appearance-mock', 'aria-hidden': 'true' });
  host.inert = true;
  const root = host.attachShadow({ mode: 'open' });
  for (const name of ['widget', 'widget-panel', 'widget-forms']) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = `/widget/${name}.css`;
    root.append(link);
  }
  const label = h('span', { class: 'fd-ltext' });
  const launcher = h('span', { class: 'fd-launcher' }, label);
  const greeting = h('p', { class: 'fd-lead fd-greet' });
  const ask = (name) => {
    const hint = h('span', { class: 'fd-hint' }, '(optional)');
    const wrap = h('div', null, h('span', { class: 'fd-label' }, name), ' ', hint, h('span', { class: 'fd-input' }));
    return { wrap, hint };
  };
  const name = ask('Your name');
  const email = ask('Email');
  const panel = h('div', { class: 'fd-panel' },
    h('div', { class: 'fd-head' }, h('div', { class: 'fd-head-text' }, h('p', { class: 'fd-title' }, 'Chat with us'))),
    h('div', { class: 'fd-body' }, h('div', { class: 'fd-chat' },
      h('div', { class: 'fd-log' }),
      h('div', { class: 'fd-intro' }, greeting, name.wrap, email.wrap),
      h('div', { class: 'fd-compose' }, h('span', { class: 'fd-input fd-ta' }), h('span', { class: 'fd-btn fd-send' }, 'Send')))));
  const box = h('div', { class: 'fd fd-open' }, panel, launcher);
  root.append(box);
  const show = (a) => {
    const ok = contrastWithWhite(a.accent) != null;
    if (ok) box.style.setProperty('--fd-a', a.accent);
    else box.style.removeProperty('--fd-a');
    box.classList.toggle('fd-left', a.position === 'left');
    text(label, a.launcher_label || WIDGET.chat);
    text(greeting, a.greeting || WIDGET.intro);
    for (const [f, how] of [[name, a.ask_name], [email, a.ask_email]]) {
      f.wrap.hidden = how === 'hidden';
      f.hint.hidden = how !== 'optional';
    }
  };
  return { host, show };
}

/** The "Appearance" part of a site's card: a toggle button and the form (`site.settings` is
 * updated in place when saved, so the other settings forms keep it). */
export function appearanceSettings(site) {
  const id = site.id ?? site.site_id;
  const a = { ...DEFAULTS, ...(site.settings?.appearance || {}) };
  const accent = h('input', { type: 'color', value: a.accent || DEFAULT_ACCENT });
  const position = select([['right', 'Right'], ['left', 'Left']], a.position);
  const label = h('input', { type: 'text', maxlength: '40', placeholder: WIDGET.chat, value: a.launcher_label || '' });
  const greeting = h('textarea', { rows: '3', maxlength: '500', placeholder: WIDGET.intro, value: a.greeting || '' });
  const offline = h('textarea', { rows: '3', maxlength: '500', value: a.offline_text || '' });
  const askName = select(ASK, a.ask_name);
  const askEmail = select(ASK, a.ask_email);
  const agentNames = select([['agent', 'Agent\u2019s own name'], ['team', 'Team name']], a.agent_names);
  const team = h('input', { type: 'text', maxlength: '60', placeholder: 'Acme Support', value: a.team_name || '' });
  const contrast = h('p', { class: 'hint contrast-check', 'aria-live': 'polite' });
  const status = h('p', { class: 'form-status', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save appearance');
  const mock = preview();

  const value = () => ({
    accent: accent.value.toLowerCase() === DEFAULT_ACCENT ? null : accent.value,
    position: position.value,
    launcher_label: label.value.trim() || null,
    greeting: greeting.value.trim() || null,
    offline_text: offline.value.trim() || null,
    ask_name: askName.value,
    ask_email: askEmail.value,
    agent_names: agentNames.value,
    team_name: team.value.trim() || null,
  });
  const update = () => {
    const v = value();
    const ratio = contrastWithWhite(accent.value);
    text(contrast, ratio == null ? '' : ratio < 4.5
      ? `Contrast ${ratioText(ratio)}:1 with the widget's white text: too low, WCAG AA needs 4.5:1.`
      : `Contrast ${ratioText(ratio)}:1 with the widget's white text: meets WCAG AA.`);
    contrast.classList.toggle('contrast-low', ratio != null && ratio < 4.5);
    mock.show({ ...v, accent: accent.value });
  };

  const teamField = field('Team name', team, 'What visitors see instead of an agent\u2019s name (when "Agent names" is "Team name").');
  const legend = uniqueId('look');
  const region = h('section', { class: 'appearance-preview', 'aria-label': 'Appearance preview' },
    h('p', { class: 'hint' }, 'How the widget looks with these settings (launcher, panel, greeting).'),
    h('div', { class: 'appearance-stage' }, mock.host));
  const form = h('form', { class: 'stack-form appearance-settings', 'aria-labelledby': legend, novalidate: true, hidden: true },
    h('h4', { id: legend }, 'Appearance'),
    h('div', { class: 'appearance-grid' },
      h('div', null,
        field('Accent colour', accent, 'The launcher, the panel\u2019s header, the Send button and the visitor\u2019s messages; white text on it must have 4.5:1 contrast (WCAG AA).').wrap,
        contrast,
        field('Launcher position', position, 'Named for left-to-right pages; mirrored in right-to-left languages.').wrap,
        field('Launcher label', label, 'Empty: "Chat with us" in the visitor\u2019s language.').wrap,
        field('Greeting', greeting, 'At the top of the panel before the first message. Empty: the widget\u2019s own.').wrap,
        field('Offline text', offline, 'Above the "Leave a message" form. Empty: the widget\u2019s own.').wrap,
        field('Ask for a name', askName, 'Before a chat and in the "Leave a message" form.').wrap,
        field('Ask for an email', askEmail, 'Before a chat (the "Leave a message" form always asks: the reply goes there).').wrap,
        field('Agent names', agentNames).wrap,
        teamField.wrap),
      region),
    status, h('div', { class: 'form-actions' }, save));
  form.addEventListener('input', update);
  form.addEventListener('change', update);
  update();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    text(status, '');
    save.disabled = true;
    try {
      const settings = { ...(site.settings || {}), appearance: value() };
      const saved = await adminApi.siteSettings(id, settings);
      if (saved && saved.settings) site.settings = saved.settings;
      toast('Appearance saved. Visitors see it on their next page.');
    } catch (err) {
      text(status, err.message);
    } finally {
      save.disabled = false;
    }
  });

  const toggle = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false' }, 'Appearance');
  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) accent.focus();
  });
  return { toggle, form };
}
