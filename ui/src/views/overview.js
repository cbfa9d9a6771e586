// #/ — every container with its state, health, open incidents and last action,
// the overall status and the daemon on top. The table is keyed by container
// name and updated in place: a refresh changes only the cells that changed.

import { get } from '../api.js';
import { h, link, replaceChildren, setText } from '../dom.js';
import { actionTone, formatAgo, formatCount, formatTime, tone } from '../format.js';
import { onLiveEvent } from '../live.js';
import { createRefresher } from '../refresher.js';
import { buildRoute, containerRoute, incidentRoute } from '../router.js';
import { stripAnsi } from '../logs/strip-ansi.js';
import { badge, errorText, notice, setBadge } from '../widgets.js';
import { filterContainers, needsAttention, sortContainers } from './overview-model.js';

// Kept while the app runs, so coming back to the overview keeps the filter and sort.
const preferences = { filter: '', attentionOnly: false, sortKey: 'state', direction: 1 };

const columns = [
  { key: 'name', label: 'Name', name: 'name' },
  { key: 'image', label: 'Image', name: 'image' },
  { key: 'state', label: 'State', name: 'state' },
  { key: 'health', label: 'Health', name: 'health' },
  { key: null, label: 'Status', name: 'status' },
  { key: 'incidents', label: 'Open incidents', name: 'incidents', numeric: true },
  { key: 'action', label: 'Last action', name: 'action' },
];

export function mount(root) {
  let containers = [];
  let lastHealth = null;
  const rows = new Map();

  const summary = h('section', { class: 'summary', id: 'summary', 'aria-live': 'polite' });
  const problems = h('div', { class: 'refresh-error' });
  const openIncidents = h('section', { class: 'panel', id: 'open-incidents', hidden: true });
  const filterInput = h('input', {
    type: 'search', id: 'filter', title: 'Filter containers (press / to get here)', 'aria-keyshortcuts': '/',
    value: preferences.filter, autocomplete: 'off',
  });
  const attentionBox = h('input', { type: 'checkbox', id: 'attention-only', checked: preferences.attentionOnly });
  const shownCount = h('span', { class: 'muted', id: 'shown-count' });
  const headers = columns.map((column) => column.key ?
    h('th', { scope: 'col', class: column.numeric ? 'number' : null, dataset: { sort: column.key } },
      h('button', { type: 'button', class: 'sort', on: { click: () => sortBy(column.key) } }, column.label)) :
    h('th', { scope: 'col' }, column.label));
  const tbody = h('tbody');
  const table = h('table', { class: 'table containers', id: 'containers' },
    h('colgroup', {}, columns.map((column) => h('col', { class: column.name }))),
    h('thead', {}, h('tr', {}, headers)), tbody);
  const empty = h('p', { class: 'empty', hidden: true });

  replaceChildren(root,
    h('h1', {}, 'Overview'),
    problems,
    summary,
    openIncidents,
    h('section', { class: 'panel' },
      h('div', { class: 'table-tools' },
        h('label', { for: 'filter' }, 'Filter'),
        filterInput,
        h('label', { class: 'check' }, attentionBox, ' Needs attention only'),
        shownCount),
      h('div', { class: 'table-scroll' }, table),
      empty));

  filterInput.addEventListener('input', () => {
    preferences.filter = filterInput.value;
    arrange();
  });
  attentionBox.addEventListener('change', () => {
    preferences.attentionOnly = attentionBox.checked;
    arrange();
  });
  const onKey = (event) => {
    if (event.key === '/' && document.activeElement?.tagName !== 'INPUT' && document.activeElement?.tagName !== 'TEXTAREA') {
      event.preventDefault();
      filterInput.focus();
    }
  };
  document.addEventListener('keydown', onKey);

  function sortBy(key) {
    if (preferences.sortKey === key) preferences.direction = -preferences.direction;
    else {
      preferences.sortKey = key;
      preferences.direction = 1;
    }
    arrange();
  }

  async function load() {
    try {
      const health = await get('/api/docker/health');
      lastHealth = health;
      containers = health.containers || [];
      replaceChildren(problems);
      renderSummary(summary, health);
      renderOpenIncidents(openIncidents, health.open_incidents || []);
      updateRows();
      arrange();
    } catch (error) {
      if (error.status === 401) return;
      replaceChildren(problems, notice('error', lastHealth ? 'Could not refresh: ' : 'Could not load the overview: ', errorText(error)));
    }
  }

  function updateRows() {
    const now = Date.now();
    const seen = new Set();
    for (const container of containers) {
      seen.add(container.name);
      let row = rows.get(container.name);
      if (!row) {
        row = createRow(container.name);
        rows.set(container.name, row);
      }
      updateRow(row, container, now);
    }
    for (const [name, row] of rows) {
      if (seen.has(name)) continue;
      row.remove();
      rows.delete(name);
    }
  }

  // Puts the rows that pass the filter in sorted order, moving only those out of place.
  function arrange() {
    for (const header of headers) {
      const key = header.dataset.sort;
      if (!key) continue;
      header.setAttribute('aria-sort', key === preferences.sortKey ? (preferences.direction === 1 ? 'ascending' : 'descending') : 'none');
    }
    const wanted = sortContainers(filterContainers(containers, preferences.filter, preferences.attentionOnly),
      preferences.sortKey, preferences.direction);
    let cursor = tbody.firstChild;
    for (const container of wanted) {
      const row = rows.get(container.name);
      if (row === cursor) cursor = cursor.nextSibling;
      else tbody.insertBefore(row, cursor);
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
    setText(shownCount, `${formatCount(wanted.length)} of ${formatCount(containers.length)} containers`);
    empty.hidden = wanted.length > 0;
    setText(empty, containers.length === 0 ? 'No containers.' : 'No container matches the filter.');
  }

  const refresher = createRefresher(load, { interval: 10000, debounceMs: 500 });
  const unsubscribe = onLiveEvent(() => refresher.request());

  return {
    destroy() {
      refresher.stop();
      unsubscribe();
      document.removeEventListener('keydown', onKey);
    },
  };
}

function createRow(name) {
  const cells = {
    name: h('td', { class: 'name' }, link(containerRoute(name), name)),
    image: h('td', { class: 'muted mono ellipsis' }),
    state: h('td', {}, badge('')),
    health: h('td', {}, badge('')),
    status: h('td', { class: 'muted' }),
    incidents: h('td', { class: 'number' }),
    action: h('td', { class: 'last-action' }),
  };
  const row = h('tr', { dataset: { container: name } }, Object.values(cells));
  row.parts = cells;
  row.actionKey = '';
  return row;
}

function updateRow(row, container, now) {
  const cells = row.parts;
  setText(cells.image, container.image || '');
  cells.image.title = container.image || '';
  setBadge(cells.state.firstChild, container.state);
  setBadge(cells.health.firstChild, container.health, container.health === 'none' ? 'neutral' : tone(container.health));
  setText(cells.status, container.status || '');
  row.classList.toggle('attention', needsAttention(container));

  const open = container.open_incidents || 0;
  const incidentsKey = String(open);
  if (row.incidentsKey !== incidentsKey) {
    row.incidentsKey = incidentsKey;
    replaceChildren(cells.incidents, open > 0 ?
      link(buildRoute('/incidents', { container: container.name }), String(open), { class: 'badge error' }) :
      h('span', { class: 'muted' }, '0'));
  }

  const action = container.last_action;
  const actionKey = action ? `${action.id}:${action.state}` : '';
  if (row.actionKey !== actionKey) {
    row.actionKey = actionKey;
    replaceChildren(cells.action, action ?
      [h('span', { class: 'mono' }, action.action), ' ', badge(action.state, actionTone(action.state)), ' ', h('span', { class: 'muted ago' })] :
      h('span', { class: 'muted' }, '—'));
  }
  if (action) {
    const ago = cells.action.querySelector('.ago');
    setText(ago, formatAgo(action.started_at, now));
    ago.title = formatTime(action.started_at);
  }
}

function renderSummary(element, health) {
  const counts = health.counts || {};
  const daemon = health.daemon || {};
  const daemonText = daemon.reachable ?
    `Docker ${daemon.version || '?'} · API ${daemon.api_version || '?'}` : 'unreachable';
  replaceChildren(element,
    h('div', { class: `status-card status-${tone(health.status)}`, id: 'overall-status' },
      h('div', { class: 'label' }, 'Overall'),
      h('div', { class: 'value' }, badge(health.status))),
    h('div', { class: 'status-card', id: 'daemon-status' },
      h('div', { class: 'label' }, 'Docker daemon'),
      h('div', { class: 'value' }, badge(daemon.reachable ? 'connected' : 'unreachable'), ' ', h('span', { class: 'muted' }, daemonText)),
      daemon.endpoint ? h('div', { class: 'muted mono small ellipsis', title: daemon.endpoint }, daemon.endpoint) : null),
    count('Containers', counts.containers, 'neutral'),
    count('Running', counts.running, 'neutral'),
    count('Unhealthy', counts.unhealthy, counts.unhealthy ? 'error' : 'neutral'),
    count('Open incidents', counts.open_incidents, counts.open_incidents ? 'warn' : 'neutral'),
    count('Escalated', counts.escalated, counts.escalated ? 'error' : 'neutral'),
    h('div', { class: 'muted small generated' }, `Updated ${formatTime(health.generated_at)}`));
}

function count(label, value, colour) {
  return h('div', { class: `status-card count-${colour}` },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value number' }, formatCount(value)));
}

function renderOpenIncidents(element, incidents) {
  element.hidden = incidents.length === 0;
  if (incidents.length === 0) return;
  const shown = incidents.slice(0, 6);
  replaceChildren(element,
    h('h2', {}, 'Open incidents'),
    h('ul', { class: 'incident-list' },
      shown.map((incident) => h('li', {},
        badge(incident.state), ' ',
        link(incidentRoute(incident.id), `#${incident.id} ${incident.type}`), ' on ',
        link(containerRoute(incident.container), incident.container), ' ',
        h('span', { class: 'muted nowrap' }, `· ${incident.count}× · last seen ${formatAgo(incident.last_seen)}`),
        incident.message ? h('span', { class: 'muted mono small incident-message', title: stripAnsi(incident.message) }, stripAnsi(incident.message)) : null))),
    incidents.length > shown.length ?
      link(buildRoute('/incidents', { state: 'open' }), `All ${incidents.length} open incidents →`) : null);
}
