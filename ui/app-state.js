// Facts about the running app that several screens show, fetched from Rust once and shared.

import { invoke } from './ipc.js';

let appInfo;
let keychain;

/** Version, build profile, folders (the `app_info` command). */
export function getAppInfo() {
  appInfo ??= invoke('app_info');
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
