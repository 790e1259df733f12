// Settings: theme, upload requests at once, log level (each saved as it changes, in the config
// folder), the logs and data folders, and the keychain's state with what to do when it fails.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke } from '../ipc.js';
import { getAccounts, getAppInfo, getKeychainStatus } from '../app-state.js';
import { setTheme } from '../theme.js';
import { loadingLine } from '../states.js';

/** @typedef {import('../types/ipc').Settings} Settings */
/** @typedef {import('../types/ipc').SettingsView} SettingsView */

/** @type {[import('../types/ipc').Theme, string][]} */
const THEMES = [['system', 'As the system'], ['light', 'Light'], ['dark', 'Dark']];
/** @type {[import('../types/ipc').LogLevel, string][]} */
const LEVELS = [['error', 'Errors only'], ['warn', 'Warnings'], ['info', 'Information (default)'], ['debug', 'Debug (for support)']];

function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input,
    hint ? h('span', { class: 'field-hint' }, hint) : null);
}

/** The keychain's card, drawn at once and filled in when the keychain answers (it may be slow). */
function keychainCard() {
  const card = h('section', { class: 'card', id: 'settings-keychain' }, h('h2', {}, 'Keychain'), loadingLine('Asking the keychain…'));
  const draw = async (refresh) => {
    if (refresh) replaceChildren(card, h('h2', {}, 'Keychain'), loadingLine('Asking the keychain…'));
    let body;
    try {
      const status = await getKeychainStatus({ refresh });
      body = h('p', { class: 'status-line ok', dataset: { field: 'keychain' } }, `Available: ${status.backend}. Client secrets, API keys and tokens are kept there, never in files.`);
    } catch (error) {
      body = errorBanner(error, { onRetry: () => draw(true) });
    }
    replaceChildren(card, h('h2', {}, 'Keychain'), body);
  };
  draw(false);
  return card;
}

/** @param {string[]} names */
function listed(names) {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** "Forget everything", with a confirmation that names what goes. */
function forgetCard(container) {
  const card = h('section', { class: 'card danger-zone', id: 'settings-forget' });
  const draw = (...body) => replaceChildren(card, h('h2', {}, 'Forget everything'), ...body);
  const start = h('button', {
    type: 'button', class: 'button danger', dataset: { action: 'forget-start' },
    onClick: async () => {
      start.disabled = true;
      try {
        /** @type {import('../types/ipc').ForgetPreview} */
        const p = await invoke('forget_preview');
        if (p.uploadRunning) {
          draw(h('p', { class: 'notice-text' }, 'An upload is running. Cancel it in Token import first; then everything can be forgotten.'), start);
          return;
        }
        const confirm = h('button', {
          type: 'button', class: 'button danger', dataset: { action: 'forget-confirm' },
          onClick: async () => {
            confirm.disabled = true;
            confirm.textContent = 'Forgetting…';
            try {
              await invoke('forget_everything');
              await getAccounts({ refresh: true });
              setTheme('system');
              await render(container);
              document.getElementById('settings-status')?.replaceChildren('Everything was forgotten.');
            } catch (error) {
              draw(errorBanner(error), start);
            }
          },
        }, 'Forget everything');
        draw(
          h('p', {}, 'This removes from this computer, for good:'),
          h('ul', { class: 'forget-list', dataset: { field: 'forget-list' } },
            h('li', {}, p.accounts.length
              ? `${p.accounts.length === 1 ? '1 account' : `${p.accounts.length} accounts`} (${listed(p.accounts)}) with ${p.accounts.length === 1 ? 'its' : 'their'} secrets and tokens in the keychain`
              : 'No accounts (there are none)'),
            h('li', {}, `The upload history (${p.uploads} ${p.uploads === 1 ? 'upload' : 'uploads'}) and the remembered column mappings`),
            h('li', {}, 'These settings')),
          h('p', { class: 'muted small-print' }, `Nothing in Yespo changes. The logs stay in ${p.logsKeptIn}. To revoke an app fully, disconnect it under Connected apps in Yespo.`),
          h('div', { class: 'actions' }, confirm,
            h('button', { type: 'button', class: 'button secondary', onClick: () => draw(intro(), start) }, 'Cancel')));
      } catch (error) {
        draw(errorBanner(error), start);
      } finally {
        start.disabled = false;
      }
    },
  }, 'Forget everything…');
  const intro = () => h('p', { class: 'muted' }, 'Every account with its secrets, the upload history and these settings, as if the app were new. You will be asked to confirm.');
  draw(intro(), start);
  return card;
}

export async function render(container) {
  const waiting = loadingLine('Reading the settings…');
  replaceChildren(container, h('header', { class: 'view-header' }, h('h1', {}, 'Settings')), waiting);
  /** @type {SettingsView} */
  let view;
  let info;
  try {
    [view, info] = await Promise.all([invoke('settings_get'), getAppInfo()]);
  } catch (error) {
    if (waiting.isConnected) waiting.replaceWith(errorBanner(error, { onRetry: () => render(container) }));
    return;
  }
  // Another screen was drawn meanwhile: it stays.
  if (!waiting.isConnected) return;
  let current = view.settings;
  const status = h('p', { class: 'muted small-print', id: 'settings-status', 'aria-live': 'polite' });
  const banner = h('div');

  /** @param {Partial<Settings>} change */
  const save = async (change) => {
    banner.replaceChildren();
    try {
      const saved = await invoke('settings_set', { settings: { ...current, ...change } });
      current = saved.settings;
      setTheme(current.theme);
      status.textContent = 'Saved.';
    } catch (error) {
      banner.replaceChildren(errorBanner(error));
    }
  };

  const theme = h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Theme' },
    THEMES.map(([value, label]) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'theme', value, checked: current.theme === value, onChange: () => save({ theme: value }) }),
      label)));
  const concurrency = h('input', {
    type: 'number', name: 'uploadConcurrency', min: 1, max: 6, step: 1, value: current.uploadConcurrency,
    onChange: () => save({ uploadConcurrency: Number(concurrency.value) }),
  });
  const level = h('select', { name: 'logLevel', onChange: () => save({ logLevel: /** @type {import('../types/ipc').LogLevel} */ (level.value) }) },
    LEVELS.map(([value, label]) => h('option', { value, selected: current.logLevel === value }, label)));
  const open = (which) => invoke('folder_open', { which }).catch((e) => banner.replaceChildren(errorBanner(e)));

  replaceChildren(container,
    h('header', { class: 'view-header' }, h('h1', {}, 'Settings'),
      h('p', { class: 'muted' }, 'Each change is saved at once.')),
    view.damagedFileKeptAt
      ? h('section', { class: 'card notice', id: 'settings-damaged' },
        h('p', {}, 'The settings file was damaged, so the defaults are in use. The old file was kept at:'),
        h('code', {}, view.damagedFileKeptAt))
      : null,
    h('section', { class: 'card', id: 'settings-form' },
      h('h2', {}, 'Preferences'),
      h('div', { class: 'field' }, h('span', { class: 'field-label', id: 'theme-label' }, 'Theme'), theme),
      field('Upload requests at once', concurrency, 'How many requests of up to 3,000 contacts a token upload sends at the same time (1–6). More is not always faster: Yespo limits requests per second.'),
      field('Log level', level, 'Applies at once. The log never holds secrets, and emails in it are masked.'),
      status, banner),
    h('section', { class: 'card' },
      h('h2', {}, 'Folders'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Logs'), h('dd', { class: 'mono' }, info.paths.logDir),
        h('dt', {}, 'Data'), h('dd', { class: 'mono' }, info.paths.dataDir),
        h('dt', {}, 'Settings file'), h('dd', { class: 'mono', dataset: { field: 'settings-path' } }, view.path)),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'open-logs' }, onClick: () => open('logs') }, 'Open logs folder'),
        h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'open-data' }, onClick: () => open('data') }, 'Open data folder'))),
    keychainCard(),
    forgetCard(container));
}
