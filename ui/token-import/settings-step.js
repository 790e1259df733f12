// Step 4, Settings and dry run: the account, the dedupe key, the fields to update, segments,
// restoring deleted contacts; then what the upload would do (from the job's own dry run, with
// the account's rights checked) and one "Upload N contacts" button.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { getAccounts } from '../app-state.js';
import { count, plural } from '../format.js';
import { changed, check, choose, dryRun, live, upload } from './state.js';
import { checkingCard } from './review-step.js';
import { getTargets } from './columns-step.js';
import { loadingLine } from '../states.js';

const DEDUPE = [
  ['push', 'Push token'], ['externalCustomerId', 'External customer ID'], ['email', 'Email'], ['sms', 'Phone'],
  ['email_or_sms', 'Email or phone'], ['id', 'Yespo contact ID'], ['fieldId', 'A custom field'],
];

let dryTimer = 0;
function dryRunSoon(item) {
  clearTimeout(dryTimer);
  dryTimer = setTimeout(() => dryRun(item), 250);
}

function list(names) {
  return names.length ? names.join(', ') : 'none';
}

/** @param {import('./state.js').Item} item */
function dryView(item) {
  if (item.dryError) return errorBanner(item.dryError, { onRetry: () => dryRun(item) });
  const d = item.dry;
  if (!d) return loadingLine('Working out what the upload would do…');
  return h('div', { class: 'dry-run', dataset: { field: 'dry-run' } },
    h('dl', { class: 'facts' },
      h('dt', {}, 'Contacts'), h('dd', { dataset: { field: 'dry-contacts' } }, `${count(d.contacts)} in ${plural(d.requests, 'request')} of at most 3,000`),
      h('dt', {}, 'Not sent'), h('dd', {}, `${count(d.rejected)} invalid, ${plural(d.superseded, 'duplicate')} superseded by a later row`),
      h('dt', {}, 'Overwritten'), h('dd', {}, list(d.overwritten)),
      h('dt', {}, 'Kept as they are'), h('dd', {}, list(d.kept)),
      d.customFields.length ? [h('dt', {}, 'Custom fields'), h('dd', {}, d.customFields.join(', '))] : null,
      d.addToSegments.length ? [h('dt', {}, 'Added to'), h('dd', {}, list(d.addToSegments))] : null,
      d.removeFromSegments.length ? [h('dt', {}, 'Removed from'), h('dd', {}, list(d.removeFromSegments))] : null,
      h('dt', {}, 'Access rights'), h('dd', { dataset: { field: 'rights' } }, d.rights ?? 'not checked')),
    d.sideEffects.length ? h('ul', { class: 'side-effects' }, d.sideEffects.map((s) => h('li', {}, s))) : null,
    d.warnings.map((w) => h('p', { class: 'warning-line' }, w)),
    d.blockers.length ? h('div', { class: 'error-banner', dataset: { field: 'dry-blockers' } }, h('strong', {}, 'Cannot upload: '), d.blockers.join(' ')) : null);
}

function uploadButton(item, onClick) {
  const ready = Boolean(item.dry && !item.dry.blockers.length && item.account);
  return h('button', { type: 'button', class: 'button', dataset: { action: 'upload', live: 'upload-button' }, disabled: !ready, onClick },
    `Upload ${count(item.dry?.contacts ?? item.summary.ready)} contacts`);
}

/** Shows the dry run that arrived (or is awaited) without redrawing the form. */
export function updateLive(item, root) {
  const slot = root.querySelector('[data-live="dry-run"]');
  if (slot) replaceChildren(slot, dryView(item));
  const button = root.querySelector('[data-live="upload-button"]');
  if (button) {
    const ready = Boolean(item.dry && !item.dry.blockers.length && item.account);
    button.disabled = !ready;
    button.textContent = `Upload ${count(item.dry?.contacts ?? item.summary.ready)} contacts`;
  }
}

/** @param {import('./state.js').Item} item */
export async function settingsStep(item, { onError }) {
  if (item.checking) return checkingCard(item);
  const [{ accounts, active }, { contactFields }] = await Promise.all([getAccounts(), getTargets()]);
  if (!item.settings) item.settings = structuredClone(item.summary.settings);
  if (!item.account || !accounts.some((a) => a.id === item.account)) item.account = active ?? accounts[0]?.id;
  const settings = item.settings;
  if (!item.dry && !item.dryError) dryRunSoon(item);
  // Edits redraw only the dry run (the form keeps its focus); the dry run follows them.
  const edit = (change) => { change(); item.dry = null; live(); dryRunSoon(item); };

  const account = h('select', { name: 'account', onChange: (e) => edit(() => { item.account = e.currentTarget.value; }) },
    accounts.map((a) => h('option', { value: a.id, selected: a.id === item.account },
      `${a.name}${a.organisation ? ` — ${a.organisation}` : ''}${a.state === 'connected' ? '' : ' (not logged in)'}`)));
  const dedupe = h('select', {
    name: 'dedupeOn',
    onChange: async (e) => {
      try {
        await choose(item, { dedupeOn: e.currentTarget.value });
        item.step = 'settings';
        await check(item);
      } catch (error) { onError(error); }
    },
  }, DEDUPE.map(([value, label]) => h('option', { value, selected: value === item.summary.dedupeOn }, label)));
  const fieldBoxes = contactFields.map((name) => h('label', { class: 'check' },
    h('input', {
      type: 'checkbox', name: 'contactField', value: name, checked: settings.contactFields.includes(name),
      disabled: settings.updateAllFields,
      onChange: (e) => edit(() => {
        const set = new Set(settings.contactFields);
        if (e.currentTarget.checked) set.add(name); else set.delete(name);
        settings.contactFields = contactFields.filter((f) => set.has(f));
      }),
    }), ` ${name}`));
  const allFields = h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'updateAllFields', checked: settings.updateAllFields, onChange: (e) => edit(() => { settings.updateAllFields = e.currentTarget.checked; }) }),
    ' Update all fields');
  const segments = (key, label) => h('label', { class: 'field' },
    h('span', { class: 'field-label' }, label),
    h('input', {
      name: key, value: settings[key].join(', '), placeholder: 'Segment names, comma-separated',
      onChange: (e) => edit(() => { settings[key] = e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean); }),
    }));
  const restore = h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'restoreDeleted', checked: settings.restoreDeleted, onChange: (e) => edit(() => { settings.restoreDeleted = e.currentTarget.checked; }) }),
    ' Restore contacts that were deleted in Yespo');
  const start = async (event) => {
    event.currentTarget.disabled = true;
    try { await upload(item); } catch (error) { onError(error); changed(); }
  };
  return h('div', { class: 'step-body settings' },
    h('div', { class: 'card wide' },
      h('div', { class: 'settings-grid' },
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Account'), account),
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Find existing contacts by (dedupeOn)'), dedupe)),
      // Nothing to upload to: say so, not just a disabled Upload button.
      accounts.length ? null : h('p', { class: 'warning-line', dataset: { field: 'no-account' } },
        'No account yet: add one on ', h('a', { class: 'link-button', href: '#/accounts' }, 'Accounts'), ' to upload to it.'),
      h('fieldset', { class: 'fields' },
        h('legend', {}, 'Fields to update'),
        h('p', { class: 'field-hint' }, 'By default exactly the fields in the file; other fields of existing contacts stay as they are.'),
        h('div', { class: 'field-boxes' }, fieldBoxes),
        allFields,
        settings.updateAllFields ? h('p', { class: 'warning-line' }, 'Update all fields: Yespo replaces every field of existing contacts and empties those the file does not have.') : null),
      settings.customFieldsIDs.length ? h('p', { class: 'muted' }, `Custom fields updated: ${settings.customFieldsIDs.join(', ')}`) : null,
      h('div', { class: 'settings-grid' }, segments('groupNames', 'Add to segments'), segments('groupNamesExclude', 'Remove from segments')),
      restore),
    h('div', { class: 'card wide' }, h('h2', {}, 'Dry run'), h('div', { dataset: { live: 'dry-run' } }, dryView(item))),
    h('div', { class: 'step-actions' },
      uploadButton(item, start)));
}
