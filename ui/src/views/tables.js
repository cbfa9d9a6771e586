// The incidents and actions tables the container, incidents and recovery pages share.

import { h, link } from '../dom.js';
import { actionDuration, formatAgo, formatTime } from '../format.js';
import { containerRoute, incidentRoute } from '../router.js';
import { stripAnsi } from '../logs/strip-ansi.js';
import { actionBadge, badge, evidence } from '../widgets.js';

/** A table of incidents; `showContainer` adds the container column. */
export function incidentsTable(incidents, { showContainer = true } = {}) {
  return h('table', { class: 'table incidents' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Incident'),
      showContainer ? h('th', { scope: 'col' }, 'Container') : null,
      h('th', { scope: 'col' }, 'Type'),
      h('th', { scope: 'col' }, 'Severity'),
      h('th', { scope: 'col' }, 'State'),
      h('th', { scope: 'col', class: 'number' }, 'Count'),
      h('th', { scope: 'col' }, 'First seen'),
      h('th', { scope: 'col' }, 'Last seen'),
      h('th', { scope: 'col' }, 'Message'))),
    h('tbody', {}, incidents.map((incident) => h('tr', { dataset: { incident: incident.id } },
      h('td', {}, link(incidentRoute(incident.id), `#${incident.id}`)),
      showContainer ? h('td', {}, link(containerRoute(incident.container), incident.container)) : null,
      h('td', { class: 'mono' }, incident.type),
      h('td', {}, badge(incident.severity)),
      h('td', {}, badge(incident.state)),
      h('td', { class: 'number' }, String(incident.count)),
      h('td', { title: formatTime(incident.first_seen) }, formatAgo(incident.first_seen)),
      h('td', { title: formatTime(incident.last_seen) }, formatAgo(incident.last_seen)),
      h('td', { class: 'mono ellipsis message', title: stripAnsi(incident.message) }, stripAnsi(incident.message))))));
}

/**
 * A table of actions; each row opens to show its detail and evidence.
 * `openIds` (a Set) keeps rows open across refreshes.
 */
export function actionsTable(actions, { showContainer = true, openIds = new Set() } = {}) {
  return h('table', { class: 'table actions' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Action'),
      showContainer ? h('th', { scope: 'col' }, 'Container') : null,
      h('th', { scope: 'col' }, 'State'),
      h('th', { scope: 'col' }, 'Safety'),
      h('th', { scope: 'col' }, 'Incident'),
      h('th', { scope: 'col' }, 'Started'),
      h('th', { scope: 'col' }, 'Took'),
      h('th', { scope: 'col' }, 'Detail'))),
    h('tbody', {}, actions.map((action) => actionRow(action, showContainer, openIds))));
}

function actionRow(action, showContainer, openIds) {
  const hasEvidence = Boolean(action.before || action.after || action.detail);
  const body = hasEvidence ? h('details', {
    open: openIds.has(action.id),
    on: { toggle: (event) => (event.target.open ? openIds.add(action.id) : openIds.delete(action.id)) },
  },
  h('summary', { class: 'ellipsis' }, action.detail || 'evidence'),
  action.detail ? h('p', { class: 'detail' }, action.detail) : null,
  h('div', { class: 'evidence-pair' }, evidence('Before', action.before), evidence('After', action.after))) :
    h('span', { class: 'muted' }, '—');
  return h('tr', { dataset: { actionId: action.id } },
    h('td', { class: 'mono' }, action.action, action.dry_run ? h('span', { class: 'tag' }, 'dry run') : null),
    showContainer ? h('td', {}, link(containerRoute(action.container), action.container)) : null,
    h('td', {}, actionBadge(action.state)),
    h('td', {}, h('span', { class: `safety ${action.safety}` }, action.safety)),
    h('td', {}, action.incident_id ? link(incidentRoute(action.incident_id), `#${action.incident_id}`) : h('span', { class: 'muted' }, '—')),
    h('td', { title: formatTime(action.started_at) }, formatAgo(action.started_at)),
    h('td', {}, actionDuration(action)),
    h('td', { class: 'detail-cell' }, body));
}
