// Admin → Sites → a site's "Team settings": routing, seconds to answer, the department question,
// opening hours (per weekday from–to ranges, time zone, "Closed on" dates), chat outside opening
// hours, when a waiting chat is escalated, and "Show all agents' names" (a colleague's replies
// under their own name for the visitor), the "Rating" the widget asks for after a chat, and what
// reaches visitors about their chat ("Email me this transcript", "Sound on new replies", "Email
// unread replies after"), "Files" (admin-files-settings.js) and "Privacy" (admin-privacy-settings.js). One form, one PUT of the whole settings object
// (`PUT /api/admin/sites/{id}/settings`); the server checks every value, and its 400 message is
// shown as it is.

import { h, text, field, uniqueId } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { toast } from '../ui/toast.js';
import { statusLine, lines } from './common.js';
import { filesSettings } from './admin-files-settings.js';
import { privacySettings } from './admin-privacy-settings.js';

const WEEKDAYS = [
  ['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'],
  ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday'],
];

const DEFAULTS = {
  routing: 'everyone', offer_seconds: 30, ask_department: false, opening_hours: null,
  chat_outside_hours: false, waiting_too_long_seconds: 180, show_agent_names: true,
  rating: 'thumbs',
  visitor_transcripts: true, unread_sound: false, unread_email_seconds: 120, language: 'en',
};

/** The site languages the server knows (crates/core/src/site_settings.rs LANGUAGES). */
const LANGUAGES = [
  ['en', 'English'], ['de', 'German'], ['fr', 'French'], ['es', 'Spanish'], ['pt', 'Portuguese'],
  ['it', 'Italian'], ['nl', 'Dutch'], ['sv', 'Swedish'], ['da', 'Danish'], ['fi', 'Finnish'],
  ['no', 'Norwegian'], ['ru', 'Russian'], ['hu', 'Hungarian'], ['ro', 'Romanian'], ['tr', 'Turkish'],
  ['pl', 'Polish'], ['cs', 'Czech'], ['el', 'Greek'], ['uk', 'Ukrainian'], ['ar', 'Arabic'],
  ['he', 'Hebrew'], ['ja', 'Japanese'], ['zh', 'Chinese'], ['ko', 'Korean'],
];

function checkbox(label, checked) {
  const input = h('input', { type: 'checkbox', checked: !!checked });
  const f = field(label, input);
  f.wrap.classList.add('field-inline');
  return { wrap: f.wrap, input };
}

/** One from–to row of a weekday: two "HH:MM" boxes (text, so "24:00" can be given) and "Remove". */
function rangeRow(range, onRemove) {
  const from = h('input', { type: 'text', class: 'hours-time', size: '5', maxlength: '5', placeholder: '09:00', value: range.from || '' });
  const to = h('input', { type: 'text', class: 'hours-time', size: '5', maxlength: '5', placeholder: '17:00', value: range.to || '' });
  const remove = h('button', { type: 'button', class: 'btn btn-small' }, 'Remove');
  const row = h('div', { class: 'hours-range', role: 'group', 'aria-label': 'Range' },
    field('From', from).wrap, field('To', to).wrap, remove);
  remove.addEventListener('click', () => {
    row.remove();
    onRemove();
  });
  row.value = () => ({ from: from.value.trim(), to: to.value.trim() });
  row.isEmpty = () => !from.value.trim() && !to.value.trim();
  return row;
}

/** A weekday's ranges with "Add range". */
function weekday(label, ranges) {
  const list = h('div', { class: 'hours-ranges' });
  const none = h('p', { class: 'hint' }, 'Closed');
  const sync = () => { none.hidden = list.children.length > 0; };
  const add = (range) => list.append(rangeRow(range, sync));
  (ranges || []).forEach(add);
  const addButton = h('button', { type: 'button', class: 'btn btn-small' }, 'Add range');
  addButton.addEventListener('click', () => {
    add({});
    sync();
    list.lastElementChild.querySelector('input').focus();
  });
  sync();
  const legendId = uniqueId('day');
  const el = h('fieldset', { class: 'hours-day', 'aria-labelledby': legendId },
    h('legend', { id: legendId }, label), none, list, addButton);
  el.value = () => [...list.children].filter((r) => !r.isEmpty()).map((r) => r.value());
  return el;
}

/** The settings object the form says (whole, as the PUT wants it). */
function readForm(c) {
  const weekly = {};
  let anyRange = false;
  for (const [key] of WEEKDAYS) {
    const ranges = c.days[key].value();
    if (ranges.length) {
      weekly[key] = ranges;
      anyRange = true;
    }
  }
  const closedOn = lines(c.closedOn.value);
  const hoursGiven = anyRange || closedOn.length > 0;
  return {
    ...c.kept, // settings this form does not show stay as they are
    routing: c.routing.value,
    offer_seconds: Number(c.offerSeconds.value),
    ask_department: c.askDepartment.checked,
    opening_hours: hoursGiven ? { timezone: c.timezone.value.trim(), weekly, closed_on: closedOn } : null,
    chat_outside_hours: c.chatOutside.checked,
    waiting_too_long_seconds: Number(c.waitingTooLong.value),
    show_agent_names: c.showAgentNames.checked,
    rating: c.rating.value,
    visitor_transcripts: c.visitorTranscripts.checked,
    unread_sound: c.unreadSound.checked,
    unread_email_seconds: Number(c.unreadEmail.value),
    language: c.language.value,
    files: c.files.value(),
    privacy: c.privacy.value(),
  };
}

/**
 * The "Team settings" part of a site's card: a toggle button and the form. `onSaved(site)` gets
 * the site as the server saved it.
 */
export function teamSettings(site, { onSaved } = {}) {
  const s = { ...DEFAULTS, ...(site.settings || {}) };
  const hours = s.opening_hours || { timezone: site.timezone || 'UTC', weekly: {}, closed_on: [] };

  const routing = h('select', null,
    h('option', { value: 'everyone' }, 'Everyone (first to answer)'),
    h('option', { value: 'assign' }, 'Assign automatically'));
  routing.value = s.routing === 'assign' ? 'assign' : 'everyone';
  const offerSeconds = h('input', { type: 'number', min: '5', max: '600', step: '1', value: String(s.offer_seconds) });
  const askDepartment = checkbox('Ask visitors for a department', s.ask_department);
  const days = {};
  const dayEls = WEEKDAYS.map(([key, label]) => (days[key] = weekday(label, hours.weekly?.[key])));
  const timezone = h('input', { type: 'text', value: hours.timezone || site.timezone || 'UTC' });
  const closedOn = h('textarea', { rows: '3', placeholder: '2026-12-25', value: (hours.closed_on || []).join('\n') });
  const chatOutside = checkbox('Chat outside opening hours', s.chat_outside_hours);
  const waitingTooLong = h('input', { type: 'number', min: '10', max: '86400', step: '1', value: String(s.waiting_too_long_seconds) });
  const showAgentNames = checkbox("Show all agents' names", s.show_agent_names !== false);
  const rating = h('select', null,
    h('option', { value: 'off' }, 'Off'),
    h('option', { value: 'thumbs' }, 'Good / Bad'),
    h('option', { value: 'stars' }, '1–5 stars'));
  rating.value = ['off', 'thumbs', 'stars'].includes(s.rating) ? s.rating : 'thumbs';
  const visitorTranscripts = checkbox('Email me this transcript', s.visitor_transcripts !== false);
  const unreadSound = checkbox('Sound on new replies', s.unread_sound);
  const unreadEmail = h('input', { type: 'number', min: '0', max: '604800', step: '1', value: String(s.unread_email_seconds) });
  const language = h('select', {},
    ...LANGUAGES.map(([tag, name]) => h('option', { value: tag }, name)));
  language.value = LANGUAGES.some(([tag]) => tag === s.language) ? s.language : 'en';
  const files = filesSettings(s.files);
  const privacy = privacySettings(s.privacy);
  const status = statusLine();
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save settings');

  const hoursLegend = uniqueId('hours');
  const form = h('form', { class: 'stack-form team-settings', 'aria-label': 'Team settings', novalidate: true, hidden: true },
    field('Routing', routing, 'Everyone: every On-Line agent gets the pop-up. Automatically: offered to one agent at a time, then to everyone.').wrap,
    field('Seconds to answer', offerSeconds, 'How long an automatic offer stands before it moves on (5–600).').wrap,
    askDepartment.wrap,
    h('fieldset', { class: 'hours', 'aria-labelledby': hoursLegend },
      h('legend', { id: hoursLegend }, 'Opening hours'),
      h('p', { class: 'hint' }, 'Per weekday, one or more ranges ("HH:MM"; a “To” at or before the “From” ends the next day; 24:00 is the end of the day). Leave every day empty and no dates to take chats at any time.'),
      ...dayEls,
      field('Time zone', timezone, 'The time zone of the ranges and dates.').wrap,
      field('Closed on', closedOn, 'Whole days closed (holidays), one date per line: YYYY-MM-DD.').wrap),
    chatOutside.wrap,
    field('Waiting too long after (seconds)', waitingTooLong, 'A chat waiting this long is escalated (10–86400; 180 = 3 minutes).').wrap,
    showAgentNames.wrap,
    h('p', { class: 'hint' }, 'On: the visitor sees a colleague’s replies under the colleague’s name. Off: every reply shows under the name the visitor knows for the chat.'),
    field('Rating', rating, 'What the widget asks when a chat ends ("How was this chat?"). The visitor may change it for 10 minutes.').wrap,
    visitorTranscripts.wrap,
    h('p', { class: 'hint' }, 'The widget offers visitors their chat’s transcript by email (internal notes left out).'),
    unreadSound.wrap,
    h('p', { class: 'hint' }, 'The widget beeps when a reply arrives while its panel is closed or the tab hidden.'),
    field('Email unread replies after (seconds)', unreadEmail, 'A visitor who left with an email address gets the replies they did not read, once, this long after the first (0: never; otherwise 10–604800; 120 = 2 minutes).').wrap,
    field('Language', language, 'The language visitors write in: the widget speaks it to visitors whose page and browser name no language the widget has (English if it has none for it), and the Archive\u2019s search finds other forms of a word by it ("refunds" finds "refund").').wrap,
    files.el,
    privacy.el,
    status, h('div', { class: 'form-actions' }, save));

  const controls = {
    routing, offerSeconds, askDepartment: askDepartment.input, days, timezone, closedOn,
    chatOutside: chatOutside.input, waitingTooLong, showAgentNames: showAgentNames.input,
    rating,
    // Read at submit: settings saved elsewhere meanwhile ("Require verified identity") stay.
    get kept() { return { ...DEFAULTS, ...(site.settings || {}) }; },
    visitorTranscripts: visitorTranscripts.input, unreadSound: unreadSound.input, unreadEmail,
    files, language, privacy,
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    text(status, '');
    save.disabled = true;
    try {
      const saved = await adminApi.siteSettings(site.id ?? site.site_id, readForm(controls));
      toast('Team settings saved.');
      text(status, 'Saved.');
      if (onSaved) onSaved(saved);
    } catch (err) {
      text(status, err.message);
    } finally {
      save.disabled = false;
    }
  });

  const toggle = h('button', { type: 'button', class: 'btn btn-small', 'aria-expanded': 'false' }, 'Team settings');
  toggle.addEventListener('click', () => {
    form.hidden = !form.hidden;
    toggle.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) routing.focus();
  });
  return { toggle, form };
}
