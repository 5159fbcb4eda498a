// Global keyboard shortcuts (documented in views/help.js and README.md). Alt combinations
// work everywhere, also while typing in the Message box; "?" only outside text fields. Keys
// are matched by `code` so that they work on every layout and with the Mac's Option key.

import { store } from './state.js';
import { isTyping } from './dom.js';
import { openShortcutsHelp } from './views/help.js';

export function installShortcuts({ ctrl, tabs }) {
  const onKey = (e) => {
    if (e.defaultPrevented) return;
    if (document.querySelector('dialog[open]') && e.key !== 'Escape') return; // a modal owns the keys
    if (e.altKey && !e.ctrlKey && !e.metaKey) {
      const digit = /^Digit([1-9])$/.exec(e.code);
      if (digit) {
        const id = store.windows[Number(digit[1]) - 1];
        if (id != null) {
          e.preventDefault();
          store.setPage('console');
          store.setActive(id);
          store.emit('focus-composer', id);
        }
        return;
      }
      const active = store.active;
      switch (e.code) {
        case 'KeyN':
        case 'KeyP': {
          const ids = store.windows;
          if (!ids.length) return;
          e.preventDefault();
          const at = ids.indexOf(active);
          const step = e.code === 'KeyN' ? 1 : -1;
          const id = ids[(Math.max(at, 0) + step + ids.length) % ids.length];
          store.setPage('console');
          store.setActive(id);
          store.emit('focus-composer', id);
          return;
        }
        case 'KeyX':
          if (active != null && store.page === 'console') {
            e.preventDefault();
            ctrl.close(active).then((ok) => {
              if (ok && store.active != null) store.emit('focus-composer', store.active);
            });
          }
          return;
        case 'KeyA':
          e.preventDefault();
          store.setPage('console');
          ctrl.acceptOldest();
          return;
        case 'KeyM':
          if (active != null) {
            e.preventDefault();
            store.setPage('console');
            store.emit('focus-composer', active);
          }
          return;
        case 'KeyC':
          if (active != null && store.page === 'console') {
            e.preventDefault();
            tabs.window(active)?.openCanned();
          }
          return;
        case 'KeyO':
          e.preventDefault();
          ctrl.setStatus(store.me?.status === 'away' ? 'online' : 'away');
          return;
        case 'KeyL':
          e.preventDefault();
          store.setPage('console');
          store.emit('focus-chatlist');
          return;
        case 'KeyW':
          e.preventDefault();
          store.setPage('console');
          document.querySelector('.visitor-list .invite-btn:not([disabled]), .visitor-list a')?.focus();
          return;
        default:
          return;
      }
    }
    if (e.key === '?' && !e.ctrlKey && !e.metaKey && !e.altKey && !isTyping(e.target)) {
      e.preventDefault();
      openShortcutsHelp();
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
