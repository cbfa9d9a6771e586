// Formatting of the API's values for people. Times are milliseconds since the
// epoch; 0 means "not set". Pure functions: tested in test/format.test.js.

const pad = (number, width = 2) => String(number).padStart(width, '0');

/** "2025-06-01 14:03:07" in local time, or "—" for 0/absent. */
export function formatTime(milliseconds) {
  if (!milliseconds) return '—';
  const date = new Date(milliseconds);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "14:03:07.123" in local time: the time column of log lines. */
export function formatClock(milliseconds) {
  if (!milliseconds) return '';
  const date = new Date(milliseconds);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.` +
    pad(date.getMilliseconds(), 3);
}

/** "just now", "42 s ago", "3 min ago", "5 h ago", "2 d ago"; "—" for 0/absent. */
export function formatAgo(milliseconds, now = Date.now()) {
  if (!milliseconds) return '—';
  const seconds = Math.round((now - milliseconds) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** "850 ms", "4.2 s", "3 min 12 s", "2 h 5 min"; "—" for null/undefined/negative. */
export function formatDuration(milliseconds) {
  if (milliseconds === null || milliseconds === undefined || milliseconds < 0 || Number.isNaN(milliseconds)) {
    return '—';
  }
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  const seconds = milliseconds / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** The duration of an action, or "—" while it runs or when a time is missing. */
export function actionDuration(action) {
  if (!action || !action.started_at || !action.ended_at) return '—';
  return formatDuration(action.ended_at - action.started_at);
}

/** "87 %" for a rate in 0..1, "—" for null/undefined. */
export function formatPercent(rate) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return '—';
  return `${Math.round(rate * 100)} %`;
}

/** "12,345" */
export function formatCount(number) {
  return Number(number ?? 0).toLocaleString('en-US');
}

/** The first 12 characters of a container id, as docker prints them. */
export function shortId(id) {
  return id ? String(id).slice(0, 12) : '—';
}

/**
 * The colour class of a value of the API: "ok", "warn", "error", "info" or "neutral".
 * Covers container states and health, incident states, overall status, severities.
 * Action states go through `actionTone`, since "running" means something else there.
 */
export function tone(value) {
  switch (value) {
    case 'running': case 'healthy': case 'succeeded': case 'resolved': case 'ok': case 'connected':
      return 'ok';
    case 'restarting': case 'paused': case 'starting': case 'degraded': case 'open':
    case 'skipped': case 'interrupted': case 'warning': case 'created':
      return 'warn';
    case 'exited': case 'dead': case 'unhealthy': case 'failed': case 'escalated': case 'error':
    case 'critical': case 'fatal': case 'unreachable':
      return 'error';
    case 'healing': case 'planned': case 'info':
      return 'info';
    default:
      return 'neutral';
  }
}

/** The colour class of an action state: a running action is in progress, not a healthy one. */
export function actionTone(state) {
  return state === 'running' ? 'info' : tone(state);
}
