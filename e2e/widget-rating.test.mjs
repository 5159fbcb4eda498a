// The rating after the chat (issue 14), end to end: the agent's "End Chat" makes the widget ask
// "How was this chat?" ("Good" / "Bad", an optional "Comment", "Send rating"); the agent sees
// the rating in the ended chat's window and, on the visitor's next chat, in Chat History. The
// rating can be changed ("Change rating"), and is remembered across a page load. The admin's
// "Rating" setting "1–5 stars" gives five star buttons ("1 star" … "5 stars").

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  consoleEnv, customerShop, addAgent, signIn, openVisitor, takeChat, confirmEndChat, closeEndedChat,
} from './lib/console.mjs';

let env;
before(async () => { env = await consoleEnv(); });
after(async () => { await env?.close(); });

const widget = (visitor) => visitor.page.locator('frontdesk-widget');
const ratingForm = (visitor) => widget(visitor).getByRole('form', { name: 'How was this chat?' });

test('"Good" / "Bad" after "End Chat": sent, changed, remembered, seen by the agent', async () => {
  const shop = await customerShop(env, { name: 'Rated' });
  const alice = await signIn(env, addAgent(env, { name: 'Alice', sites: [shop] }));
  const tom = await openVisitor(env, shop, '/', { name: 'Tom' });
  await tom.requestChat();
  await takeChat(alice, tom);
  await tom.say('Where is my parcel?');
  assert.equal(await ratingForm(tom).count(), 0, 'no rating while the chat is open');

  await confirmEndChat(alice, 'Tom');
  await tom.status.getByText('This chat has ended.').waitFor();
  const form = ratingForm(tom);
  await form.waitFor();
  // Additive: the ended chat's view is still there, and a new chat can be started.
  await widget(tom).getByRole('button', { name: 'Start a new chat' }).waitFor();
  assert.ok(await tom.bubble('Where is my parcel?').isVisible(), 'the transcript stays');

  // Sending without a choice says so; then "Good" with a comment.
  await form.getByRole('button', { name: 'Send rating' }).click();
  await form.getByText('Please choose a rating.').waitFor();
  await form.getByRole('button', { name: 'Good', exact: true }).click();
  assert.equal(await form.getByRole('button', { name: 'Good', exact: true }).getAttribute('aria-pressed'), 'true');
  await form.getByRole('textbox', { name: 'Comment' }).fill('Quick <b>and</b> kind');
  await form.getByRole('button', { name: 'Send rating' }).click();
  await widget(tom).getByText('Thanks for your rating').waitFor();
  const change = widget(tom).getByRole('button', { name: 'Change rating' });
  await change.waitFor();

  // The agent's window of the ended chat shows it, the comment as text.
  const header = alice.window('Tom').locator('.cw-rating');
  await header.getByText('Rating: Good').waitFor();
  await header.getByText('“Quick <b>and</b> kind”').waitFor();

  // Changed to "Bad".
  await change.click();
  await form.getByRole('button', { name: 'Bad', exact: true }).click();
  await form.getByRole('button', { name: 'Send rating' }).click();
  await widget(tom).getByText('Thanks for your rating').waitFor();
  await header.getByText('Rating: Bad').waitFor();

  // A page load later the widget still knows the chat was rated.
  await tom.page.reload();
  await widget(tom).getByText('Thanks for your rating').waitFor();
  await widget(tom).getByRole('button', { name: 'Change rating' }).waitFor();
  await closeEndedChat(alice, tom);

  // Tom's next chat: Chat History shows the earlier chat's rating.
  await widget(tom).getByRole('button', { name: 'Chat with us', exact: true }).click();
  await widget(tom).getByRole('button', { name: 'Start a new chat' }).click();
  await tom.box.fill('Me again');
  await tom.box.press('Enter');
  await takeChat(alice, tom);
  const detail = alice.window('Tom').getByRole('complementary', { name: 'Visit Detail' });
  await detail.getByRole('button', { name: 'Chat History' }).click();
  const history = detail.getByRole('region', { name: 'Chat History' });
  await history.getByText('Rating: Bad').waitFor();
  await history.getByText('“Quick <b>and</b> kind”').waitFor();
  alice.assertClean();
});

test('"1–5 stars" in Team settings: five star buttons, a 4 shown as "Good ★4"', async () => {
  const shop = await customerShop(env, { name: 'Starry' });
  const ada = addAgent(env, { name: 'Ada', admin: true });
  const admin = await signIn(env, ada);
  const page = admin.page;
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('button', { name: 'Admin' }).click();
  const adminPage = page.getByRole('main', { name: 'Admin' });
  await adminPage.getByRole('tablist', { name: 'Admin sections' }).getByRole('tab', { name: 'Sites', selected: true }).waitFor();
  const card = adminPage.getByRole('article').filter({ has: page.getByRole('heading', { name: 'Starry' }) });
  await card.getByRole('button', { name: 'Team settings' }).click();
  const settings = card.getByRole('form', { name: 'Team settings' });
  assert.equal(await settings.getByRole('combobox', { name: 'Rating' }).inputValue(), 'thumbs', 'Good / Bad by default');
  await settings.getByRole('combobox', { name: 'Rating' }).selectOption({ label: '1–5 stars' });
  await settings.getByRole('button', { name: 'Save settings' }).click();
  await settings.getByText('Saved.').waitFor();
  const cookie = await env.fd.login(ada.email);
  const sites = await env.fd.api(cookie, '/api/admin/sites');
  assert.equal(sites.find((s) => s.key === shop.site.key).settings.rating, 'stars');

  const bob = await signIn(env, addAgent(env, { name: 'Bob', sites: [shop] }));
  const una = await openVisitor(env, shop, '/', { name: 'Una' });
  await una.requestChat();
  await takeChat(bob, una);
  await confirmEndChat(bob, 'Una');
  const form = ratingForm(una);
  await form.waitFor();
  for (const name of ['1 star', '2 stars', '3 stars', '4 stars', '5 stars']) {
    await form.getByRole('button', { name, exact: true }).waitFor();
  }
  assert.equal(await form.getByRole('button', { name: 'Good', exact: true }).count(), 0);
  await form.getByRole('button', { name: '4 stars' }).click();
  await form.getByRole('button', { name: 'Send rating' }).click();
  await widget(una).getByText('Thanks for your rating').waitFor();
  await bob.window('Una').locator('.cw-rating').getByText('Rating: Good ★4').waitFor();
  bob.assertClean();
  admin.assertClean();
});
