// Log text with ANSI colours as HTML, through ansi_up, which escapes &<>"' in the
// text: the only place where the UI sets innerHTML from data it was sent.

import { AnsiUp } from 'ansi_up';

const converter = new AnsiUp();
// Hyperlinks (OSC 8) from container output stay text: an untrusted process
// should not put links into an operator's console. Their escapes are removed
// before ansi_up (which would drop the text with the link); the empty allow
// list is the second lock.
converter.url_allowlist = {};
const hyperlinkPattern = /\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\)/g;

const reset = '\x1b[0m';
const maxLength = 8192;

/**
 * The HTML of one line. Every line starts from the default colours, since lines
 * are rendered out of order (only those in view) and ansi_up keeps state between calls.
 */
export function ansiToHtml(text) {
  let value = String(text ?? '');
  if (value.includes('\x1b]8;')) value = value.replace(hyperlinkPattern, '');
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
