// The live log of one container: GET /api/docker/logs/NAME/stream (SSE).
// Events: `line` (one log line), `error` (the server refuses, then ends the
// stream), `end` (the container's output ended; the browser reconnects by
// itself and resumes after the last line with Last-Event-ID).

import { segment } from '../api.js';

/** Whether SSE id `a` (decimal nanoseconds, beyond 2^53) is lower than `b`. */
export function idBefore(a, b) {
  if (a.length !== b.length) return a.length < b.length;
  return a < b;
}

/**
 * Opens the stream. `onLine(line)` gets {stream, time, text, type?, rule?, id};
 * `onState(state, message)` gets "connecting", "live", "reconnecting",
 * "ended" (with the reason), "error" (the server's message; the stream is closed)
 * or "closed" (the browser gave up: a refused connection, a 401).
 * Returns { close, reconnect }. A reconnect asks for the lines after the last
 * one delivered (`after`, which medic's server takes besides Last-Event-ID),
 * and skips any line it had already delivered in case the server sends the tail again.
 */
export function openLogStream(name, { tail = 500, onLine, onState }) {
  let source = null;
  let lastId = '';
  let lastText = '';
  const url = () => `/api/docker/logs/${segment(name)}/stream?tail=${tail}${lastId ? `&after=${lastId}` : ''}`;

  const handleLine = (event) => {
    let line;
    try {
      line = JSON.parse(event.data);
    } catch {
      return;
    }
    const id = event.lastEventId || '';
    if (id && lastId) {
      if (idBefore(id, lastId) || (id === lastId && line.text === lastText)) return;
    }
    if (id) {
      lastId = id;
      lastText = line.text;
    }
    onLine({ stream: line.stream, time: line.time, text: line.text ?? '', type: line.type, rule: line.rule, id });
  };

  const handleError = (event) => {
    if (typeof event.data === 'string') {
      // The server's own `error` event (not a failed connection): it ends the stream.
      let message = event.data;
      try {
        message = JSON.parse(event.data).error || message;
      } catch {
        // The data was not JSON: show it as it came.
      }
      source.close();
      onState('error', message);
    } else if (source.readyState === EventSource.CLOSED) {
      onState('closed', 'the log stream was refused');
    } else {
      onState('reconnecting');
    }
  };

  const handleEnd = (event) => {
    let reason = 'the output ended';
    try {
      reason = JSON.parse(event.data).reason || reason;
    } catch {
      // Keep the general reason.
    }
    onState('ended', reason);
  };

  const connect = () => {
    onState('connecting');
    source = new EventSource(url());
    source.addEventListener('open', () => onState('live'));
    source.addEventListener('line', handleLine);
    source.addEventListener('error', handleError);
    source.addEventListener('end', handleEnd);
  };

  connect();
  return {
    close: () => source.close(),
    reconnect: () => {
      source.close();
      connect();
    },
  };
}
