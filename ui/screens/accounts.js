// Accounts: the list, adding an account (OAuth app or API key), logging in through the browser,
// logging out, removing. The active account drives every other screen.

import { h, replaceChildren } from '../dom.js';
import { invoke } from '../ipc.js';
import { errorBanner } from '../errors.js';
import { getAccounts } from '../app-state.js';

const DEFAULT_CALLBACK = 'http://127.0.0.1:8917/callback';
const STATE_LABELS = { connected: 'Connected', logged_out: 'Not logged in', needs_login: 'Log in again' };

let container;
let login = null; // { accountId, authorizeUrl, browserOpened, error }

function relative(seconds) {
  const left = seconds - Date.now() / 1000;
  if (left <= 0) return 'expired';
  if (left < 3600) return `${Math.round(left / 60)} min`;
  if (left < 2 * 86400) return `${Math.round(left / 3600)} h`;
  return `${Math.round(left / 86400)} days`;
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Select and press Ctrl+C';
  }
  setTimeout(() => { button.textContent = 'Copy'; }, 2000);
}

function copyable(text, field) {
  const value = h('code', { class: 'copy-value', dataset: { field } }, text);
  const button = h('button', { type: 'button', class: 'button secondary small', onClick: () => copy(text, button) }, 'Copy');
  return h('div', { class: 'copy-row' }, value, button);
}

async function refresh() {
  await render(container);
}

async function act(action, banner) {
  try {
    await action();
  } catch (error) {
    banner.replaceChildren(errorBanner(error));
    return;
  }
  await getAccounts({ refresh: true });
  await refresh();
}

async function startLogin(account, banner) {
  try {
    const started = await invoke('login_start', { id: account.id });
    login = { accountId: account.id, authorizeUrl: started.authorizeUrl, browserOpened: started.browserOpened };
  } catch (error) {
    banner.replaceChildren(errorBanner(error));
    return;
  }
  await refresh();
  try {
    await invoke('login_wait');
    login = null;
  } catch (error) {
    login = error.code === 'cancelled' ? null : { accountId: account.id, error };
  }
  await getAccounts({ refresh: true });
  await refresh();
}

function showReopenError(account, error) {
  const panel = document.querySelector(`[data-account="${account.id}"] #login-panel`);
  if (panel) panel.append(errorBanner(error));
}

function loginPanel(account) {
  if (!login || login.accountId !== account.id) return null;
  if (login.error) {
    return h('div', { class: 'login-panel' }, errorBanner(login.error));
  }
  return h('div', { class: 'login-panel', id: 'login-panel' },
    h('p', { class: 'status-line' }, login.browserOpened
      ? 'Your browser opened Yespo\u2019s login page. Log in there and allow access; this window updates by itself.'
      : 'The browser could not be opened. Copy this link into your browser, log in and allow access.'),
    copyable(login.authorizeUrl, 'login-url'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button secondary', onClick: () => invoke('login_reopen').catch((e) => showReopenError(account, e)) }, 'Open again'),
      h('button', { type: 'button', class: 'button secondary', id: 'login-cancel', onClick: () => invoke('login_cancel') }, 'Cancel')));
}

function accountCard(account, active) {
  const banner = h('div', { class: 'card-banner' });
  const isOAuth = account.auth.kind === 'oauth';
  const facts = [
    h('dt', {}, 'Status'),
    h('dd', { dataset: { field: 'state' } }, STATE_LABELS[account.state] ?? account.state),
  ];
  if (account.organisation) {
    const label = account.state === 'connected' ? 'Connected as' : 'Last connected to';
    facts.push(h('dt', {}, label), h('dd', { dataset: { field: 'organisation' } }, account.organisation));
  }
  facts.push(h('dt', {}, 'Sign-in'), h('dd', {}, isOAuth ? `OAuth app ${account.auth.clientId}` : 'API key'));
  if (isOAuth) facts.push(h('dt', {}, 'Callback URL'), h('dd', {}, copyable(account.auth.callbackUrl, 'callback-url')));
  if (account.state === 'connected' && account.accessExpiresAt) {
    facts.push(h('dt', {}, 'Token renews in'), h('dd', {}, relative(account.accessExpiresAt)));
  }
  if (account.refreshExpiresAt && account.state === 'connected') {
    facts.push(h('dt', {}, 'Login valid for'), h('dd', {}, relative(account.refreshExpiresAt)));
  }
  const buttons = [];
  if (!active) buttons.push(h('button', { type: 'button', class: 'button secondary', onClick: () => act(() => invoke('account_select', { id: account.id }), banner) }, 'Make active'));
  const loggingIn = login && login.accountId === account.id && !login.error;
  if (isOAuth && account.state !== 'connected' && !loggingIn) {
    buttons.push(h('button', { type: 'button', class: 'button login', onClick: () => startLogin(account, banner) }, 'Log in'));
  }
  if (account.state === 'connected') {
    buttons.push(h('button', {
      type: 'button', class: 'button secondary check',
      onClick: async () => {
        try {
          await invoke('account_verify', { id: account.id });
          banner.replaceChildren(h('p', { class: 'status-line ok', dataset: { field: 'checked' } }, 'The connection works.'));
        } catch (error) {
          banner.replaceChildren(errorBanner(error));
          await getAccounts({ refresh: true });
        }
      },
    }, 'Check connection'));
  }
  if (isOAuth && account.state === 'connected') {
    buttons.push(h('button', { type: 'button', class: 'button secondary logout', onClick: () => act(() => invoke('account_logout', { id: account.id }), banner) }, 'Log out'));
  }
  buttons.push(h('button', {
    type: 'button', class: 'danger-link remove',
    onClick: () => { if (confirm(`Remove "${account.name}" and its secrets from this computer?`)) act(() => invoke('account_remove', { id: account.id }), banner); },
  }, 'Remove'));
  return h('section', { class: `card account${active ? ' active' : ''}`, dataset: { account: account.id, state: account.state } },
    h('header', { class: 'account-header' },
      h('h2', {}, account.name),
      active ? h('span', { class: 'badge active-badge' }, 'Active') : null,
      account.demo ? h('span', { class: 'badge demo-chip' }, 'Sandbox') : null),
    h('dl', { class: 'facts' }, facts),
    loginPanel(account),
    account.state === 'connected' && isOAuth
      ? h('p', { class: 'muted small-print' }, 'Log out forgets the tokens on this computer. To revoke the app fully, disconnect it under Connected apps in Yespo.')
      : null,
    h('div', { class: 'actions' }, buttons),
    banner);
}

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

function addForm(hasAccounts) {
  const banner = h('div');
  const kind = h('select', { name: 'kind' }, h('option', { value: 'oauth' }, 'OAuth app (recommended)'), h('option', { value: 'api_key' }, 'API key'));
  const name = h('input', { name: 'name', required: true, placeholder: 'My shop' });
  const apiBase = h('input', { name: 'apiBaseUrl', value: 'https://yespo.io/api' });
  const clientId = h('input', { name: 'clientId', autocomplete: 'off' });
  const clientSecret = h('input', { name: 'clientSecret', type: 'password', autocomplete: 'off' });
  const callback = h('input', { name: 'callbackUrl', value: DEFAULT_CALLBACK });
  const authorizeUrl = h('input', { name: 'authorizeUrl', value: 'https://uaa.yespo.io/uaa/oauth/authorize' });
  const tokenUrl = h('input', { name: 'tokenUrl', value: 'https://uaa.yespo.io/uaa/oauth/token' });
  const clientAuth = h('select', { name: 'clientAuth' }, h('option', { value: 'basic' }, 'HTTP Basic (default)'), h('option', { value: 'params' }, 'In the request body'));
  const apiKey = h('input', { name: 'apiKey', type: 'password', autocomplete: 'off' });
  const oauthFields = h('div', {},
    field('Client ID', clientId),
    field('Client Secret', clientSecret, 'Kept in the OS keychain only.'),
    field('Callback URL', callback, 'Must be exactly the Callback URL of the app\u2019s registration in Yespo (same host, port and path).'),
    h('details', {}, h('summary', {}, 'Advanced'),
      field('Authorize URL', authorizeUrl), field('Token URL', tokenUrl), field('Client authentication', clientAuth)));
  const keyFields = h('div', { hidden: true }, field('API key', apiKey, 'Kept in the OS keychain only.'));
  kind.addEventListener('change', () => {
    oauthFields.hidden = kind.value !== 'oauth';
    keyFields.hidden = kind.value !== 'api_key';
  });
  const form = h('form', { class: 'add-account', id: 'add-account' },
    field('Name', name), field('Sign in with', kind), field('API address', apiBase),
    oauthFields, keyFields, banner,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button' }, 'Add account')));
  const wrapper = h('details', { class: 'card add-account-card', open: !hasAccounts },
    h('summary', { class: 'add-account-summary' }, 'Add an account'), form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = { name: name.value, kind: kind.value, apiBaseUrl: apiBase.value };
    if (kind.value === 'oauth') {
      Object.assign(input, { clientId: clientId.value, clientSecret: clientSecret.value, callbackUrl: callback.value,
        authorizeUrl: authorizeUrl.value, tokenUrl: tokenUrl.value, clientAuth: clientAuth.value });
    } else {
      input.apiKey = apiKey.value;
    }
    await act(() => invoke('account_add', { input }), banner);
  });
  return wrapper;
}

export async function render(target) {
  container = target;
  const view = await getAccounts({ refresh: true });
  replaceChildren(container,
    h('header', { class: 'view-header' },
      h('h1', {}, 'Accounts'),
      h('p', { class: 'muted' }, 'Yespo accounts this app can work with. Secrets stay in the OS keychain.')),
    view.accounts.length === 0 ? h('p', { class: 'card muted', id: 'no-accounts' }, 'No account yet: add one below.') : null,
    view.accounts.map((a) => accountCard(a, a.id === view.active)),
    addForm(view.accounts.length > 0));
}
