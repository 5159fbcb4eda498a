// "Visitors on Site": who is browsing now — page, time on site, location, browser — with an
// "Invite" button that opens a small form (Greeting, "Send invitation").

import { h, text, reconcile, uniqueId, externalLink, field, arrowNav, replace } from '../dom.js';
import { store } from '../state.js';
import { openDialog } from '../ui/dialog.js';
import { visitorLabel, elapsedSince, browserText } from '../format.js';

const DEFAULT_GREETING = 'Hello! Can I help you with anything?';

export function renderVisitors({ ctrl }) {
  const headingId = uniqueId('h');
  const list = h('ul', { class: 'entry-list visitor-list', 'aria-labelledby': headingId });
  const empty = h('p', { class: 'empty' }, 'Nobody is on your sites right now.');
  const count = h('span', { class: 'count-badge' });
  // More visitors than the console holds (a busy site: the snapshot sends a page of them).
  const showing = h('span', { role: 'status' });
  const moreBtn = h('button', { type: 'button', class: 'btn btn-small' }, 'Show more visitors');
  const paging = h('div', { class: 'visitors-paging', hidden: true }, showing, moreBtn);
  moreBtn.addEventListener('click', async () => {
    moreBtn.disabled = true;
    try {
      await ctrl.moreVisitors();
    } finally {
      moreBtn.disabled = false;
    }
  });
  const section = h('section', { class: 'panel visitors', 'aria-labelledby': headingId },
    h('div', { class: 'panel-head' }, h('h2', { id: headingId }, 'Visitors on Site'), count),
    paging, list, empty);

  const invite = (v) => {
    const greeting = h('input', { type: 'text', name: 'greeting', value: DEFAULT_GREETING, maxlength: '500' });
    const error = h('p', { class: 'form-error', role: 'alert' });
    const sendBtn = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Send invitation');
    const cancel = h('button', { type: 'button', class: 'btn' }, 'Cancel');
    const form = h('form', { class: 'invite-form' },
      h('p', null, 'On ', v.page?.title || v.page?.url || 'the site'),
      field('Greeting', greeting).wrap, error,
      h('div', { class: 'dialog-actions' }, sendBtn, cancel));
    const dlg = openDialog({
      title: `Invite ${visitorLabel(v.name, v.visitor_id)} to chat`, body: form, initialFocus: greeting,
    });
    cancel.addEventListener('click', () => dlg.close(null));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = greeting.value.trim();
      if (!value) {
        text(error, 'Please type a greeting.');
        greeting.focus();
        return;
      }
      sendBtn.disabled = true;
      try {
        await ctrl.invite(v.site_id, v.visitor_id, value);
        store.setInvitationDismissed(v.site_id, v.visitor_id, false);
        dlg.close(true);
      } catch (err) {
        text(error, err.message);
        sendBtn.disabled = false;
      }
    });
    greeting.select();
  };

  const create = () => {
    const li = h('li', { class: 'entry visitor', tabindex: '-1' },
      h('div', { class: 'visitor-head' },
        h('span', { class: 'entry-name' }),
        h('span', { class: 'entry-sub site' }),
        h('span', { class: 'badge chat-badge' }),
        h('span', { class: 'badge dismissed-badge', hidden: true }, 'Invitation dismissed'),
        h('span', { class: 'badge auto-invited-badge', hidden: true }),
        h('span', { class: 'entry-time', title: 'Time on site' }, h('span', { class: 'elapsed' }))),
      h('div', { class: 'visitor-page' }),
      h('div', { class: 'visitor-meta' },
        h('span', { class: 'loc' }), h('span', { class: 'sep', 'aria-hidden': 'true' }, ' · '), h('span', { class: 'browser' })),
      h('button', { type: 'button', class: 'btn btn-small invite-btn' }, 'Invite'));
    li.querySelector('.invite-btn').addEventListener('click', () => {
      const v = store.visitors.get(li.dataset.key);
      if (v) invite(v);
    });
    li.addEventListener('keydown', (e) => {
      if (e.target !== li) return;
      arrowNav(e, [...list.children], li);
    });
    return li;
  };

  const update = (li, v) => {
    text(li.querySelector('.entry-name'), visitorLabel(v.name, v.visitor_id));
    text(li.querySelector('.site'), store.siteName(v.site_id));
    const inChat = v.chat_id != null;
    const badge = li.querySelector('.chat-badge');
    badge.hidden = !inChat;
    text(badge, inChat ? 'In chat' : '');
    li.querySelector('.dismissed-badge').hidden = !store.invitationDismissed(v) || inChat;
    // The "Invitation rules" rule that invited them (its name as the admin typed it: text).
    const auto = li.querySelector('.auto-invited-badge');
    auto.hidden = !v.auto_invitation;
    text(auto, v.auto_invitation ? `Invited automatically (${v.auto_invitation})` : '');
    const el = li.querySelector('.elapsed');
    el.dataset.since = String(v.started_at || 0);
    text(el, elapsedSince(v.started_at));
    const page = li.querySelector('.visitor-page');
    const url = v.page?.url || '';
    const sig = `${url}|${v.page?.title}`;
    if (page.dataset.sig !== sig) {
      page.dataset.sig = sig;
      replace(page, url ? externalLink(url, v.page.title || url) : 'Unknown page');
      if (url) page.title = url;
    }
    text(li.querySelector('.loc'), v.location_text || 'Unknown location');
    text(li.querySelector('.browser'), browserText(v.browser, v.os));
    const btn = li.querySelector('.invite-btn');
    btn.disabled = inChat;
    btn.setAttribute('aria-description', `Invite ${visitorLabel(v.name, v.visitor_id)}`);
  };

  const render = () => {
    const visitors = [...store.visitors.values()].sort((a, b) => a.started_at - b.started_at);
    reconcile(list, visitors, (v) => `${v.site_id}/${v.visitor_id}`, create, update);
    empty.hidden = visitors.length > 0;
    const total = Math.max(store.visitorsTotal, visitors.length);
    text(count, total ? String(total) : '');
    const partial = store.visitorsNext != null;
    paging.hidden = !partial;
    text(showing, partial
      ? `Showing ${visitors.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} visitors`
      : '');
  };

  store.on('visitors', render);
  store.on('sites', render);
  render();
  return section;
}
