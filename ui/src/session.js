// Who is signed in: the role the server gave (viewer or operator), or nobody.

import { post, request } from './api.js';

const listeners = new Set();
let currentRole = null;

/** The role of the session: "operator", "viewer", or null when signed out. */
export const role = () => currentRole;

/** Whether the operator buttons (restart, heal, resolve, start, stop) are shown. */
export const isOperator = () => currentRole === 'operator';

/** Calls `listener(role)` whenever the role changes. */
export function onRoleChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function setRole(next) {
  if (next === currentRole) return;
  currentRole = next;
  for (const listener of listeners) listener(next);
}

/** Asks the server for the session; resolves to the role, or null on 401. Other errors throw. */
export async function loadSession() {
  try {
    const answer = await request('/api/session', { quietUnauthorized: true });
    setRole(answer.role);
  } catch (error) {
    if (error.status !== 401) throw error;
    setRole(null);
  }
  return currentRole;
}

/** Signs in with a token; the server sets the session cookie. Throws ApiError (401 for a wrong token). */
export async function login(token) {
  const answer = await post('/api/login', { token }, { quietUnauthorized: true });
  setRole(answer.role);
  return answer.role;
}

/** Signs out; the role is cleared even when the server cannot be reached. */
export async function logout() {
  try {
    await post('/api/logout', undefined, { quietUnauthorized: true });
  } finally {
    setRole(null);
  }
}

/** Forgets the role without asking the server (it answered 401). */
export function forget() {
  setRole(null);
}
