// About & status: what this build is, where it keeps its files, and whether the keychain works.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { getAppInfo, getKeychainStatus } from '../app-state.js';
import { loadingLine } from '../states.js';

function row(label, value, field, { mono = false } = {}) {
  return [
    h('dt', {}, label),
    h('dd', { dataset: { field }, class: mono ? 'mono' : null }, value),
  ];
}

function keychainSection(result) {
  const section = h('section', { class: 'card', id: 'keychain' },
    h('h2', {}, 'Keychain'),
    h('p', { class: 'muted' },
      'Client secrets, API keys and tokens are kept only in the OS keychain, never in files.'));
  const retry = async () => {
    section.replaceWith(keychainSection(await settle(getKeychainStatus({ refresh: true }))));
  };
  if (result.ok) {
    section.append(h('p', { class: 'status-line ok', dataset: { field: 'keychain' } },
      `Available: ${result.value.backend}`));
  } else {
    section.append(errorBanner(result.error, { onRetry: retry }));
  }
  return section;
}

async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function render(container) {
  // The keychain may take a moment to answer.
  const waiting = loadingLine('Reading this build\u2019s facts and asking the keychain…');
  replaceChildren(container, h('header', { class: 'view-header' }, h('h1', {}, 'About & status')), waiting);
  const [info, keychain] = await Promise.all([getAppInfo(), settle(getKeychainStatus())]);
  // Another screen was drawn meanwhile: it stays.
  if (!waiting.isConnected) return;
  const { paths } = info;
  replaceChildren(container,
    h('header', { class: 'view-header' },
      h('h1', {}, 'About & status'),
      h('p', { class: 'muted' }, `${info.name} ${info.version}`)),
    h('section', { class: 'card' },
      h('h2', {}, 'This build'),
      h('dl', { class: 'facts' },
        row('Version', info.version, 'version'),
        row('Build profile', info.buildProfile, 'build-profile'),
        row('Identifier', info.identifier, 'identifier', { mono: true }),
        row('Platform', `${info.os} · ${info.arch}`, 'platform'),
        row('Mode', info.demo ? `Demo: Yespo sandbox at ${info.demo.sandboxUrl}` : 'Live: your Yespo account', 'mode'))),
    h('section', { class: 'card' },
      h('h2', {}, 'Where your data lives'),
      paths.isCustomProfile
        ? h('p', { class: 'muted' }, 'A custom profile folder is in use (YESPO_ADMIN_HOME).')
        : null,
      h('dl', { class: 'facts' },
        row('Settings', paths.configDir, 'config-dir', { mono: true }),
        row('Data', paths.dataDir, 'data-dir', { mono: true }),
        row('Logs', paths.logDir, 'log-dir', { mono: true }))),
    keychainSection(keychain));
}
