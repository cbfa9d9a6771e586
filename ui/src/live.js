// The server's event stream (/api/events/stream): incidents opened or changed,
// actions started or ended. Views subscribe and refresh themselves (debounced).
// EventSource reconnects by itself and resumes with Last-Event-ID.

const listeners = new Set();
const statusListeners = new Set();
let source = null;
let status = 'off';

/** "off", "connecting", "live" or "reconnecting". */
export const liveStatus = () => status;

function setStatus(next) {
  if (next === status) return;
  status = next;
  for (const listener of statusListeners) listener(next);
}

/** Calls `listener(status)` on every change of the connection's status. */
export function onLiveStatus(listener) {
  statusListeners.add(listener);
  return () => statusListeners.delete(listener);
}

/** Calls `listener(kind, data)` for every event; kind is "incident" or "action". Returns the unsubscribe. */
export function onLiveEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function dispatch(kind, event) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  for (const listener of listeners) listener(kind, data);
}

/**
 * Opens the stream (once). `onClosed` is called when the browser gives up on it
 * (for instance a 401 after the session ended), so the app can check the session.
 */
export function startLive(onClosed = () => {}) {
  if (source) return;
  setStatus('connecting');
  source = new EventSource('/api/events/stream');
  source.addEventListener('open', () => setStatus('live'));
  source.addEventListener('incident', (event) => dispatch('incident', event));
  source.addEventListener('action', (event) => dispatch('action', event));
  source.addEventListener('error', () => {
    if (!source) return;
    if (source.readyState === EventSource.CLOSED) {
      stopLive();
      onClosed();
    } else {
      setStatus('reconnecting');
    }
  });
}

/** Closes the stream. */
export function stopLive() {
  if (source) source.close();
  source = null;
  setStatus('off');
}
