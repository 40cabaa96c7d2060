/**
 * The credential the user pasted (the local admin key, an endpoint key or an Entra token), kept in
 * this tab's session storage only: it is gone when the tab closes and never shared with other tabs.
 */
const KEY = "batchfn.credential";

export const credentialStore = {
  get(): string | undefined {
    return sessionStorage.getItem(KEY) ?? undefined;
  },
  set(credential: string): void {
    sessionStorage.setItem(KEY, credential);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
