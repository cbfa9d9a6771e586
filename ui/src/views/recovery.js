// #/recovery — what medic did and how well it worked: totals, errors by type
// per hour, actions per hour with their success rate, the success rate per
// action and per error type, and the journal of actions a page at a time.

import { get } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { errorsByHour, rateRows, recoveryByHour } from '../chart-data.js';
import { stackedBarChart } from '../charts.js';
import { formatCount, formatDuration, formatPercent } from '../format.js';
import { onLiveEvent } from '../live.js';
import { createRefresher } from '../refresher.js';
import { buildRoute } from '../router.js';
import { errorText, notice, pageNumber, pagination } from '../widgets.js';
import { actionsTable } from './tables.js';

const perPage = 50;
const actionStates = ['', 'succeeded', 'failed', 'running', 'planned', 'skipped', 'interrupted'];

export function mount(root, route, { navigate }) {
  const query = { container: route.query.container || '', action: route.query.action || '', state: route.query.state || '' };
  const page = pageNumber(route.query.page);
  const openActionIds = new Set();
  const charts = {};

  const cards = h('section', { class: 'summary', id: 'recovery-summary' });
  const statsProblems = h('div', { class: 'refresh-error' });
  const errorsChart = h('div', { class: 'chart', id: 'chart-errors' });
  const recoveryChart = h('div', { class: 'chart', id: 'chart-recovery' });
  const byAction = h('div', { id: 'by-action' });
  const byType = h('div', { id: 'by-type' });
  const journal = h('div', { id: 'recovery-actions' }, h('p', { class: 'muted' }, 'Loading…'));
  const journalProblems = h('div', { class: 'refresh-error' });

  const containerInput = h('input', { type: 'search', id: 'recovery-container', value: query.container });
  const actionInput = h('input', { type: 'search', id: 'recovery-action', value: query.action, spellcheck: 'false' });
  const stateSelect = h('select', { id: 'recovery-state' },
    actionStates.map((state) => h('option', { value: state }, state || 'any state')));
  stateSelect.value = query.state;
  const apply = () => navigate(buildRoute('/recovery', {
    container: containerInput.value.trim(), action: actionInput.value.trim(), state: stateSelect.value,
  }));
  stateSelect.addEventListener('change', apply);

  replaceChildren(root,
    h('h1', {}, 'Recovery'),
    statsProblems,
    cards,
    h('div', { class: 'chart-grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Errors by type, per hour'), h('p', { class: 'muted small' }, 'Last 48 hours.'), errorsChart),
      h('section', { class: 'panel' }, h('h2', {}, 'Recovery actions, per hour'),
        h('p', { class: 'muted small' }, 'Succeeded and failed actions, and the success rate of each hour.'), recoveryChart)),
    h('div', { class: 'chart-grid' },
      h('section', { class: 'panel' }, h('h2', {}, 'Success rate by action'), byAction),
      h('section', { class: 'panel' }, h('h2', {}, 'Success rate by error type'), byType)),
    h('section', { class: 'panel' },
      h('h2', {}, 'Actions'),
      h('form', { class: 'table-tools', on: { submit: (event) => { event.preventDefault(); apply(); } } },
        h('label', {}, 'Container ', containerInput),
        h('label', {}, 'Action ', actionInput),
        h('label', {}, 'State ', stateSelect),
        h('button', { type: 'submit' }, 'Apply')),
      journalProblems,
      journal));

  let statsLoaded = false;
  async function loadStats() {
    try {
      const [errors, recovery] = await Promise.all([get('/api/docker/errors/stats'), get('/api/docker/recovery/stats')]);
      statsLoaded = true;
      replaceChildren(statsProblems);
      renderCards(cards, errors, recovery);
      showChart('errors', errorsChart, errorsByHour(errors), 'No errors in the last 48 hours.');
      showChart('recovery', recoveryChart, recoveryByHour(recovery), 'No actions in the last 48 hours.');
      replaceChildren(byAction, rateTable(rateRows(recovery.by_action), 'Action'));
      replaceChildren(byType, rateTable(rateRows(recovery.by_type), 'Error type'));
    } catch (error) {
      if (error.status === 401) return;
      replaceChildren(statsProblems, notice('error', statsLoaded ? 'Could not refresh the statistics: ' : 'Could not load the statistics: ', errorText(error)));
    }
  }

  function showChart(key, element, data, emptyText) {
    const hasData = data.series.some((series) => series.values.some((value) => value > 0));
    if (!hasData) {
      charts[key]?.destroy();
      delete charts[key];
      replaceChildren(element, h('p', { class: 'empty' }, emptyText));
      return;
    }
    if (charts[key]) {
      charts[key].update(data);
    } else {
      replaceChildren(element);
      charts[key] = stackedBarChart(element, data);
    }
  }

  let journalLoaded = false;
  async function loadJournal() {
    try {
      const answer = await get('/api/docker/recovery', { ...query, page, per_page: perPage });
      journalLoaded = true;
      replaceChildren(journalProblems);
      const actions = answer.actions || [];
      replaceChildren(journal,
        actions.length ? h('div', { class: 'table-scroll' }, actionsTable(actions, { openIds: openActionIds })) :
          h('p', { class: 'empty' }, 'No actions match.'),
        answer.total > 0 ? pagination(answer, '/recovery', query) : null);
    } catch (error) {
      if (error.status === 401) return;
      replaceChildren(journalProblems, notice('error', journalLoaded ? 'Could not refresh: ' : 'Could not load the actions: ', errorText(error)));
    }
  }

  const statsRefresher = createRefresher(loadStats, { interval: 30000, debounceMs: 2000 });
  const journalRefresher = createRefresher(loadJournal, { interval: 15000, debounceMs: 600 });
  const unsubscribe = onLiveEvent((kind) => {
    if (kind === 'action') journalRefresher.request();
    statsRefresher.request();
  });

  return {
    destroy() {
      statsRefresher.stop();
      journalRefresher.stop();
      unsubscribe();
      for (const chart of Object.values(charts)) chart.destroy();
    },
  };
}

function renderCards(element, errors, recovery) {
  const trend = errors.trend || {};
  const card = (label, value, colour = 'neutral', id = null) => h('div', { class: `status-card count-${colour}`, id },
    h('div', { class: 'label' }, label), h('div', { class: 'value number' }, value));
  const rate = recovery.success_rate;
  replaceChildren(element,
    card('Actions', formatCount(recovery.total)),
    card('Succeeded', formatCount(recovery.succeeded), 'neutral'),
    card('Failed', formatCount(recovery.failed), recovery.failed ? 'error' : 'neutral'),
    card('Success rate', formatPercent(rate), rate === null || rate === undefined ? 'neutral' : rate >= 0.9 ? 'ok' : rate >= 0.6 ? 'warn' : 'error', 'success-rate'),
    card('Mean time to recover', formatDuration(recovery.mean_time_to_recover_ms)),
    card('Mean time to detect', formatDuration(errors.mean_time_to_detect_ms)),
    card('Findings, last 24 h', `${formatCount(trend.last_24h)}`, 'neutral'),
    card('Previous 24 h', `${formatCount(trend.previous_24h)}`, 'neutral'));
}

function rateTable(rows, label) {
  if (rows.length === 0) return h('p', { class: 'empty' }, 'No actions yet.');
  return h('table', { class: 'table rates' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, label),
      h('th', { scope: 'col', class: 'number' }, 'Total'),
      h('th', { scope: 'col', class: 'number' }, 'Succeeded'),
      h('th', { scope: 'col', class: 'number' }, 'Failed'),
      h('th', { scope: 'col' }, 'Success rate'))),
    h('tbody', {}, rows.map((row) => h('tr', { dataset: { name: row.name } },
      h('td', { class: 'mono' }, row.name),
      h('td', { class: 'number' }, formatCount(row.total)),
      h('td', { class: 'number' }, formatCount(row.succeeded)),
      h('td', { class: 'number' }, formatCount(row.failed)),
      h('td', {}, rateBar(row.rate))))));
}

function rateBar(rate) {
  if (rate === null || rate === undefined) return h('span', { class: 'muted' }, '—');
  const colour = rate >= 0.9 ? 'ok' : rate >= 0.6 ? 'warn' : 'error';
  const bar = h('span', { class: `rate-bar ${colour}` });
  bar.style.width = `${Math.round(rate * 100)}%`;
  return h('span', { class: 'rate' }, h('span', { class: 'rate-track' }, bar), h('span', { class: 'number' }, formatPercent(rate)));
}
