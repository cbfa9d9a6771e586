// Filtering and sorting the overview's containers. Pure: tested in
// test/overview-model.test.js.

const stateRank = { dead: 0, restarting: 1, exited: 2, created: 3, paused: 4, running: 5 };
const healthRank = { unhealthy: 0, starting: 1, none: 2, healthy: 3 };

const rankOf = (table, value) => (value in table ? table[value] : -1);

/** Whether a container needs a look: not running, unhealthy, or with an open incident. */
export function needsAttention(container) {
  return container.state !== 'running' || container.health === 'unhealthy' || container.open_incidents > 0;
}

const byName = (a, b) => a.name.localeCompare(b.name);
const lastActionTime = (container) => (container.last_action && (container.last_action.started_at || 0)) || 0;

// Each comparison puts the containers that need a look first when ascending.
const comparators = {
  name: byName,
  state: (a, b) => rankOf(stateRank, a.state) - rankOf(stateRank, b.state) ||
    rankOf(healthRank, a.health) - rankOf(healthRank, b.health) || b.open_incidents - a.open_incidents || byName(a, b),
  health: (a, b) => rankOf(healthRank, a.health) - rankOf(healthRank, b.health) ||
    rankOf(stateRank, a.state) - rankOf(stateRank, b.state) || byName(a, b),
  incidents: (a, b) => b.open_incidents - a.open_incidents || byName(a, b),
  action: (a, b) => lastActionTime(b) - lastActionTime(a) || byName(a, b),
  image: (a, b) => String(a.image).localeCompare(String(b.image)) || byName(a, b),
};

/** The sort keys, for the table's headers. */
export const sortKeys = Object.keys(comparators);

/** A sorted copy; `direction` 1 (as above) or -1 (reversed). Unknown keys sort by name. */
export function sortContainers(containers, key, direction = 1) {
  const compare = comparators[key] || byName;
  return [...containers].sort((a, b) => direction * compare(a, b));
}

/**
 * The containers whose name, image, state, health, status or profile contain
 * every word of `text` (case-insensitive); with `attentionOnly`, only those that need a look.
 */
export function filterContainers(containers, text, attentionOnly = false) {
  const words = String(text || '').toLowerCase().split(/\s+/).filter(Boolean);
  return containers.filter((container) => {
    if (attentionOnly && !needsAttention(container)) return false;
    if (words.length === 0) return true;
    const haystack = [container.name, container.image, container.state, container.health, container.status, container.profile]
      .join(' ').toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}
