import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ansiToHtml } from '../src/logs/ansi.js';
import { idBefore } from '../src/logs/log-stream.js';
import { stripAnsi } from '../src/logs/strip-ansi.js';

test('container output is escaped: no markup of its own reaches the page', () => {
  const html = ansiToHtml('<script>alert("x")</script> & <img src=x onerror=alert(1)>');
  assert.ok(!html.includes('<script'), html);
  assert.ok(!html.includes('<img'), html);
  assert.ok(html.includes('&lt;script&gt;'));
});

test('colours become spans, and no colour leaks into the next line', () => {
  const red = ansiToHtml('\x1b[31mred');
  assert.match(red, /<span style="color:rgb\(187,0,0\)">red<\/span>/);
  assert.equal(ansiToHtml('plain'), 'plain');
});

test('an escape cut off at the end of a line does not reach the next line', () => {
  ansiToHtml('cut here \x1b[3');
  assert.equal(ansiToHtml('next'), 'next');
});

test('hyperlinks from container output become their text', () => {
  const html = ansiToHtml('\x1b]8;;https://example.invalid/\x07click\x1b]8;;\x07 after');
  assert.equal(html, 'click after');
});

test('very long lines are cut with a note', () => {
  const html = ansiToHtml('x'.repeat(9000));
  assert.match(html, /808 more characters/);
});

test('stripAnsi leaves the text a terminal shows', () => {
  assert.equal(stripAnsi('\x1b[1;31mFATAL\x1b[0m done'), 'FATAL done');
  assert.equal(stripAnsi('\x1b]0;title\x07text'), 'text');
  assert.equal(stripAnsi(undefined), '');
});

test('log ids compare as numbers beyond 2^53', () => {
  assert.equal(idBefore('1717236000000000001', '1717236000000000002'), true);
  assert.equal(idBefore('999', '1000'), true);
  assert.equal(idBefore('1717236000000000002', '1717236000000000002'), false);
});
