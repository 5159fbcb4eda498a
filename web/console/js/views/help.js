// The keyboard shortcuts, as data (shortcuts.js acts on them) and as a help section.

import { h } from '../dom.js';
import { openDialog } from '../ui/dialog.js';

export const SHORTCUTS = [
  ['Alt+A', 'Start chatting with the visitor who has waited longest'],
  ['Alt+N', 'Show the next chat window'],
  ['Alt+P', 'Show the previous chat window'],
  ['Alt+1 … Alt+9', 'Show chat window 1 to 9'],
  ['Alt+M', 'Go to the Message box of the chat shown'],
  ['Alt+C', 'Open Canned Responses for the chat shown'],
  ['Alt+X', 'Close the chat window shown (an open chat goes back to the queue)'],
  ['Alt+O', 'Switch your status between On-Line and Away'],
  ['Alt+L', 'Go to the Chatting Visitors list'],
  ['Alt+W', 'Go to the Visitors on Site list'],
  ['Enter', 'In the Message box: send. On a Chatting Visitors entry: open it, or start chatting'],
  ['Shift+Enter', 'New line in the Message box'],
  ['Shift+F10 or the Menu key', 'Open the menu of a Chatting Visitors entry (also: right-click)'],
  ['← →', 'Move between chat tabs'],
  ['↑ ↓ Home End', 'Move within lists and menus'],
  ['Esc', 'Close a dialog, menu or pop-over'],
  ['?', 'Show these shortcuts (when not typing)'],
];

/** The "Shortcuts" help section. */
export function shortcutsSection({ heading = true } = {}) {
  return h('section', { class: 'shortcuts', 'aria-label': 'Shortcuts' },
    heading ? h('h2', null, 'Shortcuts') : null,
    h('dl', { class: 'shortcut-list' }, SHORTCUTS.map(([keys, what]) => [
      h('dt', null, keys.split(' or ').map((k, i) => [i ? ' or ' : '', h('kbd', null, k)])),
      h('dd', null, what),
    ])),
    h('p', { class: 'hint' }, 'On a Mac, Alt is the Option key.'));
}

let open = null;
export function openShortcutsHelp() {
  if (open) return;
  const list = shortcutsSection({ heading: false });
  open = openDialog({ title: 'Keyboard shortcuts', body: list, actions: [{ label: 'Done', value: null }] });
  open.result.then(() => { open = null; });
}
