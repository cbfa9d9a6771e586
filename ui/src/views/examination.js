// The examination panel of a container's page: each check medic made, pass or fail,
// and what it saw; operators can ask for a new one.

import { h, replaceChildren } from '../dom.js';
import { formatTime } from '../format.js';
import { badge } from '../widgets.js';
import { examinationRows, examinationSummary } from './examination-model.js';

const outcomeTone = { passed: 'ok', failed: 'error', warning: 'warn', unknown: 'neutral' };

/** Draws `examination` (null: none yet) into `element`; `onExamine` set: an "Examine now" button. */
export function renderExamination(element, examination, onExamine) {
  const rows = examinationRows(examination);
  replaceChildren(element,
    h('h2', {}, 'Examination'),
    h('p', { class: 'muted', 'data-testid': 'examination-summary' },
      examinationSummary(examination), examination ? ` ${formatTime(examination.examined_at)}` : ''),
    onExamine ? h('button', { type: 'button', id: 'examine', on: { click: onExamine } }, 'Examine now') : null,
    rows.length ? h('div', { class: 'table-scroll' }, h('table', { class: 'examination' },
      h('thead', {}, h('tr', {}, h('th', {}, 'Check'), h('th', {}, 'Subject'), h('th', {}, 'What medic saw'))),
      h('tbody', {}, rows.map((row) => h('tr', { 'data-testid': 'examination-check', dataset: { outcome: row.outcome } },
        h('td', {}, badge(row.outcome, outcomeTone[row.outcome] || 'neutral'), ' ', row.kind),
        h('td', { class: 'mono' }, row.subject),
        h('td', {}, row.evidence, row.finding ? h('div', { class: 'muted small' }, row.finding) : null)))))) : null);
}
