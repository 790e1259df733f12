// The status bar: the active account, the keychain, and the app version.

import { h, replaceChildren } from './dom.js';
import { getAccounts, getAppInfo, getKeychainStatus, onAccountsChange, onKeychainChange } from './app-state.js';

export async function mount(bar) {
  const account = h('span', { class: 'status-item', id: 'status-account' }, 'No account connected');
  const keychain = h('span', { class: 'status-item', id: 'status-keychain' }, 'Keychain: checking…');
  const version = h('span', { class: 'status-item status-version', id: 'status-version' }, '');
  replaceChildren(bar, account, keychain, h('span', { class: 'status-spacer' }), version);

  const showKeychain = async () => {
    try {
      const status = await getKeychainStatus();
      keychain.className = 'status-item status-ok';
      keychain.textContent = `Keychain: ${status.backend}`;
      keychain.title = 'Secrets are stored in the OS keychain';
    } catch (error) {
      keychain.className = 'status-item status-warn';
      keychain.textContent = 'Keychain unavailable';
      keychain.title = error.message;
    }
  };
  onKeychainChange(showKeychain);
  showKeychain();

  const info = await getAppInfo();
  version.textContent = `v${info.version} · ${info.buildProfile}`;
  const showAccount = (view) => {
    const active = view.accounts.find((a) => a.id === view.active);
    const prefix = info.demo ? 'Demo mode · ' : '';
    if (!active) {
      account.textContent = info.demo ? 'Demo mode: Yespo sandbox, no real account' : 'No account connected';
    } else {
      const status = { connected: active.organisation ?? 'connected', needs_login: 'log in again', logged_out: 'not logged in' }[active.state];
      account.textContent = `${prefix}${active.name} · ${status}`;
    }
    account.className = info.demo ? 'status-item status-demo' : 'status-item';
    account.title = info.demo ? `The embedded Yespo sandbox answers at ${info.demo.sandboxUrl}` : 'The active account';
  };
  onAccountsChange(showAccount);
  getAccounts().then(showAccount, () => {});
}
