import { AdminApi, type Schemas } from './api/client';

/**
 * The signed-in key lives in this tab's sessionStorage only: it survives a reload, not the tab,
 * and is never written to localStorage or a cookie (a key in localStorage outlives every session
 * and is readable by any script of the origin for ever). Signing out removes it.
 */
const KEY_ITEM = 'hookflow.console.key';

export interface Session {
  api: AdminApi;
  key: Schemas['ApiKeyViewSchema'];
  /** A write key may replay, discard and edit; a read key sees everything. */
  canWrite: boolean;
}

export const READ_ONLY_REASON = 'Your API key has scope read: replaying, discarding and editing need a write key.';

/** Checks a key against the API (`GET /api-keys/self`) and keeps it for this tab. */
export async function signIn(apiKey: string): Promise<Session> {
  const api = new AdminApi(apiKey);
  const key = await api.get('/api-keys/self', {});
  sessionStorage.setItem(KEY_ITEM, apiKey);
  return { api, key, canWrite: key.scope === 'write' };
}

/** The key kept by an earlier sign-in in this tab, checked again. */
export async function resume(): Promise<Session | undefined> {
  const apiKey = sessionStorage.getItem(KEY_ITEM);
  if (!apiKey) return undefined;
  try {
    return await signIn(apiKey);
  } catch {
    signOut();
    return undefined;
  }
}

export function signOut(): void {
  sessionStorage.removeItem(KEY_ITEM);
}

/** Whether this tab holds a key: a 401 then means the key went bad, not that a sign-in was refused. */
export function isSignedIn(): boolean {
  return sessionStorage.getItem(KEY_ITEM) !== null;
}
