// Facts about the running app that several screens show, fetched from Rust once and shared.

import { invoke } from './ipc.js';

let appInfo;
let keychain;

/** Version, build profile, folders (the `app_info` command); asked again after a failure. */
export function getAppInfo() {
  appInfo ??= invoke('app_info').catch((error) => { appInfo = null; throw error; });
  return appInfo;
}

/** Whether the OS keychain answers; `refresh` asks again (after the user unlocked it). */
export function getKeychainStatus({ refresh = false } = {}) {
  if (refresh || !keychain) {
    keychain = invoke('keychain_status');
    keychain.then(() => notify(), () => notify());
  }
  return keychain;
}

const listeners = new Set();
/** Called whenever the keychain status was fetched again. */
export function onKeychainChange(listener) {
  listeners.add(listener);
}
function notify() {
  for (const listener of listeners) listener();
}

let accounts;
const accountListeners = new Set();

/** The account list and the active account (the `accounts_list` command). */
export function getAccounts({ refresh = false } = {}) {
  if (refresh || !accounts) {
    accounts = invoke('accounts_list');
    accounts.then((value) => { for (const l of accountListeners) l(value); }, () => {});
  }
  return accounts;
}

/** Called whenever the account list was fetched again. */
export function onAccountsChange(listener) {
  accountListeners.add(listener);
}

let sessions = { revision: 0, warnings: [] };
const sessionListeners = new Set();
let watching = false;

/**
 * Follow the sessions' status from Rust over a Channel (the `sessions_watch` command): warnings
 * (new tokens waiting in memory for the keychain) and a revision that moves when an account
 * changed in the background; the account list is then read again.
 */
export function watchSessions() {
  const Channel = window.__TAURI__?.core?.Channel;
  if (watching || !Channel) return Promise.resolve();
  watching = true;
  const channel = new Channel();
  channel.onmessage = (status) => {
    const moved = status.revision !== sessions.revision;
    sessions = status;
    for (const listener of sessionListeners) listener(status);
    if (moved) getAccounts({ refresh: true });
  };
  return invoke('sessions_watch', { onChange: channel });
}

/** The latest sessions status. */
export function getSessions() {
  return sessions;
}

/** Called with every new sessions status. */
export function onSessionsChange(listener) {
  sessionListeners.add(listener);
}
