// Admin → Sites → "Team settings" → "Privacy" (issue 18, docs/privacy.md): how long the site keeps
// chats and visits (empty: forever), and whether visits store the visitor's address cut to its
// network. The retention task deletes what is older; the server checks the ranges.

import { h, field, uniqueId } from '../dom.js';

const DEFAULTS = { keep_chats_days: null, keep_visits_days: 90, anonymise_ip: false };

/** A days box: empty is forever (`null`). */
function days(value) {
  return h('input', { type: 'number', min: '1', max: '36500', step: '1', placeholder: 'Forever', value: value == null ? '' : String(value) });
}

function daysValue(input) {
  const v = input.value.trim();
  return v === '' ? null : Number(v);
}

/** The "Privacy" part of the team settings form: `{ el, value() }` (`value()` is `settings.privacy`). */
export function privacySettings(privacy) {
  const s = { ...DEFAULTS, ...(privacy || {}) };
  const chats = days(s.keep_chats_days);
  const visits = days(s.keep_visits_days);
  const anonymise = h('input', { type: 'checkbox', checked: !!s.anonymise_ip });
  const anonymiseField = field('Anonymise IP addresses', anonymise);
  anonymiseField.wrap.classList.add('field-inline');
  const legend = uniqueId('privacy');
  const el = h('fieldset', { class: 'privacy-settings', 'aria-labelledby': legend },
    h('legend', { id: legend }, 'Privacy'),
    field('Keep chats for', chats, 'Days after a chat ended (or an offline message was left) before it is deleted with its messages and files. Empty: forever.').wrap,
    field('Keep visits and page views for', visits, 'Days after a visit was last seen before it is deleted with its pages (90 unless set). Empty: forever.').wrap,
    anonymiseField.wrap,
    h('p', { class: 'hint' }, 'Visits store the address cut to its network (IPv4 /24, IPv6 /48); the location is looked up from the whole address first. A block by address then holds for that network.'));
  return {
    el,
    value: () => ({
      keep_chats_days: daysValue(chats),
      keep_visits_days: daysValue(visits),
      anonymise_ip: anonymise.checked,
    }),
  };
}
