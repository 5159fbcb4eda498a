// The sign-in form (POST /api/auth/login). Errors go to one role="alert" paragraph.

import { h, field, text } from '../dom.js';
import { auth } from '../api.js';

/**
 * renderSignin(root, {onSignedIn(me), notice}) — `notice` explains why we are here
 * (e.g. the session ended).
 */
export function renderSignin(root, { onSignedIn, notice = '' }) {
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
  const alert = h('p', { role: 'alert', class: 'form-error' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Sign in');
  const form = h('form', { class: 'signin-form', novalidate: true },
    field('Email', email).wrap,
    field('Password', password).wrap,
    alert,
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    text(alert, '');
    if (!email.value.trim() || !password.value) {
      text(alert, 'Please enter your email and password.');
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    try {
      const who = await auth.login(email.value.trim(), password.value);
      password.value = '';
      await onSignedIn(who);
    } catch (err) {
      text(alert, err.code === 'bad_credentials' || err.status === 401 ? 'Wrong email or password.' : err.message);
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });

  root.replaceChildren(h('main', { class: 'signin' },
    h('div', { class: 'signin-card' },
      h('h1', null, 'Frontdesk Console'),
      notice ? h('p', { class: 'notice' }, notice) : null,
      form)));
  email.focus();
}
