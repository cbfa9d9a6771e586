import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterContainers, needsAttention, sortContainers } from '../src/views/overview-model.js';

const container = (name, state, health = 'none', openIncidents = 0, extra = {}) =>
  ({ name, state, health, open_incidents: openIncidents, image: 'redis:7', status: '', profile: 'generic', last_action: null, ...extra });

const list = [
  container('web', 'running', 'healthy'),
  container('cache', 'running', 'unhealthy'),
  container('db', 'exited'),
  container('api', 'running', 'none', 2),
  container('dead-one', 'dead'),
];

test('sorting by state puts what needs a look first', () => {
  assert.deepEqual(sortContainers(list, 'state').map((c) => c.name), ['dead-one', 'db', 'cache', 'api', 'web']);
  assert.deepEqual(sortContainers(list, 'state', -1).map((c) => c.name).at(0), 'web');
});

test('sorting by name, open incidents and last action', () => {
  assert.deepEqual(sortContainers(list, 'name').map((c) => c.name), ['api', 'cache', 'db', 'dead-one', 'web']);
  assert.equal(sortContainers(list, 'incidents')[0].name, 'api');
  const withActions = [container('a', 'running', 'none', 0, { last_action: { started_at: 5 } }), container('b', 'running', 'none', 0, { last_action: { started_at: 9 } })];
  assert.deepEqual(sortContainers(withActions, 'action').map((c) => c.name), ['b', 'a']);
});

test('the filter matches every word anywhere, and the attention filter', () => {
  assert.deepEqual(filterContainers(list, 'RUNNING unhealthy').map((c) => c.name), ['cache']);
  assert.equal(filterContainers(list, '').length, 5);
  assert.deepEqual(filterContainers(list, '', true).map((c) => c.name), ['cache', 'db', 'api', 'dead-one']);
  assert.equal(needsAttention(list[0]), false);
});

test('200 containers sort and filter in well under a frame', () => {
  const many = Array.from({ length: 200 }, (_, index) => container(`app-${index}`, index % 7 ? 'running' : 'exited'));
  const started = performance.now();
  for (let round = 0; round < 50; round++) sortContainers(filterContainers(many, 'app'), 'state');
  assert.ok((performance.now() - started) / 50 < 16);
});
