import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actionDuration, actionTone, formatAgo, formatDuration, formatPercent, shortId, tone } from '../src/format.js';

test('durations read as people say them', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(4200), '4.2 s');
  assert.equal(formatDuration(192000), '3 min 12 s');
  assert.equal(formatDuration(7500000), '2 h 5 min');
  assert.equal(formatDuration(null), '—');
  assert.equal(formatDuration(-1), '—');
});

test('an action that is still running has no duration', () => {
  assert.equal(actionDuration({ started_at: 1000, ended_at: 0 }), '—');
  assert.equal(actionDuration({ started_at: 1000, ended_at: 3500 }), '2.5 s');
});

test('times ago', () => {
  const now = 1_000_000_000;
  assert.equal(formatAgo(0, now), '—');
  assert.equal(formatAgo(now - 2000, now), 'just now');
  assert.equal(formatAgo(now - 42000, now), '42 s ago');
  assert.equal(formatAgo(now - 3 * 60000, now), '3 min ago');
  assert.equal(formatAgo(now - 5 * 3600000, now), '5 h ago');
  assert.equal(formatAgo(now - 2 * 86400000, now), '2 d ago');
});

test('rates and ids', () => {
  assert.equal(formatPercent(0.874), '87 %');
  assert.equal(formatPercent(null), '—');
  assert.equal(shortId('f3a1b2c3d4e5f6a7b8'), 'f3a1b2c3d4e5');
});

test('colours of states: running is healthy for a container, in progress for an action', () => {
  assert.equal(tone('running'), 'ok');
  assert.equal(actionTone('running'), 'info');
  assert.equal(tone('unhealthy'), 'error');
  assert.equal(tone('escalated'), 'error');
  assert.equal(tone('open'), 'warn');
  assert.equal(actionTone('failed'), 'error');
  assert.equal(tone('something new'), 'neutral');
});
