// The status bar: the active account, the keychain, and the app version.

import { h, replaceChildren } from './dom.js';
import { getAppInfo, getKeychainStatus, onKeychainChange } from './app-state.js';

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
  if (info.demo) {
    account.className = 'status-item status-demo';
    account.textContent = 'Demo mode: Yespo sandbox, no real account';
    account.title = `The embedded Yespo sandbox answers at ${info.demo.sandboxUrl}`;
  }
}
