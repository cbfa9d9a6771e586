// A virtualised view of a LogModel: the scroller (#log-lines) holds a spacer as
// tall as every visible line, and only the rows in view (plus a margin) exist
// as elements, recycled by line. Rows have one fixed height (--log-line-height).
//
// Following: the view sticks to the bottom while `follow` is on. Any move of the
// user away from the bottom (wheel, keys, scrollbar, touch) turns it off at once,
// and nothing but the user (reaching the bottom, "Jump to latest") turns it on.

import { formatClock } from '../format.js';
import { ansiToHtml } from './ansi.js';
import { highlightMatches } from './highlight.js';

export const lineHeight = 18;
const overscan = 10;
const bottomTolerance = 4;
const keysThatScrollUp = new Set(['ArrowUp', 'PageUp', 'Home']);

export class LogView {
  /** `onFollowChange(follow, unseen)` is called when following or the count of unseen lines changes. */
  constructor(model, { onFollowChange = () => {} } = {}) {
    this.model = model;
    this.onFollowChange = onFollowChange;
    this.follow = true;
    this.unseen = 0;
    this.searchVersion = 0;
    this.currentMatchSeq = -1;
    this.rows = new Map();
    this.spareRows = [];
    this.renderScheduled = false;
    this.spacerHeight = -1;

    this.spacer = document.createElement('div');
    this.spacer.className = 'log-spacer';
    this.scroller = document.createElement('div');
    this.scroller.id = 'log-lines';
    this.scroller.className = 'log-lines';
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute('role', 'log');
    this.scroller.setAttribute('aria-label', 'Container log');
    // role=log announces every new line by default: thousands a second would drown a screen reader.
    this.scroller.setAttribute('aria-live', 'off');
    this.scroller.appendChild(this.spacer);
    this.listen();
  }

  listen() {
    const leave = () => this.leaveBottom();
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('wheel', (event) => { if (event.deltaY < 0) leave(); }, { passive: true });
    this.scroller.addEventListener('touchmove', leave, { passive: true });
    this.scroller.addEventListener('keydown', (event) => { if (keysThatScrollUp.has(event.key)) leave(); });
    // A press on the scroller itself (not on a line) is a press on its scrollbar.
    this.scroller.addEventListener('pointerdown', (event) => { if (event.target === this.scroller) leave(); });
    this.resizeObserver = new ResizeObserver(() => {
      if (this.follow) this.scrollToBottom();
      this.scheduleRender();
    });
    this.resizeObserver.observe(this.scroller);
  }

  destroy() {
    this.resizeObserver.disconnect();
  }

  isAtBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    return scrollHeight - scrollTop - clientHeight <= bottomTolerance;
  }

  leaveBottom() {
    if (this.follow && this.scroller.scrollHeight > this.scroller.clientHeight) this.setFollow(false);
  }

  onScroll() {
    if (this.isAtBottom()) {
      if (!this.follow) this.setFollow(true);
    } else if (this.follow) {
      // A scroll away from the bottom that no listener above saw (find in page, a script).
      this.setFollow(false);
    }
    this.scheduleRender();
  }

  setFollow(follow) {
    this.follow = follow;
    if (follow) this.unseen = 0;
    this.scroller.dataset.follow = String(follow);
    this.onFollowChange(this.follow, this.unseen);
  }

  /** Turns following on and shows the newest line. */
  jumpToLatest() {
    this.setFollow(true);
    this.scrollToBottom();
    this.render();
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  /**
   * After the model took new lines: `added` visible lines at the end, `dropped`
   * visible lines gone from the front. Keeps a scrolled-up view on the same lines.
   */
  linesChanged(added, dropped) {
    this.updateSpacer();
    if (this.follow) {
      this.scrollToBottom();
    } else {
      if (dropped > 0) this.scroller.scrollTop = Math.max(0, this.scroller.scrollTop - dropped * lineHeight);
      if (added > 0) {
        this.unseen += added;
        this.onFollowChange(this.follow, this.unseen);
      }
    }
    this.render();
  }

  /** After the filters changed: every index moved. Shows the bottom when following. */
  filtersChanged() {
    this.updateSpacer();
    if (this.follow) this.scrollToBottom();
    this.render();
  }

  /** After the search changed: every row is drawn again with its marks. */
  searchChanged() {
    this.searchVersion++;
    this.render();
  }

  /** Scrolls so that the visible line at `index` is in the middle and marks it as the current match. */
  showMatch(index) {
    const line = this.model.visibleAt(index);
    if (!line) return;
    this.currentMatchSeq = line.seq;
    if (this.follow) this.setFollow(false);
    const target = index * lineHeight - (this.scroller.clientHeight - lineHeight) / 2;
    this.scroller.scrollTop = Math.max(0, target);
    this.render();
  }

  /** The visible index of the line in the middle of the view (where a search starts). */
  middleIndex() {
    return Math.floor((this.scroller.scrollTop + this.scroller.clientHeight / 2) / lineHeight);
  }

  updateSpacer() {
    const height = this.model.visibleCount * lineHeight;
    if (height !== this.spacerHeight) {
      this.spacerHeight = height;
      this.spacer.style.height = `${height}px`;
    }
    this.scroller.dataset.lines = String(this.model.visibleCount);
    this.scroller.dataset.total = String(this.model.size);
  }

  scheduleRender() {
    if (this.renderScheduled) return;
    this.renderScheduled = true;
    requestAnimationFrame(() => {
      this.renderScheduled = false;
      this.render();
    });
  }

  /** Draws the rows in view; rows of lines still in view keep their content. */
  render() {
    const count = this.model.visibleCount;
    const top = this.scroller.scrollTop;
    const first = Math.max(0, Math.floor(top / lineHeight) - overscan);
    const last = Math.min(count, Math.ceil((top + this.scroller.clientHeight) / lineHeight) + overscan);

    const wanted = new Map();
    for (let index = first; index < last; index++) wanted.set(this.model.visibleAt(index).seq, index);
    for (const [seq, row] of this.rows) {
      if (wanted.has(seq)) continue;
      this.rows.delete(seq);
      this.spareRows.push(row);
    }
    for (const [seq, index] of wanted) {
      let row = this.rows.get(seq);
      if (!row) {
        row = this.spareRows.pop() || this.createRow();
        this.rows.set(seq, row);
        this.fillRow(row, this.model.visibleAt(index));
      } else if (row.searchVersion !== this.searchVersion) {
        this.fillRow(row, this.model.visibleAt(index));
      }
      row.style.transform = `translateY(${index * lineHeight}px)`;
      row.classList.toggle('current-match', seq === this.currentMatchSeq);
    }
    for (const row of this.spareRows) {
      if (row.parentNode) row.remove();
    }
  }

  createRow() {
    const row = document.createElement('div');
    const time = document.createElement('span');
    const stream = document.createElement('span');
    const type = document.createElement('span');
    const text = document.createElement('span');
    time.className = 'log-time';
    stream.className = 'log-stream';
    type.className = 'log-type';
    text.className = 'log-text';
    row.append(time, stream, type, text);
    row.parts = { time, stream, type, text };
    return row;
  }

  fillRow(row, line) {
    const { time, stream, type, text } = row.parts;
    row.className = 'log-line' + (line.type ? ' classified' : '') + (line.stream === 'stderr' ? ' stderr' : '');
    row.dataset.seq = String(line.seq);
    row.searchVersion = this.searchVersion;
    time.textContent = formatClock(line.time);
    stream.textContent = line.stream === 'stderr' ? 'err' : 'out';
    type.textContent = line.type || '';
    type.hidden = !line.type;
    row.title = line.rule ? `rule ${line.rule}` : '';
    if (line.html === undefined) line.html = ansiToHtml(line.text);
    text.innerHTML = line.html;
    if (this.model.needle) highlightMatches(text, this.model.needle);
    if (!row.parentNode) this.spacer.appendChild(row);
  }
}
