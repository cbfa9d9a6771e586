import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRoute, containerRoute, parseRoute } from '../src/router.js';

test('every page has its route', () => {
  assert.equal(parseRoute('').view, 'overview');
  assert.equal(parseRoute('#/').view, 'overview');
  assert.deepEqual(parseRoute('#/containers/redis').params, { name: 'redis' });
  assert.equal(parseRoute('#/incidents').view, 'incidents');
  assert.deepEqual(parseRoute('#/incidents/42').params, { id: 42 });
  assert.equal(parseRoute('#/recovery').view, 'recovery');
  assert.equal(parseRoute('#/login').view, 'login');
  assert.equal(parseRoute('#/incidents/x').view, 'not-found');
  assert.equal(parseRoute('#/nothing').view, 'not-found');
});

test('queries and encoded names round-trip', () => {
  const route = parseRoute(`#${buildRoute('/incidents', { state: 'all', page: 2, container: '' })}`);
  assert.deepEqual(route.query, { state: 'all', page: '2' });
  const name = 'my app/1';
  assert.equal(parseRoute(`#${containerRoute(name)}`).params.name, name);
  assert.equal(parseRoute('#/containers/%E0%A4%A').params.name, '%E0%A4%A');
});
