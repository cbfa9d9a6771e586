// The examination of a container as the page shows it: pure, so it has unit tests.

const reasons = {
  exited_again: 'it exited non-zero again',
  cannot_start: 'it could not start',
  unhealthy: 'its health check or a probe failed',
  before_healing: 'before medic acted',
  before_escalation: 'before medic gave up',
  asked: 'a person asked',
};

const outcomeOrder = { failed: 0, warning: 1, unknown: 2, passed: 3 };

/** The checks, failed first, each with the words the page shows. */
export function examinationRows(examination) {
  return (examination?.checks || [])
    .map((check, index) => ({
      index,
      outcome: check.outcome || 'unknown',
      kind: (check.kind || '').replaceAll('_', ' '),
      subject: check.subject || '',
      evidence: check.evidence || '',
      finding: check.finding ? `${check.finding.type} (${check.finding.check})` : '',
    }))
    .sort((a, b) => (outcomeOrder[a.outcome] ?? 9) - (outcomeOrder[b.outcome] ?? 9) || a.index - b.index);
}

/** One sentence: why, who it ran as, how many failed, how long it took. */
export function examinationSummary(examination) {
  if (!examination) return 'medic has not examined this container.';
  const checks = examination.checks || [];
  const failed = checks.filter((check) => check.outcome === 'failed').length;
  const why = reasons[examination.reason] || examination.reason || 'asked';
  const user = examination.user?.detail ? ` It runs as ${examination.user.detail}.` : '';
  const verdict = failed ? `${failed} of ${checks.length} checks failed` : `all ${checks.length} checks passed`;
  return `Examined because ${why}: ${verdict} (${examination.duration_ms ?? '?'} ms).${user}`;
}
