// ANSI escape sequences as terminals read them: CSI (colours, cursor), OSC
// (titles, hyperlinks; ended by BEL or ST) and the two-character escapes.
const ansiPattern = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]/g;

/** The text without ANSI escape sequences: what a terminal would show. */
export function stripAnsi(text) {
  const value = String(text ?? '');
  return value.includes('\x1b') ? value.replace(ansiPattern, '') : value;
}
