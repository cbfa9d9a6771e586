import assert from 'node:assert/strict';
import { test } from 'node:test';
import { examinationRows, examinationSummary } from '../src/views/examination-model.js';

const examination = {
  reason: 'exited_again',
  duration_ms: 640,
  user: { detail: 'Config.User 999:999' },
  checks: [
    { kind: 'service_user', outcome: 'passed', subject: '999:999', evidence: 'Config.User 999:999' },
    { kind: 'exit_status', outcome: 'warning', subject: 'exit code 139', evidence: 'segfault' },
    {
      kind: 'mount_access', outcome: 'failed', subject: '/data', evidence: 'uid 999 (gid 999) cannot search /data',
      finding: { type: 'PERMISSION_DENIED', check: 'check-mount-access' },
    },
  ],
};

test('failed checks come first, then warnings, then the passed ones, in their order', () => {
  const rows = examinationRows(examination);
  assert.deepEqual(rows.map((row) => row.outcome), ['failed', 'warning', 'passed']);
  assert.equal(rows[0].kind, 'mount access');
  assert.equal(rows[0].finding, 'PERMISSION_DENIED (check-mount-access)');
});

test('the summary says why, how many failed and who the service runs as', () => {
  assert.equal(examinationSummary(examination),
    'Examined because it exited non-zero again: 1 of 3 checks failed (640 ms). It runs as Config.User 999:999.');
  assert.equal(examinationSummary(null), 'medic has not examined this container.');
  assert.match(examinationSummary({ checks: [{ outcome: 'passed' }], reason: 'asked' }), /all 1 checks passed/);
});

test('a malformed examination shows nothing rather than breaking the page', () => {
  assert.deepEqual(examinationRows({ checks: null }), []);
  assert.deepEqual(examinationRows(undefined), []);
});
