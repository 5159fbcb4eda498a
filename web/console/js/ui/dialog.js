// Modal dialogs on the native <dialog> element: focus is trapped and the page behind is inert;
// Esc closes (the browser fires `cancel`); focus returns where it was.

import { h, uniqueId } from '../dom.js';

/**
 * openDialog({title, body, actions:[{label, value, primary, danger, onClick(close)}]})
 * returns {el, close(value), result: Promise<value|null>}.
 */
export function openDialog({
  title, body = [], actions = [], className = '', initialFocus = null, role = null, describedBy = null,
}) {
  const previous = document.activeElement;
  const titleId = uniqueId('dlg');
  const dlg = h('dialog', {
    class: `dialog ${className}`.trim(), 'aria-labelledby': titleId, role, 'aria-describedby': describedBy,
  });
  let settle;
  const result = new Promise((resolve) => { settle = resolve; });
  let closed = false;
  const close = (value = null) => {
    if (closed) return;
    closed = true;
    if (dlg.open) dlg.close();
    dlg.remove();
    settle(value);
    if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
  };
  const buttons = actions.map((a) => h('button', {
    type: a.submit ? 'submit' : 'button',
    class: ['btn', a.primary ? 'btn-primary' : '', a.danger ? 'btn-danger' : ''].join(' ').trim(),
    onclick: a.submit ? null : () => (a.onClick ? a.onClick(close) : close(a.value ?? a.label)),
  }, a.label));
  dlg.append(
    h('h2', { id: titleId, class: 'dialog-title' }, title),
    h('div', { class: 'dialog-body' }, body),
    buttons.length ? h('div', { class: 'dialog-actions' }, buttons) : null,
  );
  dlg.addEventListener('cancel', (e) => {
    e.preventDefault();
    close(null);
  });
  dlg.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close(null);
    }
  });
  document.body.append(dlg);
  dlg.showModal();
  const focusTarget = typeof initialFocus === 'function' ? initialFocus(buttons) : initialFocus;
  if (focusTarget instanceof HTMLElement) focusTarget.focus();
  return { el: dlg, close, result, buttons };
}

/** Yes/no question. Resolves true for the confirm button. */
export async function confirmDialog({ title, message, confirm = 'OK', cancel = 'Cancel', danger = false }) {
  const msgId = uniqueId('dlg-msg');
  const { result } = openDialog({
    title,
    body: message ? h('p', { id: msgId }, message) : [],
    describedBy: message ? msgId : null,
    actions: [
      { label: confirm, value: true, primary: !danger, danger },
      { label: cancel, value: false },
    ],
    initialFocus: (buttons) => buttons[1],
  });
  return (await result) === true;
}

/** Closes every open console dialog (used on sign-out). */
export function closeAllDialogs() {
  for (const d of document.querySelectorAll('dialog.dialog')) {
    d.dispatchEvent(new Event('cancel', { cancelable: true }));
  }
}
