// The lines of one live log view: a capped buffer (oldest dropped first), the
// subset that passes the filters (stream, classified only), and the count of
// lines that match the search. Pure: no DOM, tested in test/log-model.test.js.

import { stripAnsi } from './strip-ansi.js';

/**
 * An array used as a queue: pushes at the end, drops at the front in O(1)
 * amortised (the dead front is cut off once it is as long as the live part).
 */
export class Queue {
  constructor() {
    this.items = [];
    this.head = 0;
  }

  get length() {
    return this.items.length - this.head;
  }

  at(index) {
    return this.items[this.head + index];
  }

  push(item) {
    this.items.push(item);
  }

  /** Removes `count` items from the front. */
  dropFront(count) {
    this.head += Math.min(count, this.length);
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear() {
    this.items = [];
    this.head = 0;
  }
}

/** The filters of the view: stream is "all", "stdout" or "stderr". */
export const defaultFilters = () => ({ stream: 'all', classifiedOnly: false });

/** Whether a line passes the filters. */
export function passes(line, filters) {
  if (filters.stream !== 'all' && line.stream !== filters.stream) return false;
  if (filters.classifiedOnly && !line.type) return false;
  return true;
}

/** The text of a line without ANSI escapes, computed once. */
export function plainText(line) {
  if (line.plain === undefined) line.plain = stripAnsi(line.text);
  return line.plain;
}

/** Whether a line contains `needle` (already lower case), ignoring case and ANSI escapes. */
export function matches(line, needle) {
  if (needle === '') return false;
  if (line.lower === undefined) line.lower = plainText(line).toLowerCase();
  return line.lower.includes(needle);
}

/**
 * The model: `append` lines (objects with stream, time, text, type?, rule?),
 * read the visible ones with `visibleCount`/`visibleAt`.
 */
export class LogModel {
  constructor(capacity = 20000) {
    this.capacity = capacity;
    this.lines = new Queue();
    this.visible = new Queue();
    this.filters = defaultFilters();
    this.needle = '';
    this.matchCount = 0;
    this.nextSeq = 0;
    this.dropped = 0;
  }

  get size() {
    return this.lines.length;
  }

  get visibleCount() {
    return this.visible.length;
  }

  /** The visible line at `index` (0 = oldest visible). */
  visibleAt(index) {
    return this.visible.at(index);
  }

  /**
   * Appends lines, dropping the oldest beyond the capacity.
   * Returns how many visible lines were dropped from the front (a scrolled-up view
   * moves up by that many rows to keep showing the same lines).
   */
  append(newLines) {
    for (const line of newLines) {
      line.seq = this.nextSeq++;
      this.lines.push(line);
      if (passes(line, this.filters)) {
        this.visible.push(line);
        if (matches(line, this.needle)) this.matchCount++;
      }
    }
    const excess = this.lines.length - this.capacity;
    if (excess <= 0) return 0;
    this.lines.dropFront(excess);
    this.dropped += excess;
    const firstKept = this.lines.at(0).seq;
    let droppedVisible = 0;
    while (this.visible.length > droppedVisible && this.visible.at(droppedVisible).seq < firstKept) {
      if (matches(this.visible.at(droppedVisible), this.needle)) this.matchCount--;
      droppedVisible++;
    }
    this.visible.dropFront(droppedVisible);
    return droppedVisible;
  }

  /** Changes the filters and recomputes the visible lines. */
  setFilters(filters) {
    this.filters = { ...this.filters, ...filters };
    this.rebuild();
  }

  /** Changes the search text (case-insensitive substring); recounts the matches. */
  setSearch(text) {
    this.needle = String(text || '').toLowerCase();
    this.matchCount = 0;
    if (this.needle === '') return;
    for (let index = 0; index < this.visible.length; index++) {
      if (matches(this.visible.at(index), this.needle)) this.matchCount++;
    }
  }

  /**
   * The visible index of the next line matching the search after `from`
   * (before it when `direction` is -1), wrapping around; -1 when none.
   */
  findMatch(from, direction = 1) {
    const count = this.visible.length;
    if (this.needle === '' || count === 0) return -1;
    for (let step = 1; step <= count; step++) {
      const index = (((from + direction * step) % count) + count) % count;
      if (matches(this.visible.at(index), this.needle)) return index;
    }
    return -1;
  }

  /** Forgets every line. */
  clear() {
    this.lines.clear();
    this.visible.clear();
    this.matchCount = 0;
  }

  rebuild() {
    this.visible.clear();
    this.matchCount = 0;
    for (let index = 0; index < this.lines.length; index++) {
      const line = this.lines.at(index);
      if (!passes(line, this.filters)) continue;
      this.visible.push(line);
      if (matches(line, this.needle)) this.matchCount++;
    }
  }
}
