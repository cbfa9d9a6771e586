// #/incidents/ID — one incident: what was seen, the log lines around it, the
// timeline of findings and actions with their evidence, medic's note, and
// (for operators) resolving it with a note.

import { get, post } from '../api.js';
import { h, link, replaceChildren } from '../dom.js';
import { formatAgo, formatDuration, formatTime } from '../format.js';
import { onLiveEvent } from '../live.js';
import { ansiToHtml } from '../logs/ansi.js';
import { createRefresher } from '../refresher.js';
import { containerRoute } from '../router.js';
import { isOperator } from '../session.js';
import { badge, contextFacts, errorText, facts, notice } from '../widgets.js';
import { timeline } from './timeline.js';

export function mount(root, route) {
  const id = route.params.id;
  let incident = null;
  // The note being typed survives refreshes.
  const noteInput = h('textarea', {
    id: 'resolve-note', rows: 3,
  });
  const result = h('div', { id: 'resolve-result', 'aria-live': 'polite' });
  const problems = h('div', { class: 'refresh-error' });
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));

  replaceChildren(root,
    h('nav', { class: 'crumbs' }, link('/incidents', 'Incidents'), ` / #${id}`),
    problems, body);

  async function load() {
    try {
      incident = await get(`/api/incidents/${id}`);
      replaceChildren(problems);
      render();
    } catch (error) {
      if (error.status === 401) return;
      if (error.status === 404) {
        replaceChildren(body);
        replaceChildren(problems, notice('error', `There is no incident #${id}. `, link('/incidents', 'All incidents')));
        return;
      }
      replaceChildren(problems, notice('error', incident ? 'Could not refresh: ' : 'Could not load the incident: ', errorText(error)));
    }
  }

  function render() {
    const resolved = incident.state === 'resolved';
    replaceChildren(body,
      h('div', { class: 'page-header' },
        h('h1', {}, `#${incident.id} ${incident.type}`),
        badge(incident.state), ' ', badge(incident.severity), ' on ',
        link(containerRoute(incident.container), incident.container)),
      h('section', { class: 'panel' },
        h('div', { class: 'columns' },
          facts([
            ['Rule', h('span', { class: 'mono' }, incident.rule || '—')],
            ['Seen', `${incident.count}×`],
            ['First seen', `${formatTime(incident.first_seen)} (${formatAgo(incident.first_seen)})`],
            ['Last seen', formatTime(incident.last_seen)],
            ['Signal', formatTime(incident.signal_time)],
            ['Detected after', incident.signal_time && incident.first_seen ? formatDuration(incident.first_seen - incident.signal_time) : null],
            ['Resolved', incident.resolved_at ? formatTime(incident.resolved_at) : null],
          ]),
          h('div', {},
            h('h3', {}, 'Context'),
            contextFacts(incident.context) || h('p', { class: 'muted' }, 'None extracted.'))),
        incident.note ? h('div', { class: 'note', id: 'incident-note' }, h('h3', {}, 'Note'), h('p', {}, incident.note)) : null,
        evidenceLines(incident),
        excerpt(incident)),
      h('section', { class: 'panel' },
        h('h2', {}, 'Timeline'),
        timeline(incident.findings || [], incident.actions || [])),
      isOperator() && !resolved ? resolveForm() : null,
      result);
  }

  function resolveForm() {
    const button = h('button', { type: 'submit', id: 'resolve', class: 'primary' }, 'Resolve');
    return h('section', { class: 'panel' },
      h('h2', {}, 'Resolve'),
      h('form', {
        class: 'resolve-form',
        on: {
          submit: async (event) => {
            event.preventDefault();
            button.disabled = true;
            try {
              incident = { ...incident, ...(await post(`/api/incidents/${id}/resolve`, { note: noteInput.value.trim() })) };
              noteInput.value = '';
              replaceChildren(result, notice('ok', `Incident #${id} is resolved.`));
              refresher.now();
            } catch (error) {
              replaceChildren(result, notice('error', `Could not resolve: ${errorText(error)}`));
            } finally {
              button.disabled = false;
            }
          },
        },
      }, h('label', { for: 'resolve-note' }, 'Note for the next person (what was done; optional)'), noteInput, button));
  }

  const refresher = createRefresher(load, { interval: 15000, debounceMs: 400 });
  const unsubscribe = onLiveEvent((kind, data) => {
    if ((kind === 'incident' && data.id === id) || (kind === 'action' && data.incident_id === id)) refresher.request();
  });
  return {
    destroy() {
      refresher.stop();
      unsubscribe();
    },
  };
}

/** Every line read with the incident's findings (a whole block, a check's observations), the deciding one marked. */
function evidenceLines(incident) {
  const lines = incident.evidence || [];
  if (lines.length < 2) return null;
  const line = (text, index) => {
    const element = h('div', {
      class: index === incident.decided ? 'context-line matched' : 'context-line',
      'data-testid': index === incident.decided ? 'evidence-decided' : 'evidence-line',
      title: index === incident.decided ? 'this line decided the type' : null,
    });
    element.innerHTML = ansiToHtml(text);
    return element;
  };
  return h('div', { class: 'excerpt', id: 'incident-evidence' },
    h('h3', {}, `Evidence (${incident.role === 'cause' ? 'the cause' : incident.role || 'cause'} is marked)`),
    h('div', { class: 'log-excerpt' }, lines.map(line)));
}

/** The log lines around the first match, the match itself marked. */
function excerpt(incident) {
  const before = incident.lines_before || [];
  const after = incident.lines_after || [];
  if (!incident.message && before.length === 0 && after.length === 0) return null;
  const line = (text, className) => {
    const element = h('div', { class: className });
    element.innerHTML = ansiToHtml(text);
    return element;
  };
  return h('div', { class: 'excerpt' },
    h('h3', {}, 'Log around the first match'),
    h('div', { class: 'log-excerpt' },
      before.map((text) => line(text, 'context-line')),
      line(incident.message || '', 'context-line matched'),
      after.map((text) => line(text, 'context-line'))));
}
