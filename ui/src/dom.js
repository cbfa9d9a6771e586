// Building DOM without innerHTML: untrusted text (container names, log lines,
// evidence) only ever becomes text nodes. The one exception is the ANSI
// renderer in logs/ansi.js, whose output is escaped by ansi_up.

/**
 * Creates an element. `attributes` keys: `class`, `text`, `dataset` (object),
 * `on` (object of event listeners), `hidden`, any other key becomes an attribute
 * (skipped when null, undefined or false). Children may be nodes, strings,
 * numbers, arrays of those, or null/false (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') element.className = value;
    else if (key === 'text') element.textContent = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key === 'on') {
      for (const [event, listener] of Object.entries(value)) element.addEventListener(event, listener);
    } else if (key === 'hidden') element.hidden = Boolean(value);
    else if (key === 'value') element.value = value;
    else if (key === 'checked') element.checked = Boolean(value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent, ...children) {
  parent.textContent = '';
  append(parent, children);
}

/** Sets `element.textContent` only when it differs, so unchanged cells cost no layout. */
export function setText(element, text) {
  const value = String(text);
  if (element.textContent !== value) element.textContent = value;
}

/** A link inside the app: `route` is the hash route without the `#`. */
export function link(route, text, attributes = {}) {
  return h('a', { href: `#${route}`, ...attributes }, text);
}

/** Calls `callback` at most once per `milliseconds`, after the last call (trailing debounce). */
export function debounce(callback, milliseconds) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      callback(...args);
    }, milliseconds);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
