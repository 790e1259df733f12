// Step 2, Columns: each column with sample values and what it becomes in Yespo (auto-matched,
// changeable); the mapping is remembered for files with the same header.

import { h } from '../dom.js';
import { invoke } from '../ipc.js';
import { choose, goTo } from './state.js';

export const TARGET_LABELS = {
  pushToken: 'Push token', externalCustomerId: 'External customer ID', appId: 'Yespo app ID', os: 'OS (platform)',
  deviceModel: 'Device model', locale: 'Locale', appVersion: 'App version', clientVersion: 'SDK (client) version',
  active: 'Device active', email: 'Email', phone: 'Phone', firstName: 'First name', lastName: 'Last name',
  languageCode: 'Language', timeZone: 'Time zone', contactKey: 'Contact key', region: 'Region', town: 'Town',
  address: 'Address', postcode: 'Postcode', oneSignalDeviceType: 'OneSignal device type',
  oneSignalUnsubscribed: 'OneSignal unsubscribed flag', brazePushTokens: 'Braze push tokens',
};

let targets;
/** The targets Rust offers (cached). */
export function getTargets() {
  targets ??= invoke('token_targets').catch((error) => { targets = null; throw error; });
  return targets;
}

export function targetLabel(target, fields = []) {
  if (!target) return '— not used —';
  if (target.startsWith('field:')) {
    const id = Number(target.slice(6));
    const field = fields.find((f) => f.id === id);
    return `Custom field: ${field ? field.name : `#${id}`}`;
  }
  return TARGET_LABELS[target] ?? target;
}

/** @param {import('./state.js').Item} item */
export async function columnsStep(item, { onError }) {
  const view = item.view;
  const { targets: standard } = await getTargets();
  const fields = view.accountFields ?? [];
  const options = [
    ['', '— not used —'],
    ...standard.map((t) => [t.target, TARGET_LABELS[t.target] ?? t.target]),
    ...fields.map((f) => [`field:${f.id}`, `Custom field: ${f.name}`]),
  ];
  /** column name → target ('' = not used) */
  const chosen = new Map(view.columns.map((c) => [c.name, c.target ?? '']));
  const appId = h('input', { name: 'appId', value: view.mapping.appId ?? '', placeholder: '00000000-0000-0000-0000-000000000000', spellcheck: 'false' });
  const remember = h('input', { type: 'checkbox', name: 'remember', checked: true });
  const unmapped = h('p', { class: 'muted', dataset: { field: 'unmapped' } });
  const showUnmapped = () => {
    const names = [...chosen].filter(([, t]) => !t).map(([n]) => n);
    unmapped.textContent = names.length ? `Not used: ${names.join(', ')}` : 'Every column is used.';
  };
  showUnmapped();
  const rows = view.columns.map((column) => h('tr', { dataset: { column: column.name } },
    h('th', { scope: 'row' }, column.name),
    h('td', { class: 'samples' }, column.samples.length ? column.samples.map((s) => h('code', {}, s)) : h('span', { class: 'muted' }, 'empty in the first rows')),
    h('td', {}, h('select', {
      'aria-label': `${column.name} becomes`,
      onChange: (e) => { chosen.set(column.name, e.currentTarget.value); showUnmapped(); },
    }, options.map(([value, label]) => h('option', { value, selected: value === (column.target ?? '') }, label))))));
  const apply = async () => {
    const mapping = {
      ...view.mapping,
      columns: view.columns.map((c) => ({ column: c.name, target: chosen.get(c.name) || null })),
      appId: appId.value.trim() || null,
    };
    try {
      await choose(item, { mapping, remember: remember.checked });
      goTo(item, 'review');
    } catch (error) { onError(error); }
  };
  return h('div', { class: 'step-body' },
    h('div', { class: 'card wide' },
      h('table', { class: 'mapping-table' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Column'), h('th', {}, 'Sample values'), h('th', {}, 'Becomes'))),
        h('tbody', {}, rows)),
      unmapped),
    h('div', { class: 'card wide' },
      h('label', { class: 'field' },
        h('span', { class: 'field-label' }, 'Yespo app ID for tokens without one'),
        appId,
        h('span', { class: 'field-hint' }, 'Other providers’ exports do not carry it: find it in Yespo under Settings → Apps.')),
      h('label', { class: 'check' }, remember, ' Remember this mapping for files with the same columns')),
    h('div', { class: 'step-actions' },
      h('button', { type: 'button', class: 'button', dataset: { action: 'apply-mapping' }, onClick: apply }, 'Check every row')));
}
