// Admin → Sites → a site's "Identity secret" section (verified visitor identity,
// docs/integrations.md "Verified identity"): "Rotate identity secret" shows the new secret ONCE
// (the server never returns it again), and "Require verified identity" (a site setting).

import { h, text, field } from '../dom.js';
import { admin as adminApi } from '../api.js';
import { toast } from '../ui/toast.js';
import { statusLine, copyText } from './common.js';
import { dateTime } from '../format.js';

/** The section for `site` (its `settings` object is updated in place when saved). */
export function identitySection(site) {
  const id = site.id ?? site.site_id;
  const status = statusLine();
  const shown = h('div', { class: 'identity-secret', hidden: true });
  const rotate = h('button', { type: 'button', class: 'btn btn-small' }, 'Rotate identity secret');
  rotate.addEventListener('click', async () => {
    rotate.disabled = true;
    text(status, '');
    try {
      const r = await adminApi.rotateIdentitySecret(id);
      const code = h('code', { 'aria-label': 'New identity secret' }, r.secret);
      const copy = h('button', { type: 'button', class: 'btn btn-small' }, 'Copy secret');
      copy.addEventListener('click', async () => {
        const ok = await copyText(r.secret, code);
        toast(ok ? 'Identity secret copied.' : 'Could not copy: select the secret and copy it by hand.');
      });
      shown.replaceChildren(
        h('p', null, 'New identity secret (shown only now: copy it into your site’s server):'),
        h('pre', { class: 'snippet' }, code), copy,
        h('p', { class: 'hint' }, `Hashes made with the previous secret, if any, stay valid until ${dateTime(r.previous_valid_until)}.`));
      shown.hidden = false;
      toast('Identity secret rotated.');
    } catch (err) {
      text(status, err.message);
    } finally {
      rotate.disabled = false;
    }
  });

  const require = h('input', { type: 'checkbox', checked: !!site.settings?.identity?.require_verified });
  const requireField = field('Require verified identity', require,
    'On: a name, email or attributes without a valid hash are ignored (the visitor stays anonymous). Off: they are kept and shown as “Unverified”.');
  requireField.wrap.classList.add('field-inline');
  require.addEventListener('change', async () => {
    const on = require.checked;
    require.disabled = true;
    text(status, '');
    try {
      const identity = { ...(site.settings?.identity || {}), require_verified: on };
      const saved = await adminApi.siteSettings(id, { ...(site.settings || {}), identity });
      if (saved && saved.settings) site.settings = saved.settings;
      toast(on ? 'Verified identity required.' : 'Unverified identity accepted.');
    } catch (err) {
      require.checked = !on;
      text(status, err.message);
    } finally {
      require.disabled = false;
    }
  });

  return h('section', { class: 'identity-settings', 'aria-label': 'Identity secret' },
    h('h4', null, 'Identity secret'),
    h('p', { class: 'hint' }, 'Your site’s server signs a signed-in customer’s id with this secret (HMAC-SHA256) so that agents see who they really are. It is shown once, when made.'),
    h('div', { class: 'form-actions' }, rotate),
    shown, requireField.wrap, status);
}
