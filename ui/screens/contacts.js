// Contacts: Yespo's contact search (or every contact) in a virtual list fetched from Rust a
// window at a time (Rust asks Yespo for 500-row pages, once each, cached until Refresh), the
// total and when Yespo answered, and a detail pane with the contact in full.

import { h, replaceChildren } from '../dom.js';
import { errorBanner, showErrorToast } from '../errors.js';
import { invoke, toAppError } from '../ipc.js';
import { maskToken, plural, when } from '../format.js';
import { VirtualTable } from '../virtual-table.js';

/**
 * @typedef {import('../types/ipc').ContactQuery} ContactQuery
 * @typedef {import('../types/ipc').ContactRow} ContactRow
 * @typedef {import('../types/ipc').ContactDetail} ContactDetail
 */

/** This screen's list, as Rust knows it (a new search cancels what the old one waited for). */
const VIEW = 1;
const FIELDS = [['email', 'Email'], ['phone', 'Phone'], ['externalId', 'External ID'], ['firstName', 'First name'], ['lastName', 'Last name']];
const COLUMNS = [
  { key: 'id', label: 'ID', width: 110 }, { key: 'name', label: 'Name', width: 220 },
  { key: 'email', label: 'Email', width: 260 }, { key: 'phone', label: 'Phone', width: 160 },
  { key: 'externalId', label: 'External ID', width: 170 }, { key: 'push', label: 'Push devices', width: 120 },
];

/** Kept while the user visits other screens. */
const list = { field: 'email', text: '', /** @type {ContactQuery} */ query: {}, total: 0, asOf: '', table: null, detail: null };

function queryOf(field, text) {
  const value = text.trim();
  return value ? { [field]: value } : {};
}

/** @param {HTMLElement[]} cells @param {ContactRow} row */
function fill(cells, row) {
  const name = [row.firstName, row.lastName].filter(Boolean).join(' ');
  const values = [row.id ?? '', name, row.email ?? '', row.phone ?? '', row.externalId ?? '', row.pushDevices ? String(row.pushDevices) : ''];
  cells.forEach((cell, i) => { cell.textContent = String(values[i]); cell.className = 'vt-cell'; });
}

function channelList(contact) {
  return h('ul', { class: 'channel-list' }, (contact.channels ?? []).map((ch) => h('li', { dataset: { channel: ch.type ?? '' } },
    h('strong', {}, ch.type ?? 'channel'), ' ',
    h('span', { class: 'mono' }, ch.type === 'mobilepush' ? maskToken(ch.value) : (ch.value ?? '')),
    ch.device ? h('dl', { class: 'facts device' },
      ['appId', 'deviceModel', 'os', 'locale', 'appVersion', 'clientVersion', 'active'].filter((k) => ch.device[k] != null)
        .map((k) => [h('dt', {}, k), h('dd', { class: 'mono', dataset: { field: `device-${k}` } }, String(ch.device[k]))])) : null)));
}

/** @param {ContactDetail} d */
function detailPane(d, onClose) {
  const c = d.contact;
  return h('aside', { class: 'row-panel contact-detail', id: 'contact-detail', 'aria-label': 'Contact' },
    h('div', { class: 'row-panel-head' },
      h('h2', {}, [c.firstName, c.lastName].filter(Boolean).join(' ') || `Contact ${c.id}`),
      h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close (Esc)', onClick: onClose }, '×')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'ID'), h('dd', { class: 'mono' }, String(c.id ?? '—')),
      h('dt', {}, 'External ID'), h('dd', { class: 'mono' }, c.externalCustomerId ?? '—'),
      h('dt', {}, 'Language'), h('dd', {}, c.languageCode ?? '—'),
      h('dt', {}, 'Time zone'), h('dd', {}, c.timeZone ?? '—'),
      c.address ? [h('dt', {}, 'Address'), h('dd', {}, [c.address.address, c.address.town, c.address.region, c.address.postcode].filter(Boolean).join(', '))] : null),
    h('h3', {}, 'Channels'), channelList(c),
    h('h3', {}, 'Fields'),
    d.fields.length ? h('dl', { class: 'facts', dataset: { field: 'fields' } }, d.fields.map((f) => [h('dt', { title: `#${f.id} ${f.kind ?? ''}` }, f.name ?? `#${f.id}`), h('dd', {}, f.value ?? '')]))
      : h('p', { class: 'muted' }, 'No custom fields.'),
    h('h3', {}, 'Segments'),
    (c.groups ?? []).length ? h('ul', { class: 'plain-list', dataset: { field: 'segments' } }, c.groups.map((g) => h('li', {}, g.name ?? `#${g.id}`, g.type ? ` (${g.type})` : '')))
      : h('p', { class: 'muted' }, 'In no static segment.'),
    h('h3', {}, 'Subscriptions'),
    d.subscriptions.error ? errorBanner(d.subscriptions.error)
      : d.subscriptions.value.length ? h('ul', { class: 'plain-list', dataset: { field: 'subscriptions' } }, d.subscriptions.value.map((s) => h('li', {}, s.name ?? s.key ?? `#${s.id}`)))
        : h('p', { class: 'muted' }, 'No subscription categories.'));
}

export async function render(container) {
  const panelSlot = h('div', { class: 'panel-slot' });
  const status = h('p', { class: 'muted', dataset: { field: 'total' } });
  const showStatus = () => { status.textContent = list.asOf ? `${plural(list.total, 'contact')}, as Yespo answered at ${when(list.asOf)}` : 'Asking Yespo…'; };
  const closeDetail = () => { replaceChildren(panelSlot); list.table?.viewport.focus(); };
  const table = new VirtualTable({
    columns: COLUMNS,
    label: 'Contacts',
    fetchRows: async (start, n) => {
      try {
        const page = await invoke('contacts_rows', { view: VIEW, query: list.query, start, count: n });
        list.total = page.total ?? (page.last ? start + page.rows.length : Math.max(list.total, start + page.rows.length + 100));
        list.asOf = page.asOf;
        showStatus();
        return { total: list.total, rows: page.rows };
      } catch (error) {
        // A search that was replaced is not an error to show.
        if (toAppError(error).code !== 'cancelled') throw error;
        return { total: table.total, rows: [] };
      }
    },
    renderRow: fill,
    onActivate: async (_, row) => {
      if (row.id == null) return;
      try {
        replaceChildren(panelSlot, detailPane(await invoke('contact_detail', { id: row.id }), closeDetail));
      } catch (error) { showErrorToast(error); }
    },
  });
  table.root.addEventListener('vt-error', (e) => showErrorToast(/** @type {CustomEvent} */ (e).detail));
  list.table = table;
  let timer = 0;
  const search = () => {
    list.query = queryOf(list.field, list.text);
    list.total = 0;
    list.asOf = '';
    showStatus();
    closeDetail();
    table.reset(1);
  };
  const input = h('input', {
    type: 'search', name: 'contact-search', value: list.text, placeholder: 'Search, or leave empty for every contact',
    onInput: (e) => { list.text = e.currentTarget.value; clearTimeout(timer); timer = setTimeout(search, 300); },
  });
  const field = h('select', { name: 'contact-field', onChange: (e) => { list.field = e.currentTarget.value; search(); } },
    FIELDS.map(([value, label]) => h('option', { value, selected: value === list.field }, label)));
  const refresh = async () => { await invoke('contacts_refresh', { query: list.query }).catch(showErrorToast); search(); };
  replaceChildren(container,
    h('header', { class: 'view-header' }, h('h1', {}, 'Contacts'), status),
    h('div', { class: 'search-bar' }, field, input,
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'refresh' }, onClick: refresh }, 'Refresh')),
    h('div', { class: 'review-table' }, table.root, panelSlot));
  container.addEventListener('keydown', (e) => { if (e.key === 'Escape' && panelSlot.firstChild) { e.preventDefault(); closeDetail(); } });
  showStatus();
  list.query = queryOf(list.field, list.text);
  table.reset(1);
}
