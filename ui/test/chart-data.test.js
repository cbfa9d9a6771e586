import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorsByHour, rateRows, recoveryByHour, stack } from '../src/chart-data.js';

test('stacking sums the series below', () => {
  assert.deepEqual(stack([[1, 2], [3, 0], [0, 5]]), [[1, 2], [4, 2], [4, 7]]);
  assert.deepEqual(stack([]), []);
});

test('errors by hour: one series per type that occurs, the most frequent first', () => {
  const data = errorsByHour({
    by_hour: [
      { hour: 0, total: 3, by_type: { STALE_LOCK: 1, PORT_CONFLICT: 2 } },
      { hour: 3600000, total: 1, by_type: { PORT_CONFLICT: 1, CONFIG_ERROR: 0 } },
    ],
  });
  assert.deepEqual(data.hours, [0, 3600000]);
  assert.deepEqual(data.series, [
    { name: 'PORT_CONFLICT', values: [2, 1] },
    { name: 'STALE_LOCK', values: [1, 0] },
  ]);
});

test('recovery by hour: the rate is null in an hour without ended actions', () => {
  const data = recoveryByHour({ by_hour: [{ hour: 0, succeeded: 3, failed: 1 }, { hour: 1, succeeded: 0, failed: 0 }] });
  assert.deepEqual(data.series.map((series) => series.values), [[3, 0], [1, 0]]);
  assert.deepEqual(data.line.values, [0.75, null]);
});

test('rate tables put the most used first and keep a null rate', () => {
  const rows = rateRows({
    restart_container: { total: 2, succeeded: 1, failed: 1, success_rate: 0.5 },
    fix_redis_permissions: { total: 5, succeeded: 5, failed: 0, success_rate: 1 },
    stop_container: { total: 1, succeeded: 0, failed: 0, success_rate: null },
  });
  assert.deepEqual(rows.map((row) => row.name), ['fix_redis_permissions', 'restart_container', 'stop_container']);
  assert.equal(rows[2].rate, null);
});
