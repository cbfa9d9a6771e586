import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timelineEntries } from '../src/views/timeline.js';

test('findings and actions merge by time, a finding before an action at the same time', () => {
  const findings = [{ id: 1, seen_at: 100 }, { id: 2, seen_at: 300 }];
  const actions = [{ id: 7, started_at: 300, ended_at: 400 }, { id: 8, started_at: 0, ended_at: 200 }];
  const entries = timelineEntries(findings, actions).map((entry) => `${entry.kind}${entry.item.id}@${entry.time}`);
  assert.deepEqual(entries, ['finding1@100', 'action8@200', 'finding2@300', 'action7@300']);
});
