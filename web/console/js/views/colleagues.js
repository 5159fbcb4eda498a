// The colleague row of a chat window (issue 13): who else is in the chat ("With: Bob"),
// "Invite Agent" (the owner: a menu of the site's other On-Line agents) and "Leave chat" (a
// colleague; the owner too once a colleague is in, handing the chat to the first who joined).

import { h, text } from '../dom.js';
import { store } from '../state.js';
import { openMenu } from '../ui/menu.js';

/** Others in the chat, as a sentence: "With: Alice, Bob" (empty when I am alone in it). */
export function withWhom(chat) {
  if (!chat || chat.state !== 'active') return '';
  const people = [];
  if (chat.agent_id != null && !store.isMe(chat.agent_id)) people.push(chat.agent_name || 'Agent');
  for (const j of chat.joined || []) if (!store.isMe(j.agent_id)) people.push(j.name);
  return people.length ? `With: ${people.join(', ')}` : '';
}

/** Agents I may invite into `chat`: On-Line for its site, not already in it. */
export function inviteTargets(chat) {
  if (!chat) return [];
  const inIt = new Set((chat.joined || []).map((j) => Number(j.agent_id)));
  return store.transferTargets(chat.site_id).filter((a) => !inIt.has(Number(a.agent_id)));
}

export function colleagueControls(chatId, { ctrl }) {
  const id = Number(chatId);
  const who = h('p', { class: 'cw-with', 'aria-live': 'polite' });
  const invite = h('button', {
    type: 'button', class: 'btn', 'aria-haspopup': 'menu', 'aria-expanded': 'false',
  }, 'Invite Agent');
  const leave = h('button', { type: 'button', class: 'btn' }, 'Leave chat');
  invite.addEventListener('click', () => {
    const chat = store.chat(id);
    const targets = inviteTargets(chat);
    invite.setAttribute('aria-expanded', 'true');
    openMenu({
      label: 'Invite Agent',
      opener: invite,
      items: targets.length
        ? targets.map((a) => ({
          label: a.name,
          onSelect: () => ctrl.inviteAgent(id, a.agent_id),
        }))
        : [{ label: 'No other agent is On-Line', disabled: true, onSelect: () => {} }],
      className: 'invite-menu',
    });
  });
  leave.addEventListener('click', () => ctrl.leaveChat(id));
  const el = h('div', { class: 'cw-colleagues' }, who, invite, leave);

  const render = () => {
    const c = store.chat(id);
    const owner = store.isMine(c);
    const colleague = !owner && store.mayWrite(c);
    text(who, withWhom(c));
    who.hidden = !who.textContent;
    invite.hidden = !owner;
    leave.hidden = !(colleague || (owner && (c.joined || []).length > 0));
    el.hidden = who.hidden && invite.hidden && leave.hidden;
  };
  render();
  return { el, render };
}
