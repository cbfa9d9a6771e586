// #/containers/NAME — the container's details, its incidents and actions, the
// operator's buttons, and its live log.

import { get, post, segment } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { formatTime, shortId, tone } from '../format.js';
import { onLiveEvent } from '../live.js';
import { createLogPanel } from '../logs/log-panel.js';
import { createRefresher } from '../refresher.js';
import { buildRoute, incidentRoute } from '../router.js';
import { isOperator } from '../session.js';
import { badge, errorText, evidence, facts, notice } from '../widgets.js';
import { renderExamination } from './examination.js';
import { actionsTable, incidentsTable } from './tables.js';

// The recovery actions medic knows (src/heal/actions/), offered when a person picks one to run.
const knownActions = [
  'restart_container', 'recreate_container', 'stop_container', 'fix_redis_permissions', 'fix_postgres_permissions',
  'fix_volume_permissions', 'repair_redis_aof', 'quarantine_redis_rdb', 'reset_redis_data', 'remove_postgres_lock',
  'create_mount_source', 'find_alternative_port', 'stop_port_holder', 'remove_conflicting_container',
  'reconnect_network', 'cleanup_disk_space', 'free_memory', 'restart_docker_daemon',
];

/** Docker's RFC 3339 times ("0001-01-01T00:00:00Z" is never) as the UI shows times. */
const dockerTime = (text) => {
  const milliseconds = text && !text.startsWith('0001') ? Date.parse(text) : NaN;
  return Number.isNaN(milliseconds) ? null : formatTime(milliseconds);
};

export function mount(root, route) {
  const name = route.params.name;
  const openActionIds = new Set();
  const disclosures = { health: null, labels: false };
  let container = null;

  const header = h('div', { class: 'page-header' });
  const operations = h('div', { class: 'operations' });
  const result = h('div', { id: 'operation-result', 'aria-live': 'polite' });
  const problems = h('div', { class: 'refresh-error' });
  const details = h('section', { class: 'panel', id: 'details' });
  const incidents = h('section', { class: 'panel', id: 'container-incidents' });
  const actions = h('section', { class: 'panel', id: 'container-actions' });
  const examination = h('section', { class: 'panel', id: 'container-examination' });
  const logs = createLogPanel(name);

  replaceChildren(root,
    h('nav', { class: 'crumbs' }, link('/', 'Overview'), ' / ', name),
    header, operations, result, problems, details, logs.element, incidents, examination, actions);
  if (isOperator()) buildOperations();

  async function load() {
    try {
      container = await get(`/api/containers/${segment(name)}`);
      replaceChildren(problems);
      operations.hidden = false;
      logs.element.hidden = false;
      render();
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 404) {
        container = null;
        replaceChildren(problems, notice('error', `No container named “${name}”. `, link('/', 'Back to the overview')));
        for (const section of [header, details, incidents, examination, actions]) replaceChildren(section);
        operations.hidden = true;
        logs.element.hidden = true;
        return;
      }
      replaceChildren(problems, notice('error', container ? 'Could not refresh: ' : 'Could not load the container: ', errorText(error)));
    }
  }

  function render() {
    replaceChildren(header,
      h('h1', {}, container.name),
      badge(container.state), ' ',
      badge(container.health, container.health === 'none' ? 'neutral' : tone(container.health)), ' ',
      h('span', { class: 'muted' }, container.status || ''));
    operations.dataset.state = container.state;
    const startButton = operations.querySelector('#start');
    const stopButton = operations.querySelector('#stop');
    if (startButton) startButton.hidden = container.state === 'running';
    if (stopButton) stopButton.hidden = container.state !== 'running';
    renderDetails(details, container, disclosures);
    const containerIncidents = container.incidents || [];
    replaceChildren(incidents,
      h('h2', {}, 'Incidents'),
      containerIncidents.length ? h('div', { class: 'table-scroll' }, incidentsTable(containerIncidents, { showContainer: false })) :
        h('p', { class: 'empty' }, 'No incidents on this container.'),
      containerIncidents.length >= 50 ? link(buildRoute('/incidents', { state: 'all', container: name }), 'All incidents of this container →') : null);
    renderExamination(examination, container.examination || null, isOperator() ? examine : null);
    const containerActions = container.actions || [];
    replaceChildren(actions,
      h('h2', {}, 'Actions'),
      containerActions.length ?
        h('div', { class: 'table-scroll' }, actionsTable(containerActions, { showContainer: false, openIds: openActionIds })) :
        h('p', { class: 'empty' }, 'medic has taken no action on this container.'),
      containerActions.length >= 50 ? link(buildRoute('/recovery', { container: name }), 'All actions on this container →') : null);
  }

  function buildOperations() {
    const actionInput = h('input', {
      id: 'heal-action', list: 'known-actions', 'aria-label': 'Action to run (empty: the playbook of the open incident)',
      title: 'Empty: the playbook of the open incident. Or one action to run, journaled and verified.',
      autocomplete: 'off', spellcheck: 'false',
    });
    const stop = h('button', { type: 'button', id: 'stop', class: 'danger' }, 'Stop');
    let confirmTimer = null;
    stop.addEventListener('click', () => {
      if (!stop.classList.contains('confirming')) {
        stop.classList.add('confirming');
        stop.textContent = 'Confirm stop';
        confirmTimer = setTimeout(() => {
          stop.classList.remove('confirming');
          stop.textContent = 'Stop';
        }, 4000);
        return;
      }
      clearTimeout(confirmTimer);
      stop.classList.remove('confirming');
      stop.textContent = 'Stop';
      operate('stop', 'Stopping');
    });
    replaceChildren(operations,
      h('button', { type: 'button', id: 'start', on: { click: () => operate('start', 'Starting') } }, 'Start'),
      stop,
      h('button', { type: 'button', id: 'restart', on: { click: () => operate('restart', 'Restarting') } }, 'Restart'),
      h('span', { class: 'heal-group' },
        h('button', {
          type: 'button', id: 'heal', class: 'primary',
          on: { click: () => operate('heal', 'Healing', actionInput.value.trim() ? { action: actionInput.value.trim() } : undefined) },
        }, 'Heal'),
        h('label', { class: 'muted small', for: 'heal-action' }, 'with action'),
        actionInput,
        h('datalist', { id: 'known-actions' }, knownActions.map((action) => h('option', { value: action })))));
  }

  async function examine() {
    replaceChildren(result, notice('info', `Examining ${name}…`));
    try {
      const answer = await post(`/api/containers/${segment(name)}/examine`);
      const failed = (answer.checks || []).filter((check) => check.outcome === 'failed').length;
      replaceChildren(result, notice(failed ? 'warn' : 'ok', failed ? `${failed} checks failed` : 'All checks passed'));
    } catch (error) {
      replaceChildren(result, notice('error', `Examining failed: ${errorText(error)}`));
    } finally {
      refresher.now();
    }
  }

  async function operate(verb, doing, body) {
    const buttons = operations.querySelectorAll('button');
    buttons.forEach((button) => { button.disabled = true; });
    replaceChildren(result, notice('info', `${doing} ${name}…`));
    try {
      const answer = await post(`/api/containers/${segment(name)}/${verb}`, body);
      replaceChildren(result, operationNotice(verb, answer));
    } catch (error) {
      // A destructive or host action runs only when confirmed: the server says so, naming `confirm`.
      const confirmation = error.parameter === 'confirm' && body && !body.confirm ?
        h('button', {
          type: 'button', id: 'heal-confirm', class: 'danger',
          on: { click: () => operate(verb, doing, { ...body, confirm: true }) },
        }, `Run ${body.action} anyway`) : null;
      replaceChildren(result, notice(confirmation ? 'warn' : 'error', `${verb} failed: ${errorText(error)} `, confirmation));
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
      refresher.now();
    }
  }

  const refresher = createRefresher(load, { interval: 10000, debounceMs: 400 });
  const unsubscribe = onLiveEvent((kind, data) => {
    if (data && data.container === name) refresher.request();
  });

  return {
    destroy() {
      refresher.stop();
      unsubscribe();
      logs.destroy();
    },
  };
}

/**
 * What an operation answered: start/stop/restart say "done"; heal says how one
 * action went (with its evidence), or that the playbook of an incident now runs.
 */
function operationNotice(verb, answer) {
  if (verb !== 'heal') return notice('ok', `${answer.action || verb}: ${answer.result || 'done'}`);
  if (answer.state === 'healing') {
    return notice('info', answer.detail || 'The playbook runs.', ' ',
      answer.incident ? link(incidentRoute(answer.incident), `Follow incident #${answer.incident}`) : null);
  }
  return notice(answer.state === 'succeeded' ? 'ok' : 'error',
    `${answer.action}: ${answer.state}`, answer.detail ? ` — ${answer.detail}` : '',
    answer.evidence ? evidence('Evidence', answer.evidence) : null);
}

/** Draws the details; `disclosures` remembers which parts the user opened, across refreshes. */
function renderDetails(element, container, disclosures) {
  const ports = (container.ports || []).map((port) =>
    port.public_port ? `${port.ip || '0.0.0.0'}:${port.public_port} → ${port.private_port}/${port.protocol}` :
      `${port.private_port}/${port.protocol}`).join(', ');
  const labels = Object.entries(container.labels || {});
  const healthLog = (container.health_log || []).slice(-5).reverse();
  replaceChildren(element,
    h('h2', {}, 'Details'),
    facts([
      ['Image', h('span', { class: 'mono' }, container.image)],
      ['Id', h('span', { class: 'mono', title: container.id }, shortId(container.id))],
      ['Profile', container.profile],
      ['Created', formatTime(container.created)],
      ['Started', dockerTime(container.started_at)],
      ['Finished', container.state === 'running' ? null : dockerTime(container.finished_at)],
      ['Exit code', container.state === 'running' ? null : String(container.exit_code ?? '—')],
      ['Restarts', String(container.restart_count ?? 0)],
      ['Restart policy', container.restart_policy || 'no'],
      ['Ports', ports || null],
      ['Networks', (container.networks || []).join(', ') || null],
    ]),
    healthLog.length ? h('details', {
      class: 'disclosure', open: disclosures.health ?? container.health === 'unhealthy',
      on: { toggle: (event) => { disclosures.health = event.target.open; } },
    },
    h('summary', {}, `Health checks (last ${healthLog.length})`),
    healthLog.map((entry) => h('div', { class: 'health-entry' },
      badge(entry.exit_code === 0 ? 'passed' : `exit ${entry.exit_code}`, entry.exit_code === 0 ? 'ok' : 'error'), ' ',
      h('span', { class: 'muted small' }, entry.end || ''),
      evidence('Output', entry.output)))) : null,
    labels.length ? h('details', {
      class: 'disclosure', open: disclosures.labels,
      on: { toggle: (event) => { disclosures.labels = event.target.open; } },
    },
    h('summary', {}, `Labels (${labels.length})`),
    h('dl', { class: 'facts compact' }, labels.map(([key, value]) => [h('dt', { class: 'mono' }, key), h('dd', { class: 'mono' }, value)]))) : null);
}
