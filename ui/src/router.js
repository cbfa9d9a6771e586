// Hash routes: #/ overview, #/containers/NAME, #/incidents, #/incidents/ID,
// #/recovery, #/login. A query may follow the path: #/incidents?state=all&page=2.

/**
 * Parses a location hash into `{ view, params, query }`; `view` is one of
 * overview, container, incidents, incident, recovery, login, not-found.
 */
export function parseRoute(hash) {
  const raw = String(hash || '').replace(/^#/, '') || '/';
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  const segments = pathPart.split('/').filter(Boolean).map(safeDecode);
  const route = (view, params = {}) => ({ view, params, query });

  if (segments.length === 0) return route('overview');
  const [first, second] = segments;
  if (segments.length === 1) {
    if (first === 'incidents') return route('incidents');
    if (first === 'recovery') return route('recovery');
    if (first === 'login') return route('login');
  }
  if (segments.length === 2) {
    if (first === 'containers') return route('container', { name: second });
    if (first === 'incidents' && /^\d+$/.test(second)) return route('incident', { id: Number(second) });
  }
  return route('not-found');
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Builds a hash route (without "#") from a path and a query object; empty values are left out. */
export function buildRoute(path, query = {}) {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return text ? `${path}?${text}` : path;
}

/** The route of a container page. */
export const containerRoute = (name) => `/containers/${encodeURIComponent(name)}`;

/** The route of an incident page. */
export const incidentRoute = (id) => `/incidents/${id}`;
