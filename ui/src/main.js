// medic's web UI: the header, the hash router and the session. Each page is a
// module in views/ with `mount(root, route, context)` returning { destroy }.

import 'uplot/dist/uPlot.min.css';
import './styles.css';

import { onUnauthorized } from './api.js';
import { h, link, replaceChildren, setText } from './dom.js';
import { onLiveStatus, startLive, stopLive } from './live.js';
import { parseRoute } from './router.js';
import { forget, loadSession, logout, onRoleChange, role } from './session.js';
import { errorText, notice } from './widgets.js';
import * as container from './views/container.js';
import * as incident from './views/incident.js';
import * as incidents from './views/incidents.js';
import * as loginView from './views/login.js';
import * as overview from './views/overview.js';
import * as recovery from './views/recovery.js';

const views = { overview, container, incidents, incident, recovery, login: loginView };
const navigationOf = { overview: 'overview', container: 'overview', incidents: 'incidents', incident: 'incidents', recovery: 'recovery' };

let current = null;
let returnTo = '#/';
let liveRetry = null;

const main = h('main', { id: 'app', tabindex: '-1' });
const navigation = h('nav', { class: 'navigation', 'aria-label': 'Pages' },
  link('/', 'Overview', { dataset: { nav: 'overview' } }),
  link('/incidents', 'Incidents', { dataset: { nav: 'incidents' } }),
  link('/recovery', 'Recovery', { dataset: { nav: 'recovery' } }));
const liveIndicator = h('span', { id: 'live-status', class: 'live off', title: 'Live updates' }, 'offline');
const roleBadge = h('span', { id: 'role', class: 'role' });
const logoutButton = h('button', { type: 'button', id: 'logout', class: 'quiet', on: { click: signOut } }, 'Sign out');
const account = h('div', { class: 'account' }, liveIndicator, roleBadge, logoutButton);

function showRole(next) {
  navigation.hidden = !next;
  account.hidden = !next;
  setText(roleBadge, next || '');
  roleBadge.className = `role ${next || ''}`;
  roleBadge.title = next === 'viewer' ? 'Read only: the viewer token cannot restart, heal or resolve' : '';
  document.body.dataset.role = next || '';
}

onLiveStatus((status) => {
  liveIndicator.className = `live ${status}`;
  setText(liveIndicator, { live: 'live', connecting: 'connecting…', reconnecting: 'reconnecting…', off: 'offline' }[status] || status);
});

onRoleChange((next) => {
  showRole(next);
  if (!next) stopLive();
});

onUnauthorized(() => {
  if (!role()) return;
  forget();
  showLogin();
});

function showLogin() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/login')) returnTo = hash;
  if (location.hash !== '#/login') location.hash = '#/login';
  else render();
}

function startLiveUpdates() {
  clearTimeout(liveRetry);
  // When the browser gives up on the stream, the session may have ended: check,
  // then try again after a pause (the server may have restarted).
  startLive(async () => {
    try {
      if (await loadSession()) liveRetry = setTimeout(startLiveUpdates, 5000);
      else showLogin();
    } catch {
      liveRetry = setTimeout(startLiveUpdates, 5000);
    }
  });
}

async function signOut() {
  try {
    await logout();
  } finally {
    returnTo = '#/';
    location.hash = '#/login';
  }
}

function navigate(route) {
  location.hash = `#${route}`;
}

function afterLogin() {
  startLiveUpdates();
  const target = returnTo && !returnTo.startsWith('#/login') ? returnTo : '#/';
  returnTo = '#/';
  if (location.hash === target) render();
  else location.hash = target;
}

function render() {
  const route = parseRoute(location.hash);
  if (route.view !== 'login' && !role()) {
    showLogin();
    return;
  }
  current?.destroy();
  current = null;
  for (const item of navigation.querySelectorAll('a')) {
    const active = item.dataset.nav === navigationOf[route.view];
    item.classList.toggle('active', active);
    if (active) item.setAttribute('aria-current', 'page');
    else item.removeAttribute('aria-current');
  }
  const view = views[route.view];
  document.title = route.view === 'container' ? `${route.params.name} · medic` :
    route.view === 'incident' ? `Incident #${route.params.id} · medic` : 'medic';
  if (!view) {
    replaceChildren(main, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ', link('/', 'Back to the overview')));
    return;
  }
  current = view.mount(main, route, { navigate, afterLogin });
}

async function boot() {
  document.body.append(
    h('header', { class: 'top' },
      h('a', { href: '#/', class: 'brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '+'), 'medic'),
      navigation,
      account),
    main);
  showRole(null);
  replaceChildren(main, h('p', { class: 'muted' }, 'Loading…'));
  let signedIn;
  try {
    signedIn = await loadSession();
  } catch (error) {
    replaceChildren(main, notice('error', 'medic did not answer: ', errorText(error), ' ',
      h('button', { type: 'button', on: { click: () => location.reload() } }, 'Try again')));
    return;
  }
  window.addEventListener('hashchange', render);
  if (signedIn) startLiveUpdates();
  render();
}

boot();
