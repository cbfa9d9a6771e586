// The timeline of an incident: its findings and the actions taken on it, merged
// by time (oldest first), each with its evidence. Pure merge in `timelineEntries`
// (tested in test/timeline.test.js); DOM in `timeline`.

import { h } from '../dom.js';
import { actionDuration, formatTime } from '../format.js';
import { ansiToHtml } from '../logs/ansi.js';
import { actionBadge, badge, contextFacts, evidence } from '../widgets.js';

/** The time an action belongs at: when it started, or ended when it never started. */
const actionTime = (action) => action.started_at || action.ended_at || 0;

/**
 * Findings and actions as one list sorted by time: [{kind, time, item}].
 * At equal times a finding comes before an action (it caused it), then by id.
 */
export function timelineEntries(findings = [], actions = []) {
  const entries = [
    ...findings.map((item) => ({ kind: 'finding', time: item.seen_at || item.signal_time || 0, item })),
    ...actions.map((item) => ({ kind: 'action', time: actionTime(item), item })),
  ];
  return entries.sort((a, b) => a.time - b.time || (a.kind === b.kind ? a.item.id - b.item.id : a.kind === 'finding' ? -1 : 1));
}

/** The #timeline list. */
export function timeline(findings, actions) {
  const entries = timelineEntries(findings, actions);
  if (entries.length === 0) return h('p', { class: 'empty', id: 'timeline' }, 'Nothing recorded yet.');
  return h('ol', { class: 'timeline', id: 'timeline' },
    entries.map((entry) => (entry.kind === 'finding' ? findingItem(entry.item) : actionItem(entry.item))));
}

function findingItem(finding) {
  const text = h('pre', { class: 'log-excerpt' });
  text.innerHTML = ansiToHtml(finding.text || '');
  return h('li', { class: 'timeline-item finding', dataset: { kind: 'finding', id: finding.id } },
    h('div', { class: 'timeline-time' }, formatTime(finding.seen_at)),
    h('div', { class: 'timeline-body' },
      h('div', { class: 'timeline-title' },
        h('span', { class: 'kind' }, 'Finding'), ' ',
        h('span', { class: 'mono' }, finding.type), ' ', badge(finding.severity), ' ',
        h('span', { class: 'muted small' }, `via ${finding.channel}${finding.rule ? ` · rule ${finding.rule}` : ''}`)),
      text,
      contextFacts(finding.context)));
}

function actionItem(action) {
  const attempt = [action.step !== undefined ? `step ${action.step + 1}` : null, action.attempt ? `attempt ${action.attempt}` : null]
    .filter(Boolean).join(' · ');
  return h('li', { class: `timeline-item action ${action.state}`, dataset: { kind: 'action', id: action.id } },
    h('div', { class: 'timeline-time' }, formatTime(actionTime(action))),
    h('div', { class: 'timeline-body' },
      h('div', { class: 'timeline-title' },
        h('span', { class: 'kind' }, 'Action'), ' ',
        h('span', { class: 'mono' }, action.action), ' ', actionBadge(action.state), ' ',
        h('span', { class: `safety ${action.safety}` }, action.safety),
        action.dry_run ? h('span', { class: 'tag' }, 'dry run') : null, ' ',
        h('span', { class: 'muted small' }, `${attempt} · took ${actionDuration(action)}`)),
      action.detail ? h('p', { class: 'detail' }, action.detail) : null,
      h('div', { class: 'evidence-pair' }, evidence('Before', action.before), evidence('After', action.after))));
}
