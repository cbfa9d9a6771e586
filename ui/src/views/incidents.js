// #/incidents — incidents, open or all, optionally of one container, a page at a time.
// The filters and the page live in the route (#/incidents?state=all&page=2), so
// the back button and a shared link give the same list.

import { get } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { onLiveEvent } from '../live.js';
import { createRefresher } from '../refresher.js';
import { buildRoute } from '../router.js';
import { errorText, notice, pageNumber, pagination } from '../widgets.js';
import { incidentsTable } from './tables.js';

const perPage = 50;

export function mount(root, route, { navigate }) {
  const state = route.query.state === 'all' ? 'all' : 'open';
  const container = route.query.container || '';
  const page = pageNumber(route.query.page);
  const query = { state, container };

  const stateSelect = h('select', { id: 'incident-state' },
    h('option', { value: 'open' }, 'Open'),
    h('option', { value: 'all' }, 'All'));
  stateSelect.value = state;
  const containerInput = h('input', {
    type: 'search', id: 'incident-container', value: container,
  });
  const list = h('div', { id: 'incident-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const problems = h('div', { class: 'refresh-error' });

  const apply = () => navigate(buildRoute('/incidents', { state: stateSelect.value, container: containerInput.value.trim() }));
  stateSelect.addEventListener('change', apply);
  containerInput.addEventListener('change', apply);

  replaceChildren(root,
    h('h1', {}, 'Incidents'),
    h('section', { class: 'panel' },
      h('form', { class: 'table-tools', on: { submit: (event) => { event.preventDefault(); apply(); } } },
        h('label', {}, 'Show ', stateSelect),
        h('label', {}, 'Container ', containerInput)),
      problems,
      list));

  let loaded = false;
  async function load() {
    try {
      const answer = await get('/api/incidents', { state, container, page, per_page: perPage });
      loaded = true;
      replaceChildren(problems);
      const incidents = answer.incidents || [];
      replaceChildren(list,
        incidents.length ? h('div', { class: 'table-scroll' }, incidentsTable(incidents)) :
          h('p', { class: 'empty' }, state === 'open' ? 'No open incidents.' : 'No incidents recorded.'),
        answer.total > 0 ? pagination(answer, '/incidents', query) : null);
    } catch (error) {
      if (error.status === 401) return;
      replaceChildren(problems, notice('error', loaded ? 'Could not refresh: ' : 'Could not load the incidents: ', errorText(error)));
      if (!loaded) replaceChildren(list);
    }
  }

  const refresher = createRefresher(load, { interval: 15000, debounceMs: 600 });
  const unsubscribe = onLiveEvent((kind) => {
    if (kind === 'incident') refresher.request();
  });
  return {
    destroy() {
      refresher.stop();
      unsubscribe();
    },
  };
}
