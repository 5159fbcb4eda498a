// Visit Detail → "Export visitor data" and "Erase visitor" (admins only; issue 18,
// docs/privacy.md). The export downloads everything held about the visitor as a JSON file; the
// erasure asks for confirmation, then deletes everything about them (their chats whole). An open
// chat must be ended first: the server says so, and the message is shown as it is.

import { h, text } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { confirmDialog } from '../ui/dialog.js';
import { toast } from '../ui/toast.js';
import { store } from '../state.js';

/** The buttons and their status line for the visitor of `chat`, or null for a non-admin. */
export function visitorDataButtons(chat) {
  if (!store.me?.is_admin || chat.site_id == null || chat.visitor_id == null) return null;
  const status = h('p', { class: 'hint', role: 'status' });
  const exportBtn = h('button', { type: 'button', class: 'btn btn-small' }, 'Export visitor data');
  const eraseBtn = h('button', { type: 'button', class: 'btn btn-small btn-danger' }, 'Erase visitor');
  exportBtn.addEventListener('click', async () => {
    exportBtn.disabled = true;
    text(status, '');
    try {
      const data = await adminApi.exportVisitor(chat.site_id, chat.visitor_id);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = h('a', { download: `visitor-${chat.visitor_id}.json`, hidden: true });
      a.href = url; // a blob: URL of our own making (h() lets only http(s)/mailto links through)
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      text(status, 'Visitor data exported.');
    } catch (err) {
      text(status, err.message);
    } finally {
      exportBtn.disabled = false;
    }
  });
  eraseBtn.addEventListener('click', async () => {
    const ok = await confirmDialog({
      title: 'Erase this visitor?',
      message: 'Everything held about them is deleted for good: their chats with every message (yours too) and file, their visits and pages, offline messages and blocks.',
      confirm: 'Erase',
      danger: true,
    });
    if (!ok) return;
    eraseBtn.disabled = true;
    text(status, '');
    try {
      const erased = await adminApi.eraseVisitor(chat.site_id, chat.visitor_id);
      text(status, `Visitor erased (${erased.chats} chat${erased.chats === 1 ? '' : 's'} deleted).`);
      toast('Visitor erased.');
      exportBtn.disabled = true;
    } catch (err) {
      text(status, err.message);
      eraseBtn.disabled = false;
    }
  });
  return h('div', { class: 'detail-buttons visitor-data', role: 'group', 'aria-label': 'Visitor data' },
    exportBtn, eraseBtn, status);
}
