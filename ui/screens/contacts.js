// Contacts: Yespo's contact search (or every contact) in a virtual list fetched from Rust a
// window at a time (Rust asks Yespo for 500-row pages, once each, cached until Refresh), the
// total and when Yespo answered, a detail pane with the contact in full, and Export.

import { h, replaceChildren } from '../dom.js';
import { ContactList } from '../contact-list.js';
import { exportControl } from '../list-export.js';

/** @typedef {import('../types/ipc').ContactQuery} ContactQuery */

/** This screen's list, as Rust knows it (a new search cancels what the old one waited for). */
const VIEW = 1;
const FIELDS = [['email', 'Email'], ['phone', 'Phone'], ['externalId', 'External ID'], ['firstName', 'First name'], ['lastName', 'Last name']];

/** Kept while the user visits other screens. */
const state = { field: 'email', text: '', /** @type {ContactList | null} */ list: null, input: null, select: null, pendingOpen: null };

/** @returns {ContactQuery} */
function queryOf(field, text) {
  const value = text.trim();
  /** @type {ContactQuery} */
  const query = { email: null, phone: null, externalId: null, firstName: null, lastName: null };
  if (value) query[field] = value;
  return query;
}

/** Which field a typed value is: an email, a phone number, else an external id. */
export function fieldFor(text) {
  const value = text.trim();
  if (value.includes('@')) return 'email';
  if (/^\+?[\d\s()-]{6,}$/.test(value)) return 'phone';
  return 'externalId';
}

/**
 * Shows the contacts matching `text` in `field` and opens the first one's detail (the palette's
 * jump). Works before the screen is drawn: the search is applied when it is.
 */
export function showContact(field, text) {
  state.field = field;
  state.text = text;
  state.pendingOpen = true;
  if (state.list?.root.isConnected) search();
}

function search() {
  if (state.input) state.input.value = state.text;
  if (state.select) state.select.value = state.field;
  state.list.setSource({ search: queryOf(state.field, state.text) });
  if (state.pendingOpen) {
    state.pendingOpen = null;
    openFirst();
  }
}

async function openFirst() {
  const list = state.list;
  const page = await list.fetch(0, 1).catch(() => null);
  const id = page?.rows[0]?.id;
  if (id != null) {
    list.table.selected = 0;
    list.table.schedule();
    await list.openDetail(id);
    document.getElementById('contact-detail')?.focus();
  }
}

export async function render(container) {
  const list = new ContactList({
    view: VIEW, label: 'Contacts', one: 'contact', what: 'contacts',
    empty: (source) => ('search' in source && Object.values(source.search).some(Boolean)
      ? ['No contact matches this search', 'Check the spelling, or search by another field.']
      : ['This account has no contacts yet', 'Contacts added in Yespo, or by a token import, show here.']),
  });
  state.list = list;
  let timer = 0;
  state.input = h('input', {
    type: 'search', name: 'contact-search', value: state.text, placeholder: 'Search, or leave empty for every contact',
    'aria-label': 'Search contacts',
    onInput: (e) => { state.text = e.currentTarget.value; clearTimeout(timer); timer = setTimeout(search, 300); },
    onKeydown: (e) => { if (e.key === 'ArrowDown') { e.preventDefault(); list.table.viewport.focus(); } },
  });
  state.select = h('select', { name: 'contact-field', 'aria-label': 'Search by', onChange: (e) => { state.field = e.currentTarget.value; search(); } },
    FIELDS.map(([value, label]) => h('option', { value, selected: value === state.field }, label)));
  replaceChildren(container,
    h('header', { class: 'view-header' }, h('h1', {}, 'Contacts'), list.status),
    h('div', { class: 'search-bar' }, state.select, state.input,
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'refresh' }, onClick: () => list.refresh() }, 'Refresh'),
      exportControl(() => ({ source: { contacts: list.source }, name: state.text.trim() ? 'contacts-search.csv' : 'contacts.csv' }))),
    list.root);
  search();
}
