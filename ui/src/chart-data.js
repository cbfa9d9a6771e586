// The data of the recovery page's charts, from the statistics the API answers.
// Pure: tested in test/chart-data.test.js.

/** Running sums for stacked bars: series i becomes the sum of series 0..i. */
export function stack(series) {
  const sums = [];
  let running = null;
  for (const values of series) {
    running = running ? running.map((sum, index) => sum + (values[index] || 0)) : values.map((value) => value || 0);
    sums.push(running);
  }
  return sums;
}

/**
 * Errors per hour by type, from GET /api/docker/errors/stats: one series per
 * type that occurs, the most frequent first (at the bottom of the stack).
 */
export function errorsByHour(stats) {
  const hours = (stats && stats.by_hour) || [];
  const totals = new Map();
  for (const hour of hours) {
    for (const [type, count] of Object.entries(hour.by_type || {})) totals.set(type, (totals.get(type) || 0) + count);
  }
  const types = [...totals.entries()].filter(([, total]) => total > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([type]) => type);
  return {
    hours: hours.map((hour) => hour.hour),
    series: types.map((type) => ({ name: type, values: hours.map((hour) => (hour.by_type && hour.by_type[type]) || 0) })),
  };
}

/**
 * Actions per hour that succeeded and failed, and the success rate of each
 * hour (null when no action ended in it), from GET /api/docker/recovery/stats.
 */
export function recoveryByHour(stats, colours = { succeeded: '#1a7f37', failed: '#cf222e', rate: '#0969da' }) {
  const hours = (stats && stats.by_hour) || [];
  return {
    hours: hours.map((hour) => hour.hour),
    series: [
      { name: 'succeeded', values: hours.map((hour) => hour.succeeded || 0), colour: colours.succeeded },
      { name: 'failed', values: hours.map((hour) => hour.failed || 0), colour: colours.failed },
    ],
    line: {
      name: 'success rate',
      colour: colours.rate,
      values: hours.map((hour) => {
        const ended = (hour.succeeded || 0) + (hour.failed || 0);
        return ended > 0 ? (hour.succeeded || 0) / ended : null;
      }),
    },
  };
}

/** Rows of a success-rate table from `by_action` or `by_type`: most used first. */
export function rateRows(table) {
  return Object.entries(table || {})
    .map(([name, row]) => ({
      name,
      total: row.total || 0,
      succeeded: row.succeeded || 0,
      failed: row.failed || 0,
      rate: row.success_rate ?? null,
    }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}
