// Marks the matches of a search in an element that already holds rendered text
// (spans of colours from ansi_up): the matches are found in the element's whole
// text, so one may cross a colour change, and each piece becomes a <mark>.

/** Wraps every case-insensitive occurrence of `needle` (lower case, not empty) in `<mark>`. */
export function highlightMatches(element, needle) {
  if (!needle) return 0;
  const nodes = [];
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  let text = '';
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push({ node, start: text.length });
    text += node.nodeValue;
  }
  const haystack = text.toLowerCase();
  const ranges = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
    ranges.push([at, at + needle.length]);
  }
  // From the last range backwards, so the offsets of earlier ones stay valid.
  for (let index = ranges.length - 1; index >= 0; index--) markRange(nodes, ranges[index][0], ranges[index][1]);
  return ranges.length;
}

function markRange(nodes, start, end) {
  for (let index = nodes.length - 1; index >= 0; index--) {
    const { node, start: nodeStart } = nodes[index];
    const nodeEnd = nodeStart + node.nodeValue.length;
    if (nodeEnd <= start || nodeStart >= end) continue;
    const from = Math.max(start, nodeStart) - nodeStart;
    const to = Math.min(end, nodeEnd) - nodeStart;
    const middle = from > 0 ? node.splitText(from) : node;
    middle.splitText(to - from);
    const mark = document.createElement('mark');
    middle.parentNode.replaceChild(mark, middle);
    mark.appendChild(middle);
  }
}
