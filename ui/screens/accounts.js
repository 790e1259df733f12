// Accounts: the list, adding and editing an account (OAuth app or API key), logging in through
// the browser, logging out, removing. The active account drives every other screen.

import { h, replaceChildren } from '../dom.js';
import { invoke } from '../ipc.js';
import { errorBanner } from '../errors.js';
import { getAccounts, onAccountsChange } from '../app-state.js';
import { copyable } from '../copy.js';
import { confirmBox, emptyState, loadingLine } from '../states.js';

const DEFAULT_CALLBACK = 'http://127.0.0.1:8917/callback';
const STATE_LABELS = {
  connected: 'Connected', logged_out: 'Not logged in', needs_login: 'Log in again', unknown: 'Unknown (set by a newer version)',
};

let container;
let cards; // the part re-drawn when accounts change in the background
/** The login shown in a card: { loginId, accountId, authorizeUrl, browserOpened, reused } or { …, error }. */
let login = null;
/** Logins this window already waits for (a double click must not wait twice). */
const waiting = new Set();
/** The account whose Edit form is open (background updates then leave the cards alone). */
let editing = null;
/** Accounts with network work running: their buttons stay disabled, also across a redraw. */
const busy = new Set();
/** Each card's message area, kept across redraws so an answer is not wiped by a background update. */
const banners = new Map();

function bannerOf(accountId) {
  if (!banners.has(accountId)) banners.set(accountId, h('div', { class: 'card-banner' }));
  return banners.get(accountId);
}

/** When the app renews the access token: at 80% of its life, as the core does. */
function renewsAt(account) {
  const { accessObtainedAt: obtained, accessExpiresAt: expires } = account;
  if (!expires) return null;
  return obtained ? obtained + Math.floor(((expires - obtained) * 4) / 5) : expires;
}

function relative(seconds, past = 'expired') {
  const left = seconds - Date.now() / 1000;
  if (left <= 0) return past;
  if (left < 3600) return `${Math.max(1, Math.round(left / 60))} min`;
  if (left < 2 * 86400) return `${Math.round(left / 3600)} h`;
  return `${Math.round(left / 86400)} days`;
}

/**
 * Run network work with the buttons disabled, so a double click cannot start it twice. A card
 * stays busy across redraws (by account id) and is redrawn when the work ends.
 */
async function whileBusy(element, work) {
  const account = element.dataset.account;
  const buttons = [...element.querySelectorAll('button')].filter((b) => !b.disabled);
  buttons.forEach((b) => { b.disabled = true; });
  if (account) busy.add(account);
  element.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
    element.removeAttribute('aria-busy');
    if (account) busy.delete(account);
    // The card was redrawn while busy (an account change came in): its new buttons were drawn
    // disabled, so draw it again now that the work is over.
    if (account && !element.isConnected) drawCards();
  }
}

async function act(card, action, banner) {
  banner.replaceChildren();
  try {
    await whileBusy(card, action);
  } catch (error) {
    banner.replaceChildren(errorBanner(error));
    return;
  }
  await reload();
}

async function startLogin(card, account, banner) {
  banner.replaceChildren();
  let started;
  try {
    started = await whileBusy(card, () => invoke('login_start', { id: account.id }));
  } catch (error) {
    banner.replaceChildren(errorBanner(error));
    return;
  }
  login = started;
  await drawCards();
  await waitForLogin(started);
}

/** Wait for a login to end; only the login still shown may change what the card shows. */
async function waitForLogin(started) {
  if (waiting.has(started.loginId)) return;
  waiting.add(started.loginId);
  try {
    await invoke('login_wait', { loginId: started.loginId });
    if (login?.loginId === started.loginId) login = null;
  } catch (error) {
    if (login?.loginId === started.loginId) {
      login = error.code === 'cancelled' ? null : { loginId: started.loginId, accountId: started.accountId, error };
    }
  } finally {
    waiting.delete(started.loginId);
  }
  await reload();
}

function loginPanel(account) {
  if (!login || login.accountId !== account.id) return null;
  if (login.error) {
    return h('div', { class: 'login-panel' }, errorBanner(login.error));
  }
  let text;
  if (login.browserOpened) text = 'Your browser opened Yespo\u2019s login page. Log in there and allow access; this window updates by itself.';
  else if (login.reused) text = 'This login is already waiting in your browser. Finish it there, or open the page again.';
  else text = 'The browser could not be opened. Copy this link into your browser, log in and allow access.';
  const banner = h('div');
  const reopen = h('button', {
    type: 'button', class: 'button secondary',
    onClick: () => invoke('login_reopen').then(() => banner.replaceChildren(), (e) => banner.replaceChildren(errorBanner(e))),
  }, 'Open again');
  const cancel = h('button', {
    type: 'button', class: 'button secondary', id: 'login-cancel',
    onClick: async () => {
      cancel.disabled = true;
      reopen.disabled = true;
      await invoke('login_cancel').catch((e) => banner.replaceChildren(errorBanner(e)));
    },
  }, 'Cancel');
  return h('div', { class: 'login-panel', id: 'login-panel', dataset: { loginId: String(login.loginId) } },
    h('p', { class: 'status-line' }, text),
    copyable(login.authorizeUrl, 'login-url'),
    h('div', { class: 'login-actions' }, reopen, cancel),
    banner);
}

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
}

function clientAuthSelect(value) {
  const select = h('select', { name: 'clientAuth' },
    h('option', { value: 'basic' }, 'HTTP Basic (default)'),
    h('option', { value: 'params' }, 'In the request body'));
  if (value === 'basic' || value === 'params') select.value = value;
  return select;
}

/** The Edit form of a card: only what changed is sent; an empty secret keeps the old one. */
function editForm(card, account, banner) {
  const isOAuth = account.auth.kind === 'oauth';
  const name = h('input', { name: 'name', value: account.name, required: true });
  const callback = isOAuth ? h('input', { name: 'callbackUrl', value: account.auth.callbackUrl }) : null;
  const clientAuth = isOAuth ? clientAuthSelect(account.auth.clientAuth) : null;
  const secret = h('input', { name: isOAuth ? 'clientSecret' : 'apiKey', type: 'password', autocomplete: 'off', placeholder: 'unchanged' });
  const form = h('form', { class: 'edit-account' },
    field('Name', name),
    isOAuth ? field('Callback URL', callback, 'Must be exactly the Callback URL of the app\u2019s registration in Yespo.') : null,
    isOAuth ? field('Client authentication', clientAuth) : null,
    field(isOAuth ? 'Client Secret' : 'API key', secret,
      isOAuth ? 'Leave empty to keep the current one. Kept in the OS keychain only.' : 'Leave empty to keep the current key. A new key is checked with Yespo first.'),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button save-edit' }, 'Save'),
      h('button', { type: 'button', class: 'button secondary', onClick: () => { editing = null; drawCards(); } }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const edit = {};
    if (name.value !== account.name) edit.name = name.value;
    if (isOAuth && callback.value !== account.auth.callbackUrl) edit.callbackUrl = callback.value;
    if (isOAuth && clientAuth.value !== account.auth.clientAuth) edit.clientAuth = clientAuth.value;
    if (secret.value.trim()) edit[isOAuth ? 'clientSecret' : 'apiKey'] = secret.value;
    banner.replaceChildren(loadingLine(!isOAuth && edit.apiKey ? 'Checking the new key with Yespo…' : 'Saving…'));
    try {
      await whileBusy(form, () => invoke('account_edit', { id: account.id, edit }));
    } catch (error) {
      banner.replaceChildren(errorBanner(error));
      return;
    }
    banner.replaceChildren();
    editing = null;
    await reload();
  });
  return form;
}

function accountCard(account, active, warning) {
  const banner = bannerOf(account.id);
  const card = h('section', { class: `card account${active ? ' active' : ''}`, dataset: { account: account.id, state: account.state } });
  const isOAuth = account.auth.kind === 'oauth';
  const known = isOAuth || account.auth.kind === 'api_key';
  const facts = [
    h('dt', {}, 'Status'),
    h('dd', { dataset: { field: 'state' } }, STATE_LABELS[account.state] ?? STATE_LABELS.unknown),
  ];
  if (account.organisation) {
    const label = account.state === 'connected' ? 'Connected as' : 'Last connected to';
    facts.push(h('dt', {}, label), h('dd', { dataset: { field: 'organisation' } }, account.organisation));
  }
  const signIn = { oauth: `OAuth app ${account.auth.clientId}`, api_key: 'API key' }[account.auth.kind]
    ?? 'Unknown (added by a newer version of Yespo Admin)';
  facts.push(h('dt', {}, 'Sign-in'), h('dd', {}, signIn));
  if (isOAuth) facts.push(h('dt', {}, 'Callback URL'), h('dd', {}, copyable(account.auth.callbackUrl, 'callback-url')));
  const renews = renewsAt(account);
  if (account.state === 'connected' && renews) {
    facts.push(h('dt', {}, 'Token renews in'), h('dd', { dataset: { field: 'renews' } }, relative(renews, 'at the next request')));
  }
  if (account.refreshExpiresAt && account.state === 'connected') {
    facts.push(h('dt', {}, 'Login valid for'), h('dd', {}, relative(account.refreshExpiresAt)));
  }
  const buttons = [];
  if (!active) buttons.push(h('button', { type: 'button', class: 'button secondary', onClick: () => act(card, () => invoke('account_select', { id: account.id }), banner) }, 'Make active'));
  const loggingIn = login && login.accountId === account.id && !login.error;
  if (isOAuth && account.state !== 'connected' && !loggingIn) {
    buttons.push(h('button', { type: 'button', class: 'button login', onClick: () => startLogin(card, account, banner) }, 'Log in'));
  }
  if (account.state === 'connected') {
    buttons.push(h('button', {
      type: 'button', class: 'button secondary check',
      onClick: async () => {
        banner.replaceChildren(loadingLine('Checking the connection with Yespo…'));
        try {
          await whileBusy(card, () => invoke('account_verify', { id: account.id }));
          banner.replaceChildren(h('p', { class: 'status-line ok', dataset: { field: 'checked' } }, 'The connection works.'));
        } catch (error) {
          banner.replaceChildren(errorBanner(error));
          await getAccounts({ refresh: true });
        }
      },
    }, 'Check connection'));
  }
  if (isOAuth && account.state === 'connected') {
    buttons.push(h('button', { type: 'button', class: 'button secondary logout', onClick: () => act(card, () => invoke('account_logout', { id: account.id }), banner) }, 'Log out'));
  }
  if (known && editing !== account.id) {
    buttons.push(h('button', { type: 'button', class: 'button secondary edit', onClick: () => { editing = account.id; banner.replaceChildren(); drawCards(); } }, 'Edit'));
  }
  // Asked in the card (a native confirm() is not shown by every platform's web view).
  buttons.push(h('button', {
    type: 'button', class: 'danger-link remove',
    onClick: () => banner.replaceChildren(confirmBox(`Remove “${account.name}” and its secrets from this computer?`, {
      detail: `Its ${isOAuth ? 'Client Secret and tokens leave' : 'API key leaves'} the keychain; nothing in Yespo changes. To use it again, add it again${isOAuth ? '' : ' with its key'}.`,
      confirmLabel: 'Remove', busyLabel: 'Removing…',
      onConfirm: () => act(card, () => invoke('account_remove', { id: account.id }), banner),
      onCancel: () => banner.replaceChildren(),
    })),
  }, 'Remove'));
  if (busy.has(account.id)) {
    buttons.forEach((b) => { b.disabled = true; });
    card.setAttribute('aria-busy', 'true');
  }
  replaceChildren(card,
    h('header', { class: 'account-header' },
      h('h2', {}, account.name),
      active ? h('span', { class: 'badge active-badge' }, 'Active') : null,
      account.demo ? h('span', { class: 'badge demo-chip' }, 'Sandbox') : null),
    h('dl', { class: 'facts' }, facts),
    warning ? h('div', { class: 'card-warning', dataset: { field: 'warning' } }, errorBanner(warning.error)) : null,
    loginPanel(account),
    account.state === 'connected' && isOAuth
      ? h('p', { class: 'muted small-print' }, 'Log out forgets the tokens on this computer. To revoke the app fully, disconnect it under Connected apps in Yespo.')
      : null,
    editing === account.id ? editForm(card, account, banner) : h('div', { class: 'actions' }, buttons),
    banner);
  return card;
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
  const clientAuth = clientAuthSelect('basic');
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
    banner.replaceChildren(loadingLine(kind.value === 'api_key' ? 'Checking the key with Yespo…' : 'Adding the account…'));
    try {
      await whileBusy(form, () => invoke('account_add', { input }));
    } catch (error) {
      banner.replaceChildren(errorBanner(error));
      return;
    }
    await getAccounts({ refresh: true });
    await render(container);
  });
  return wrapper;
}

/** The account list was damaged: say where the old file is, so nothing is lost for good. */
function damagedNotice(path) {
  return h('div', { class: 'card notice', id: 'damaged-accounts', role: 'status' },
    h('p', {}, h('strong', {}, 'The account list could not be read, '),
      'so the app started with an empty one. The damaged file was kept aside here:'),
    copyable(path, 'damaged-file'),
    h('p', { class: 'muted small-print' }, 'Add your accounts again below. The file never held secrets: have each account\u2019s Client Secret or API key at hand.'));
}

async function drawCards(view) {
  if (!cards) return;
  view ??= await getAccounts();
  const warnings = view.warnings ?? [];
  replaceChildren(cards,
    view.accounts.length === 0 ? h('div', { id: 'no-accounts' },
      emptyState('No account yet: add one below', 'An OAuth app registered in Yespo (recommended), or an API key. Secrets stay in the OS keychain.')) : null,
    view.accounts.map((a) => accountCard(a, a.id === view.active, warnings.find((w) => w.accountId === a.id))));
}

/** Pick up a login started before the window was reloaded. */
async function resumeLogin() {
  if (login) return;
  const pending = await invoke('login_status').catch(() => null);
  if (!pending || login) return;
  login = { ...pending, browserOpened: false, reused: true };
  await drawCards();
  waitForLogin(pending);
}

/** Read the list again and redraw the cards (once: the listener below draws unless editing). */
async function reload() {
  const view = await getAccounts({ refresh: true });
  if (editing !== null) await drawCards(view);
}

// The account list was read again (after an action here, or a change in the background such as
// a refresh or "Log in again"): redraw the cards, unless the user is typing in an Edit form.
onAccountsChange((view) => {
  if (cards?.isConnected && editing === null) drawCards(view);
});

export async function render(target) {
  container = target;
  banners.clear();
  const header = h('header', { class: 'view-header' },
    h('h1', {}, 'Accounts'),
    h('p', { class: 'muted' }, 'Yespo accounts this app can work with. Secrets stay in the OS keychain.'));
  const waiting = loadingLine('Reading the account list…');
  replaceChildren(container, header, waiting);
  let view;
  try {
    view = await getAccounts({ refresh: true });
  } catch (error) {
    if (waiting.isConnected) waiting.replaceWith(errorBanner(error, { onRetry: () => render(target) }));
    return;
  }
  // Another screen was drawn meanwhile: it stays.
  if (!waiting.isConnected) return;
  cards = h('div', { id: 'account-cards' });
  replaceChildren(container,
    header,
    view.damagedFileKeptAt ? damagedNotice(view.damagedFileKeptAt) : null,
    cards,
    addForm(view.accounts.length > 0));
  await drawCards(view);
  await resumeLogin();
}
