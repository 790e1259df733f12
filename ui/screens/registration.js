// Registration check: whether an OAuth app registered in Yespo will work with this app, and
// what to fix. The form takes an account of the app or its details typed in; "Check" runs what
// needs no browser, "Log in and check" the whole login once. The report shows the verdicts
// first, then each check in full; it exports to Markdown or JSON and copies as text. The Client
// Secret goes to Rust for the check only and never comes back.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke } from '../ipc.js';
import { copyable } from '../copy.js';
import { getAccounts } from '../app-state.js';
import { bytes, when } from '../format.js';
import { loadingLine } from '../states.js';

/** @typedef {import('../types/ipc').Report} Report */
/** @typedef {import('../types/ipc').CheckResult} CheckResult */
/** @typedef {import('../types/ipc').CheckInput} CheckInput */
/** @typedef {import('../types/ipc').RightsMatrix} RightsMatrix */
/** @typedef {import('../types/ipc').LogoFacts} LogoFacts */
/** @typedef {import('../types/ipc').Verdict} Verdict */

const BY_HAND = '';
const VERDICT_WORD = { pass: 'Pass', warn: 'Warning', fail: 'Fail', skipped: 'Not run' };

/** What the screen keeps while it is away (the form and the last report). */
const state = {
  /** @type {string | null} null until the first render picks one */
  app: null,
  clientId: '',
  callbackUrl: '',
  /** @type {string | null} */
  logoPath: null,
  /** @type {Report | null} */
  report: null,
  /** @type {string | null} the round trip's page while it waits */
  loginUrl: null,
  busy: false,
};

/**
 * The screen on show: a check that ends after its screen was left and drawn again updates the
 * new one.
 * @type {{ drawLogo: () => void, drawReport: () => void, setBusy: (on: boolean) => void } | null}
 */
let view = null;

/** A file dropped on the window while this screen shows: the logo to check. */
export function openPaths(paths) {
  state.logoPath = paths[0] ?? null;
  view?.drawLogo();
}

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input,
    hint ? h('span', { class: 'field-hint' }, hint) : null);
}

/** @param {Verdict} verdict */
function verdictBadge(verdict) {
  return h('span', { class: `verdict verdict-${verdict}`, dataset: { verdict } }, VERDICT_WORD[verdict] ?? verdict);
}

/** @param {RightsMatrix} m */
function rightsMatrix(m) {
  return h('div', { class: 'rights-matrix' },
    h('p', {}, 'Named right: ', h('strong', { dataset: { field: 'named-right' } }, m.rightLabel), ` (${m.tokenFrom}).`),
    h('table', { class: 'plain-table', id: 'rights-matrix' },
      h('thead', {}, h('tr', {}, ['Method group', 'Probe', 'Result', 'Why the probe is harmless'].map((t) => h('th', {}, t)))),
      h('tbody', {}, m.probes.map((p) => h('tr', { dataset: { group: p.group, access: p.access } },
        h('td', {}, p.groupLabel),
        h('td', {}, h('code', {}, p.request)),
        h('td', { class: `access access-${p.access}`, title: p.note },
          p.access === 'allowed' ? 'Allowed' : p.access === 'denied' ? 'Denied' : 'Not known',
          p.status ? h('span', { class: 'muted' }, ` (HTTP ${p.status})`) : null),
        h('td', { class: 'small-print' }, p.harmless))))),
    h('table', { class: 'plain-table', id: 'feature-access' },
      h('thead', {}, h('tr', {}, ['Feature of this app', 'Works', 'Needs'].map((t) => h('th', {}, t)))),
      h('tbody', {}, m.features.map((f) => h('tr', { dataset: { feature: f.feature, works: String(f.works) } },
        h('td', {}, f.feature),
        h('td', { class: f.works ? 'access access-allowed' : 'access access-denied' }, f.works ? 'Yes' : 'No'),
        h('td', { class: 'small-print' }, f.needs.join(', ')))))));
}

/** @param {LogoFacts} l */
function logoFacts(l) {
  const size = l.width && l.height ? `${l.width}×${l.height}` : 'size unknown';
  return h('div', { class: 'logo-facts' },
    l.preview
      ? h('figure', { class: 'logo-preview' },
        h('div', { class: 'logo-frame' }, h('img', { src: l.preview, alt: 'The logo as Yespo’s authorization form shows it', width: 96, height: 96 })),
        h('figcaption', { class: 'muted small-print' }, 'As the form shows it (96×96)'))
      : null,
    h('dl', { class: 'facts' },
      h('dt', {}, 'File'), h('dd', {}, l.fileName),
      h('dt', {}, 'Format'), h('dd', {}, l.format ?? 'unknown'),
      h('dt', {}, 'Size'), h('dd', {}, `${size}, ${bytes(l.bytes)}`)));
}

/** @param {CheckResult} c */
function checkDetails(c) {
  const data = c.data;
  // The rights matrix says per group what the findings would: keep only what needs attention.
  const findings = data?.kind === 'rights' ? c.findings.filter((f) => f.verdict !== 'pass') : c.findings;
  return h('section', { class: 'card wide check-card', id: `check-${c.id}`, dataset: { check: c.id, verdict: c.verdict } },
    h('h2', {}, verdictBadge(c.verdict), ' ', c.title),
    h('p', { dataset: { field: 'summary' } }, c.summary),
    c.fix ? h('p', { class: 'fix', dataset: { field: 'fix' } }, h('strong', {}, 'Fix: '), c.fix) : null,
    c.copy ? h('div', { class: 'exact-value' }, h('span', { class: 'field-label' }, c.id === 'callback_url' ? 'The exact Callback URL to register' : 'The exact value'), copyable(c.copy, 'copy')) : null,
    findings.length
      ? h('ul', { class: 'findings' }, findings.map((f) => h('li', { dataset: { verdict: f.verdict } }, f.text)))
      : null,
    data?.kind === 'rights' ? rightsMatrix(data) : null,
    data?.kind === 'logo' ? logoFacts(data) : null);
}

/** @param {Report} r */
function verdictsFirst(r) {
  const failing = r.checks.filter((c) => c.verdict === 'fail').length;
  const warning = r.checks.filter((c) => c.verdict === 'warn').length;
  const headline = failing
    ? `${failing} ${failing === 1 ? 'check fails' : 'checks fail'}: the registration needs a fix.`
    : warning ? `It will work, with ${warning} ${warning === 1 ? 'warning' : 'warnings'}.` : 'Everything checked works.';
  return h('section', { class: `card wide verdicts verdicts-${r.verdict}`, id: 'registration-verdicts', dataset: { verdict: r.verdict } },
    h('h2', {}, verdictBadge(r.verdict), ' ', headline),
    h('p', { class: 'muted small-print' }, `Checked ${when(r.checkedAt)} · Client ID `, h('code', {}, r.subject.clientId),
      r.subject.accountName ? ` · account “${r.subject.accountName}”` : '', ' · the Client Secret is not shown or saved by the check.'),
    h('ol', { class: 'verdict-list' }, r.checks.map((c) => h('li', { dataset: { check: c.id, verdict: c.verdict } },
      verdictBadge(c.verdict),
      h('a', { href: `#/registration`, class: 'verdict-title', onClick: (e) => { e.preventDefault(); document.getElementById(`check-${c.id}`)?.scrollIntoView({ behavior: 'smooth' }); } }, c.title),
      h('span', { class: 'verdict-summary' }, c.summary),
      c.fix ? h('span', { class: 'verdict-fix' }, c.fix) : null))));
}

function reportActions(banner) {
  const done = (text) => banner.replaceChildren(h('p', { class: 'status-line ok', dataset: { field: 'export-status' } }, text));
  const fail = (e) => banner.replaceChildren(errorBanner(e));
  const exportAs = (format) => invoke('registration_export', { format })
    .then((path) => { if (path) done(`Saved to ${path}`); }, fail);
  return h('div', { class: 'actions report-actions' },
    h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'export-markdown' }, onClick: () => exportAs('markdown') }, 'Export Markdown'),
    h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'export-json' }, onClick: () => exportAs('json') }, 'Export JSON'),
    h('button', {
      type: 'button', class: 'button secondary small', dataset: { action: 'copy-text' },
      onClick: async () => {
        try {
          const text = await invoke('registration_text');
          await navigator.clipboard.writeText(text);
          done('The report is on the clipboard.');
        } catch (e) { fail(e); }
      },
    }, 'Copy as text'));
}

/**
 * After a check of an app typed in whose credentials Yespo accepts: keep it as an account. Only
 * now does the Client Secret go to the keychain.
 * @param {Report} report @param {HTMLInputElement} secret @param {HTMLElement} container
 */
function addAsAccount(report, secret, container) {
  const banner = h('div');
  const name = h('input', { name: 'accountName', value: 'My app', 'aria-label': 'Account name' });
  const add = async (event) => {
    event.preventDefault();
    const e = report.subject.endpoints;
    try {
      const account = await invoke('account_add', {
        input: {
          name: name.value, kind: 'oauth', apiBaseUrl: e.apiBaseUrl, authorizeUrl: e.authorizeUrl, tokenUrl: e.tokenUrl,
          clientId: report.subject.clientId, clientSecret: secret.value, callbackUrl: report.subject.appSends,
          clientAuth: report.workingClientAuth,
        },
      });
      await getAccounts({ refresh: true });
      state.app = account.id;
      state.report = null;
      await render(container);
    } catch (err) {
      banner.replaceChildren(errorBanner(err));
    }
  };
  return h('form', { class: 'card wide add-as-account', id: 'registration-add-account', onSubmit: add },
    h('p', {}, `Yespo accepts this app’s Client ID and Secret (${report.workingClientAuth === 'basic' ? 'HTTP Basic' : 'parameters in the body'}). Keep it as an account to use it in this app; the Client Secret then goes to the keychain.`),
    h('div', { class: 'actions' }, name, h('button', { type: 'submit', class: 'button secondary small' }, 'Add as an account')),
    banner);
}

function loginPanel() {
  if (!state.loginUrl) return null;
  const banner = h('div');
  return h('div', { class: 'login-panel', id: 'registration-login-panel' },
    h('p', { class: 'status-line' }, 'Your browser opened Yespo’s login page for this app. Log in there and allow access; the check goes on by itself.'),
    copyable(state.loginUrl, 'login-url'),
    h('div', { class: 'login-actions' },
      h('button', { type: 'button', class: 'button secondary', onClick: () => invoke('registration_login_reopen').catch((e) => banner.replaceChildren(errorBanner(e))) }, 'Open again'),
      h('button', { type: 'button', class: 'button secondary', id: 'registration-login-cancel', onClick: () => invoke('registration_login_cancel') }, 'Cancel')),
    banner);
}

export async function render(container) {
  const intro = h('header', { class: 'view-header' },
    h('h1', {}, 'Registration check'),
    h('p', { class: 'muted' }, 'Tells whether an OAuth app registered in Yespo will work — Callback URL, Client ID and Secret, access rights, logo — and what to fix.'));
  const waiting = loadingLine('Reading the accounts…');
  replaceChildren(container, intro, waiting);
  let accounts;
  let active;
  let setup;
  try {
    [{ accounts, active }, setup] = await Promise.all([getAccounts({ refresh: true }), invoke('registration_setup')]);
  } catch (error) {
    if (waiting.isConnected) waiting.replaceWith(errorBanner(error, { onRetry: () => render(container) }));
    return;
  }
  // Another screen was drawn meanwhile: it stays.
  if (!waiting.isConnected) return;
  const apps = accounts.filter((a) => a.auth.kind === 'oauth');
  const byId = (id) => apps.find((a) => a.id === id);
  if (state.app === null || (state.app !== BY_HAND && !byId(state.app))) {
    state.app = byId(active)?.id ?? apps[0]?.id ?? BY_HAND;
    prefill(byId(state.app), setup);
  }
  const banner = h('div', { id: 'registration-error' });
  const reportBanner = h('div');
  const logoSlot = h('div', { class: 'logo-pick' });
  const loginSlot = h('div');
  const reportSlot = h('div');

  const appSelect = h('select', {
    name: 'app',
    onChange: () => { state.app = appSelect.value; state.report = null; prefill(byId(state.app), setup); render(container); },
  },
  apps.map((a) => h('option', { value: a.id, selected: a.id === state.app }, `${a.name} (account)`)),
  h('option', { value: BY_HAND, selected: state.app === BY_HAND }, 'Enter the app’s details by hand'));
  const clientId = h('input', { name: 'clientId', value: state.clientId, autocomplete: 'off', spellcheck: 'false', onInput: () => { state.clientId = clientId.value; } });
  // Never filled in from anywhere: the secret only goes one way.
  const secret = h('input', {
    name: 'clientSecret', type: 'password', autocomplete: 'off',
    placeholder: state.app === BY_HAND ? 'From the app’s page in Yespo' : 'Leave empty to use the one in the keychain',
  });
  const callback = h('input', { name: 'callbackUrl', value: state.callbackUrl, spellcheck: 'false', onInput: () => { state.callbackUrl = callback.value; } });

  const drawLogo = () => replaceChildren(logoSlot,
    state.logoPath
      ? [h('code', { dataset: { field: 'logo-path' } }, state.logoPath),
        h('button', { type: 'button', class: 'link-button', onClick: () => { state.logoPath = null; drawLogo(); } }, 'Remove')]
      : h('span', { class: 'muted' }, 'Drop a PNG, JPG or GIF on the window, or'),
    h('button', {
      type: 'button', class: 'button secondary small', dataset: { action: 'choose-logo' },
      onClick: async () => {
        const path = await invoke('registration_logo_pick').catch((e) => { banner.replaceChildren(errorBanner(e)); return null; });
        if (path) { state.logoPath = path; drawLogo(); }
      },
    }, state.logoPath ? 'Choose another…' : 'Choose a file…'));

  const drawReport = () => {
    replaceChildren(loginSlot, loginPanel());
    const report = state.report;
    replaceChildren(reportSlot, report ? h('div', { id: 'registration-report', dataset: { verdict: report.verdict } },
      verdictsFirst(report), reportActions(reportBanner), reportBanner,
      !report.subject.accountId && report.workingClientAuth ? addAsAccount(report, secret, container) : null,
      report.checks.map(checkDetails)) : null);
  };

  /** @returns {CheckInput} */
  const input = () => ({
    accountId: state.app === BY_HAND ? null : state.app,
    clientId: clientId.value,
    clientSecret: secret.value || null,
    callbackUrl: callback.value,
    logoPath: state.logoPath,
  });

  const check = h('button', { type: 'submit', class: 'button', dataset: { action: 'check' } }, 'Check');
  const login = h('button', {
    type: 'button', class: 'button secondary', dataset: { action: 'login-check' },
    title: 'Runs every check, with one real login through your browser',
    onClick: () => run('registration_login'),
  }, 'Log in and check');
  const busy = h('span', { class: 'muted loading-line', id: 'registration-busy', role: 'status', hidden: true }, 'Checking…');
  const setBusy = (on) => {
    state.busy = on;
    check.disabled = on;
    login.disabled = on;
    busy.hidden = !on;
    form.setAttribute('aria-busy', on ? 'true' : 'false');
  };

  async function run(command) {
    setBusy(true);
    banner.replaceChildren();
    try {
      const args = { input: input() };
      if (command === 'registration_login') {
        const events = new window.__TAURI__.core.Channel();
        events.onmessage = (event) => { if (event.kind === 'browser') { state.loginUrl = event.authorizeUrl; view?.drawReport(); } };
        args.onEvent = events;
      }
      state.report = await invoke(command, args);
    } catch (e) {
      banner.replaceChildren(errorBanner(e));
    } finally {
      state.loginUrl = null;
      view?.setBusy(false);
      view?.drawReport();
      if (state.report) document.getElementById('registration-verdicts')?.scrollIntoView({ block: 'start' });
    }
  }

  const form = h('form', {
    class: 'card wide', id: 'registration-form',
    onSubmit: (e) => { e.preventDefault(); run('registration_run'); },
  },
  h('h2', {}, 'The app as registered in Yespo'),
  field('App', appSelect, apps.length ? 'An account of the app, or its details from Yespo (For partners → the app).' : 'No OAuth account yet: enter the app’s details from Yespo (For partners → the app).'),
  h('div', { class: 'card-row' },
    field('Client ID', clientId),
    field('Client Secret', secret, 'Used for this check only; it is saved only if you add the app as an account.')),
  field('Callback URL as registered in Yespo', callback,
    state.app === BY_HAND ? `Where Yespo sends the browser back. This app listens on ${setup.defaultCallbackUrl} unless you choose another.`
      : `The account sends ${byId(state.app)?.auth.callbackUrl ?? ''}; paste the one from Yespo to compare.`),
  h('div', { class: 'field' }, h('span', { class: 'field-label' }, 'Authorization-form logo (optional)'), logoSlot),
  h('div', { class: 'actions' }, check, login, busy),
  h('p', { class: 'muted small-print' }, 'Nothing in your Yespo account is changed: every request is a read, or one Yespo must refuse before it acts.'),
  banner);

  replaceChildren(container, intro, form, loginSlot, reportSlot);
  view = { drawLogo, drawReport, setBusy };
  drawLogo();
  drawReport();
  setBusy(state.busy);
}

/** Fill the form from an account, or with a fresh app's defaults. */
function prefill(account, setup) {
  if (account && account.auth.kind === 'oauth') {
    state.clientId = account.auth.clientId;
    state.callbackUrl = account.auth.callbackUrl;
  } else {
    state.clientId = '';
    state.callbackUrl = setup.defaultCallbackUrl;
  }
}
