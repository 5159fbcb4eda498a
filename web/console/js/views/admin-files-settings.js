// Admin → Sites → "Team settings" → "Files": whether visitors and agents may attach files, the
// largest file, files per chat, and the allowed types (issue 14). The server decides a file's
// type from its content; these boxes only say which types a site takes.

import { h, field, uniqueId } from '../dom.js';

const GROUPS = [
  ['image', 'Images (PNG, JPEG, GIF, WebP)'],
  ['pdf', 'PDF'],
  ['text', 'Plain text'],
  ['csv', 'CSV'],
  ['office', 'Office documents'],
  ['zip', 'Zip archives'],
];
const MB = 1024 * 1024;
const DEFAULTS = { enabled: true, max_bytes: 10 * MB, per_chat: 20, allowed: GROUPS.map(([g]) => g) };

function checkbox(label, checked) {
  const input = h('input', { type: 'checkbox', checked: !!checked });
  const f = field(label, input);
  f.wrap.classList.add('field-inline');
  return { wrap: f.wrap, input };
}

/** The "Files" part of the team settings form: `{ el, value() }` (`value()` is `settings.files`). */
export function filesSettings(files) {
  const s = { ...DEFAULTS, ...(files || {}) };
  const enabled = checkbox('Allow files', s.enabled);
  const maxMb = h('input', { type: 'number', min: '0.1', step: '0.1', value: String(Math.round((s.max_bytes / MB) * 10) / 10) });
  const perChat = h('input', { type: 'number', min: '0', step: '1', value: String(s.per_chat) });
  const types = GROUPS.map(([group, label]) => ({ group, ...checkbox(label, s.allowed.includes(group)) }));
  const legend = uniqueId('files');
  const el = h('fieldset', { class: 'files-settings', 'aria-labelledby': legend },
    h('legend', { id: legend }, 'Files'),
    enabled.wrap,
    h('p', { class: 'hint' }, 'Visitors ("Attach a file") and agents ("Attach") may send files in a chat. A file’s type is decided from its content, never its name.'),
    field('Largest file (MB)', maxMb, 'Larger files are refused before they are sent (the server’s own cap, limits.file_max_bytes, applies too).').wrap,
    field('Files per chat', perChat).wrap,
    h('p', { class: 'hint' }, 'Allowed types:'),
    ...types.map((t) => t.wrap));
  return {
    el,
    value: () => ({
      enabled: enabled.input.checked,
      max_bytes: Math.round(Number(maxMb.value) * MB),
      per_chat: Number(perChat.value),
      allowed: types.filter((t) => t.input.checked).map((t) => t.group),
    }),
  };
}
