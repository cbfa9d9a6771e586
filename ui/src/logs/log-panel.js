// The live log of a container page: the toolbar (follow, pause, stream filter,
// classified only, search), the virtualised view, and the stream. Lines that
// arrive are queued and handed to the model in an animation frame, at most
// every `appendInterval` ms: a container writing thousands of lines a second
// costs twenty renders a second, while scrolling still renders every frame.

import { h, setText } from '../dom.js';
import { formatCount } from '../format.js';
import { LogModel, Queue } from './log-model.js';
import { LogView } from './log-view.js';
import { openLogStream } from './log-stream.js';

export const bufferCapacity = 20000;
const appendInterval = 50;

const stateText = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** Builds the panel for container `name` and starts streaming. Returns { element, destroy }. */
export function createLogPanel(name) {
  const model = new LogModel(bufferCapacity);
  let pending = [];
  let held = new Queue();
  let heldCount = 0;
  let paused = false;
  let frame = 0;
  let ended = null;

  const status = h('span', { class: 'log-state', id: 'log-state' }, 'Connecting…');
  const banner = h('div', { class: 'log-banner', id: 'log-status', role: 'status', hidden: true });
  const count = h('span', { class: 'log-count muted', id: 'log-count' }, '0 lines');
  const followButton = h('button', { type: 'button', id: 'log-follow', 'aria-pressed': 'true' }, 'Follow');
  const pauseButton = h('button', { type: 'button', id: 'log-pause', 'aria-pressed': 'false' }, 'Pause');
  const streamSelect = h('select', { id: 'log-stream', 'aria-label': 'Stream' },
    h('option', { value: 'all' }, 'stdout + stderr'),
    h('option', { value: 'stdout' }, 'stdout only'),
    h('option', { value: 'stderr' }, 'stderr only'));
  const classifiedBox = h('input', { type: 'checkbox', id: 'log-classified' });
  const searchInput = h('input', {
    type: 'search', id: 'log-search', autocomplete: 'off', spellcheck: 'false',
  });
  const searchCount = h('span', { class: 'muted', id: 'log-search-count' });
  const previousMatch = h('button', {
    type: 'button', id: 'log-search-previous', title: 'Older match (Enter)', 'aria-label': 'Older match',
  }, '↑');
  const nextMatch = h('button', {
    type: 'button', id: 'log-search-next', title: 'Newer match (Shift+Enter)', 'aria-label': 'Newer match',
  }, '↓');
  const clearButton = h('button', { type: 'button', id: 'log-clear' }, 'Clear');
  const jumpButton = h('button', { type: 'button', id: 'jump-latest', class: 'jump-latest primary', hidden: true }, 'Jump to latest');

  const view = new LogView(model, { onFollowChange: showFollow });

  const element = h('section', { class: 'panel log-panel', 'aria-labelledby': 'logs-heading' },
    h('div', { class: 'log-header' },
      h('h2', { id: 'logs-heading' }, 'Live log'), status, count),
    h('div', { class: 'log-toolbar' },
      followButton, pauseButton, streamSelect,
      h('label', { class: 'check' }, classifiedBox, ' Classified only'),
      h('span', { class: 'search-group' }, h('label', { for: 'log-search' }, 'Search'), searchInput, previousMatch, nextMatch, searchCount),
      clearButton),
    banner,
    h('div', { class: 'log-frame' }, view.scroller, jumpButton));

  function showFollow(follow, unseen) {
    followButton.setAttribute('aria-pressed', String(follow));
    jumpButton.hidden = follow;
    setText(jumpButton, unseen > 0 ? `Jump to latest (${formatCount(unseen)} new)` : 'Jump to latest');
  }

  function showCounts() {
    const dropped = model.dropped > 0 ? ` · oldest dropped beyond ${formatCount(bufferCapacity)}` : '';
    const shown = model.visibleCount === model.size ? '' : ` · ${formatCount(model.visibleCount)} shown`;
    setText(count, `${formatCount(model.size)} lines${shown}${dropped}`);
    if (paused) setText(pauseButton, heldCount > 0 ? `Resume (${formatCount(heldCount)} new)` : 'Resume');
    setText(searchCount, model.needle ? `${formatCount(model.matchCount)} lines match` : '');
  }

  let lastFlush = 0;
  function flush(now) {
    frame = 0;
    if (pending.length === 0) return;
    if (now - lastFlush < appendInterval) {
      frame = requestAnimationFrame(flush);
      return;
    }
    lastFlush = now;
    const lines = pending;
    pending = [];
    const before = model.visibleCount;
    const dropped = model.append(lines);
    view.linesChanged(model.visibleCount - before + dropped, dropped);
    showCounts();
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(flush);
  }

  function receive(line) {
    if (ended) showBanner(null);
    if (paused) {
      held.push(line);
      heldCount++;
      if (held.length > bufferCapacity) held.dropFront(held.length - bufferCapacity);
      schedulePausedCount();
      return;
    }
    pending.push(line);
    // A hidden tab gets no animation frames: keep what the buffer would keep.
    if (pending.length > 2 * bufferCapacity) pending = pending.slice(-bufferCapacity);
    schedule();
  }

  let pausedCountFrame = 0;
  function schedulePausedCount() {
    if (!pausedCountFrame) {
      pausedCountFrame = requestAnimationFrame(() => {
        pausedCountFrame = 0;
        showCounts();
      });
    }
  }

  function showBanner(kind, message = '', action = null) {
    ended = kind === 'ended' ? message : null;
    banner.hidden = !kind;
    banner.className = `log-banner ${kind === 'error' || kind === 'closed' ? 'error' : 'warn'}`;
    banner.dataset.kind = kind || '';
    banner.textContent = '';
    if (!kind) return;
    banner.append(message);
    if (action) banner.append(' ', action);
  }

  function onState(state, message) {
    status.className = `log-state ${state}`;
    if (state === 'error') {
      setText(status, 'Stopped');
      showBanner('error', `The server ended the log: ${message}`, retryButton());
    } else if (state === 'closed') {
      setText(status, 'Disconnected');
      showBanner('closed', 'The log stream is disconnected.', retryButton());
    } else if (state === 'ended') {
      setText(status, 'Ended');
      showBanner('ended', `Output ended: ${message}. Waiting for new output (the stream reconnects by itself).`);
    } else {
      if (state === 'reconnecting' && ended) return;
      setText(status, stateText[state] || state);
      if (state === 'live' && !ended) showBanner(null);
    }
  }

  function retryButton() {
    return h('button', { type: 'button', id: 'log-reconnect', on: { click: () => stream.reconnect() } }, 'Reconnect');
  }

  function togglePause() {
    paused = !paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    element.classList.toggle('paused', paused);
    if (paused) {
      // Lines not drawn yet are new to the reader too: the view stops as it is now.
      for (const line of pending) held.push(line);
      heldCount += pending.length;
      pending = [];
      if (held.length > bufferCapacity) held.dropFront(held.length - bufferCapacity);
    } else {
      for (let index = 0; index < held.length; index++) pending.push(held.at(index));
      held = new Queue();
      heldCount = 0;
      setText(pauseButton, 'Pause');
      schedule();
    }
    showCounts();
  }

  // Newest lines are at the bottom, so the first search goes up from the end
  // (or from the middle of a scrolled-up view), like `?` in less.
  function search(direction) {
    if (!model.needle) return;
    let from;
    if (view.currentMatchSeq >= 0 && view.currentMatchSeq >= model.visibleAt(0)?.seq) from = indexOfSeq(view.currentMatchSeq);
    else from = view.follow ? model.visibleCount : view.middleIndex() - direction;
    const index = model.findMatch(from, direction);
    if (index >= 0) view.showMatch(index);
  }

  function indexOfSeq(seq) {
    // Visible lines are in seq order: a binary search finds the line's index.
    let low = 0;
    let high = model.visibleCount - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const value = model.visibleAt(middle).seq;
      if (value === seq) return middle;
      if (value < seq) low = middle + 1;
      else high = middle - 1;
    }
    return Math.max(0, low - 1);
  }

  followButton.addEventListener('click', () => {
    if (view.follow) view.setFollow(false);
    else view.jumpToLatest();
  });
  jumpButton.addEventListener('click', () => view.jumpToLatest());
  pauseButton.addEventListener('click', togglePause);
  streamSelect.addEventListener('change', () => {
    model.setFilters({ stream: streamSelect.value });
    view.filtersChanged();
    showCounts();
  });
  classifiedBox.addEventListener('change', () => {
    model.setFilters({ classifiedOnly: classifiedBox.checked });
    view.filtersChanged();
    showCounts();
  });
  searchInput.addEventListener('input', () => {
    model.setSearch(searchInput.value.trim());
    view.currentMatchSeq = -1;
    view.searchChanged();
    showCounts();
  });
  searchInput.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') search(event.shiftKey ? 1 : -1);
  });
  previousMatch.addEventListener('click', () => search(-1));
  nextMatch.addEventListener('click', () => search(1));
  clearButton.addEventListener('click', () => {
    model.clear();
    view.filtersChanged();
    showCounts();
  });

  const stream = openLogStream(name, { tail: 500, onLine: receive, onState });
  requestAnimationFrame(() => view.jumpToLatest());

  return {
    element,
    destroy() {
      stream.close();
      view.destroy();
      cancelAnimationFrame(frame);
      cancelAnimationFrame(pausedCountFrame);
    },
  };
}
