import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LogModel, Queue } from '../src/logs/log-model.js';

const line = (text, extra = {}) => ({ stream: 'stdout', time: 0, text, ...extra });

test('the queue drops from the front and keeps order across compactions', () => {
  const queue = new Queue();
  for (let index = 0; index < 5000; index++) queue.push(index);
  queue.dropFront(3000);
  assert.equal(queue.length, 2000);
  assert.equal(queue.at(0), 3000);
  assert.equal(queue.at(1999), 4999);
  queue.dropFront(5000);
  assert.equal(queue.length, 0);
});

test('the buffer keeps the newest lines up to its capacity', () => {
  const model = new LogModel(100);
  model.append(Array.from({ length: 250 }, (_, index) => line(`line ${index}`)));
  assert.equal(model.size, 100);
  assert.equal(model.dropped, 150);
  assert.equal(model.visibleAt(0).text, 'line 150');
  assert.equal(model.visibleAt(99).text, 'line 249');
});

test('append tells how many visible lines left the front', () => {
  const model = new LogModel(10);
  model.setFilters({ stream: 'stderr' });
  model.append(Array.from({ length: 10 }, (_, index) => line(`l${index}`, { stream: index % 2 ? 'stderr' : 'stdout' })));
  assert.equal(model.visibleCount, 5);
  // Four new lines push out l0..l3, of which l1 and l3 were visible.
  const dropped = model.append([line('a'), line('b'), line('c'), line('d')]);
  assert.equal(dropped, 2);
  assert.equal(model.visibleCount, 3);
  assert.equal(model.visibleAt(0).text, 'l5');
});

test('filters by stream and by classified lines, and back', () => {
  const model = new LogModel(100);
  model.append([
    line('plain'),
    line('warning', { stream: 'stderr' }),
    line('denied', { stream: 'stderr', type: 'PERMISSION_DENIED', rule: 'redis-aof' }),
  ]);
  model.setFilters({ stream: 'stdout' });
  assert.deepEqual(texts(model), ['plain']);
  model.setFilters({ stream: 'all', classifiedOnly: true });
  assert.deepEqual(texts(model), ['denied']);
  model.setFilters({ stream: 'stderr', classifiedOnly: false });
  assert.deepEqual(texts(model), ['warning', 'denied']);
  model.setFilters({ stream: 'all' });
  assert.equal(model.visibleCount, 3);
});

test('search counts matching lines, ignoring case and ANSI colours, as lines come and go', () => {
  const model = new LogModel(3);
  model.append([line('\x1b[31mERR\x1b[0mOR one'), line('fine'), line('error two')]);
  model.setSearch('Error');
  assert.equal(model.matchCount, 2);
  model.append([line('ok')]);
  assert.equal(model.matchCount, 1, 'the first error left the buffer');
  model.append([line('another ERROR')]);
  assert.equal(model.matchCount, 2);
  model.setSearch('');
  assert.equal(model.matchCount, 0);
});

test('findMatch walks the matches both ways and wraps around', () => {
  const model = new LogModel(100);
  model.append(['a', 'x match', 'b', 'y match', 'c'].map((text) => line(text)));
  model.setSearch('match');
  assert.equal(model.findMatch(-1, 1), 1);
  assert.equal(model.findMatch(1, 1), 3);
  assert.equal(model.findMatch(3, 1), 1);
  assert.equal(model.findMatch(1, -1), 3);
  model.setSearch('absent');
  assert.equal(model.findMatch(0, 1), -1);
});

test('lines get increasing sequence numbers that survive clearing', () => {
  const model = new LogModel(100);
  model.append([line('a'), line('b')]);
  model.clear();
  model.append([line('c')]);
  assert.equal(model.size, 1);
  assert.equal(model.visibleAt(0).seq, 2);
});

function texts(model) {
  return Array.from({ length: model.visibleCount }, (_, index) => model.visibleAt(index).text);
}
