// The status bar: the active account, the keychain (and tokens waiting for it), and the app
// version.

import { h, replaceChildren } from './dom.js';
import {
  getAccounts, getAppInfo, getKeychainStatus, onAccountsChange, onKeychainChange, onSessionsChange, watchSessions,
} from './app-state.js';

export async function mount(bar) {
  const account = h('span', { class: 'status-item', id: 'status-account' }, 'No account connected');
  const keychain = h('span', { class: 'status-item', id: 'status-keychain' }, 'Keychain: checking…');
  const sessionWarning = h('span', { class: 'status-item status-warn', id: 'status-session-warning', hidden: true });
  const version = h('span', { class: 'status-item status-version', id: 'status-version' }, '');
  replaceChildren(bar, account, keychain, sessionWarning, h('span', { class: 'status-spacer' }), version);

  // New tokens the keychain refused live in memory only: say so until they are saved.
  onSessionsChange((status) => {
    const warnings = status.warnings;
    sessionWarning.hidden = warnings.length === 0;
    sessionWarning.dataset.code = warnings[0]?.error.code ?? '';
    sessionWarning.textContent = warnings.length === 1
      ? 'Keychain unavailable: a new login is kept in memory'
      : `Keychain unavailable: ${warnings.length} new logins are kept in memory`;
    sessionWarning.title = warnings.map((w) => w.error.message).join('\n');
  });
  watchSessions().catch((error) => {
    sessionWarning.hidden = false;
    sessionWarning.textContent = 'Session status unavailable';
    sessionWarning.title = error.message;
  });

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
      const status = { connected: active.organisation ?? 'connected', needs_login: 'log in again', logged_out: 'not logged in' }[active.state] ?? 'unknown state';
      account.textContent = `${prefix}${active.name} · ${status}`;
    }
    account.className = info.demo ? 'status-item status-demo' : 'status-item';
    account.title = info.demo ? `The embedded Yespo sandbox answers at ${info.demo.sandboxUrl}` : 'The active account';
  };
  onAccountsChange(showAccount);
  getAccounts().then(showAccount, () => {});
}
