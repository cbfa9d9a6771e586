// Keeps a view's data fresh: loads at once, again every `interval` while the
// page is visible, and soon after `request()` (debounced, for live events).
// Never runs two loads at once: a request during a load runs one more after it.

export function createRefresher(load, { interval = 10000, debounceMs = 400 } = {}) {
  let running = false;
  let again = false;
  let stopped = false;
  let debounceTimer = null;

  async function run() {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await load();
    } catch (error) {
      // load shows its own errors; a refresh must not end the refresher.
      console.error(error);
    } finally {
      running = false;
      if (again && !stopped) {
        again = false;
        run();
      }
    }
  }

  const timer = setInterval(() => {
    if (!document.hidden) run();
  }, interval);
  const onVisible = () => {
    if (!document.hidden) run();
  };
  document.addEventListener('visibilitychange', onVisible);
  run();

  return {
    /** Loads again soon (debounced). */
    request() {
      clearTimeout(debounceTimer);
      debounceTimer = setTimeout(run, debounceMs);
    },
    /** Loads again now. */
    now: run,
    stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(debounceTimer);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
