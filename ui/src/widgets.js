// Small pieces several views share: badges, notices, pagination, key/value lists.

import { h, setText } from './dom.js';
import { actionTone, tone } from './format.js';
import { stripAnsi } from './logs/strip-ansi.js';
import { buildRoute } from './router.js';

/** A coloured label for a state, health, status or severity. */
export function badge(value, colour = tone(value)) {
  return h('span', { class: `badge ${colour}` }, value || '—');
}

/** A badge for an action state ("running" is in progress, not healthy). */
export const actionBadge = (state) => badge(state, actionTone(state));

/** Updates a badge made by `badge` in place. */
export function setBadge(element, value, colour = tone(value)) {
  setText(element, value || '—');
  const className = `badge ${colour}`;
  if (element.className !== className) element.className = className;
}

/** A message box: kind "error", "warn", "info" or "ok". */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** The text of an error for people. */
export function errorText(error) {
  if (!error) return '';
  if (error.status === 403) return `Not allowed: ${error.message}`;
  return error.message || String(error);
}

/** Labelled values as tiles, from [label, value] pairs; values may be nodes. Pairs with empty values are left out. */
export function facts(pairs) {
  return h('dl', { class: 'tiles' },
    pairs.filter(([, value]) => value !== null && value !== undefined && value !== '')
      .map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))));
}

/** The context object of an incident or finding as "key value" pairs, or null when empty. */
export function contextFacts(context) {
  const entries = Object.entries(context || {});
  if (entries.length === 0) return null;
  return h('dl', { class: 'facts compact' },
    entries.map(([key, value]) => [h('dt', {}, key), h('dd', { class: 'mono' }, typeof value === 'string' ? value : JSON.stringify(value))]));
}

/**
 * Pagination links for a list answered with {page, per_page, total}; `path` and
 * `query` build the hash routes of the other pages.
 */
export function pagination({ page, per_page: perPage, total }, path, query) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const to = (target) => `#${buildRoute(path, { ...query, page: target })}`;
  const first = total === 0 ? 0 : (page - 1) * perPage + 1;
  const last = Math.min(total, page * perPage);
  return h('nav', { class: 'pagination', 'aria-label': 'Pages' },
    page > 1 ? h('a', { href: to(page - 1), id: 'previous-page', class: 'button' }, '← Newer') :
      h('span', { class: 'button disabled', 'aria-disabled': 'true' }, '← Newer'),
    h('span', { class: 'muted' }, `${first}–${last} of ${total} · page ${page} of ${pages}`),
    page < pages ? h('a', { href: to(page + 1), id: 'next-page', class: 'button' }, 'Older →') :
      h('span', { class: 'button disabled', 'aria-disabled': 'true' }, 'Older →'));
}

/** A positive integer from a query value, or `fallback`. */
export function pageNumber(value, fallback = 1) {
  const number = Number.parseInt(value, 10);
  return Number.isFinite(number) && number > 0 ? number : fallback;
}

/** A <pre> of evidence text (before/after, health output): always text, never HTML, escapes left out. */
export function evidence(label, text) {
  if (!text) return null;
  const value = typeof text === 'string' ? text : JSON.stringify(text, null, 2);
  return h('div', { class: 'evidence' }, h('div', { class: 'evidence-label' }, label), h('pre', {}, stripAnsi(value)));
}
