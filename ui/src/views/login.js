// #/login — sign in with the operator's or the viewer's token. The server
// answers with an HttpOnly session cookie; the token is not kept by the page.

import { h, replaceChildren } from '../dom.js';
import { login, role } from '../session.js';
import { errorText, notice } from '../widgets.js';

export function mount(root, route, { afterLogin }) {
  const token = h('input', {
    type: 'password', id: 'token', name: 'token', required: true, autocomplete: 'current-password',
    spellcheck: 'false', 'aria-describedby': 'token-help',
  });
  const button = h('button', { type: 'submit', id: 'login', class: 'primary' }, 'Sign in');
  const message = h('div', { id: 'login-message', 'aria-live': 'polite' });

  const form = h('form', { class: 'login-form', on: { submit } },
    h('h1', {}, 'Sign in to medic'),
    role() ? notice('info', `You are signed in as ${role()}. A new token replaces that session.`) : null,
    h('label', { for: 'token' }, 'API token'),
    token,
    h('p', { class: 'muted small', id: 'token-help' },
      'The operator token is in ', h('code', {}, 'DATA_DIR/api-token'),
      ', the read-only viewer token in ', h('code', {}, 'DATA_DIR/api-viewer-token'), '.'),
    button,
    message);

  async function submit(event) {
    event.preventDefault();
    if (!token.value.trim()) return;
    button.disabled = true;
    replaceChildren(message);
    try {
      await login(token.value.trim());
      token.value = '';
      afterLogin();
    } catch (error) {
      replaceChildren(message, notice('error', error.status === 401 ? 'That token is not valid.' : errorText(error)));
      token.select();
    } finally {
      button.disabled = false;
    }
  }

  replaceChildren(root, h('div', { class: 'login-page' }, form));
  token.focus();
  return { destroy() {} };
}
