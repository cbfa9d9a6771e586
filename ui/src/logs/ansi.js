// Log text with ANSI colours as HTML, through ansi_up, which escapes &<>"' in the
// text: the only place where the UI sets innerHTML from data it was sent.

import { AnsiUp } from 'ansi_up';

const converter = new AnsiUp();
// Hyperlinks (OSC 8) from container output stay text: an untrusted process
// should not put links into an operator's console.
converter.url_allowlist = {};

const reset = '\x1b[0m';
const maxLength = 8192;

/**
 * The HTML of one line. Every line starts from the default colours, since lines
 * are rendered out of order (only those in view) and ansi_up keeps state between calls.
 */
export function ansiToHtml(text) {
  let value = String(text ?? '');
  let cut = 0;
  if (value.length > maxLength) {
    cut = value.length - maxLength;
    value = value.slice(0, maxLength);
  }
  let html = converter.ansi_to_html(reset + value);
  // ansi_up keeps an escape sequence cut off at the end of its input, to prepend
  // it to the next call (it expects one stream, we give it separate lines). The
  // package is pinned to an exact version, whose field this is.
  converter._buffer = '';
  if (cut > 0) html += `<span class="cut"> … ${cut} more characters</span>`;
  return html;
}
