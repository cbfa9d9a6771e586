// The medic REST API, as in the contract: JSON bodies, the session cookie sent
// with every request (credentials: 'same-origin'), errors as
// {"error": "...", "parameter": "..."} turned into ApiError.

/** An answer of the API that was not 2xx, or a request that never got one (status 0). */
export class ApiError extends Error {
  constructor(status, message, parameter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.parameter = parameter;
  }
}

let unauthorizedHandler = () => {};

/** Sets what happens when any request answers 401 (the session ended): the app shows the login. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * Sends one request and returns the parsed JSON body.
 * Throws ApiError on a non-2xx answer (after calling the 401 handler) or a network failure.
 */
export async function request(path, { method = 'GET', body, signal, quietUnauthorized = false } = {}) {
  const init = { method, credentials: 'same-origin', signal, headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'medic is not reachable: ' + error.message);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const message = (data && data.error) || `${response.status} ${response.statusText}`;
    if (response.status === 401 && !quietUnauthorized) unauthorizedHandler();
    throw new ApiError(response.status, message, data && data.parameter);
  }
  return data;
}

/** GET with a query object; empty values are left out. */
export function get(path, query = {}, options = {}) {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return request(text ? `${path}?${text}` : path, options);
}

/** POST with a JSON body (or none). */
export function post(path, body, options = {}) {
  return request(path, { ...options, method: 'POST', body });
}

/** A path segment for a container name or other value from the API. */
export const segment = (value) => encodeURIComponent(String(value));
