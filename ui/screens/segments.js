// Segments: every segment of the account (read once, cached until Refresh) searched by name and
// filtered by type here; the chosen segment's members in the same contact list and detail pane as
// Contacts ("n+" while paging, since Yespo sends no member count), each list exportable.

import { h, replaceChildren } from '../dom.js';
import { invoke } from '../ipc.js';
import { count, when } from '../format.js';
import { VirtualTable } from '../virtual-table.js';
import { ContactList } from '../contact-list.js';
import { exportControl } from '../list-export.js';
import { refusalNotice } from '../missing-right.js';
import { emptyState } from '../states.js';

/**
 * @typedef {import('../types/ipc').SegmentRow} SegmentRow
 * @typedef {import('../types/ipc').SegmentKind} SegmentKind
 * @typedef {import('../types/ipc').SegmentList} SegmentList
 */

const VIEW = 2;
/** @type {[SegmentKind, string][]} */
const KINDS = [['static', 'Static'], ['dynamic', 'Dynamic'], ['combined', 'Combined']];

/** Kept while the user visits other screens. */
const state = { name: '', /** @type {SegmentKind[]} */ kinds: [], /** @type {SegmentRow | null} */ open: null, pendingName: null };

/** Opens the Segments screen on the segment called `name` (the palette's jump). */
export function showSegment(name) {
  state.name = name;
  state.pendingName = name;
}

export async function render(container) {
  /** @type {SegmentRow[]} */
  let rows = [];
  const status = h('p', { class: 'muted loading-line', dataset: { field: 'segments-total' } }, 'Asking Yespo…');
  const notice = h('div', { class: 'list-notice' });
  const chips = h('div', { class: 'filter-chips', role: 'group', 'aria-label': 'Segment types' });
  const members = new ContactList({
    view: VIEW, label: 'Segment members', one: 'member', what: 'members',
    empty: () => ['This segment has no members', 'Yespo lists no contact in it.'],
  });
  const membersPane = h('section', { class: 'segment-members', hidden: true },
    h('header', { class: 'pane-header' },
      h('h2', { dataset: { field: 'segment-name' } }), members.status,
      h('div', { class: 'pane-actions' },
        h('button', { type: 'button', class: 'button secondary small', onClick: () => members.refresh() }, 'Refresh members'),
        exportControl(() => state.open && ({ source: { contacts: { segment: state.open.id } }, name: `segment-${state.open.id}-members.csv` })))),
    members.root);
  // Until a segment is chosen, the members' side says how to choose one.
  const membersHint = emptyState('Choose a segment to see its members', 'Click a segment, or move to it with the arrow keys and press Enter.');
  membersHint.hidden = true;
  const openSegment = (row) => {
    state.open = row;
    membersPane.hidden = false;
    membersHint.hidden = true;
    membersPane.querySelector('[data-field="segment-name"]').textContent = `${row.name} (${row.kindText ?? row.kind})`;
    members.setSource({ segment: row.id });
  };
  const table = new VirtualTable({
    columns: [{ key: 'id', label: 'ID', width: 110 }, { key: 'name', label: 'Name', width: 260 }, { key: 'type', label: 'Type', width: 110 }],
    label: 'Segments',
    fetchRows: async (start, n) => ({ total: rows.length, rows: rows.slice(start, start + n) }),
    renderRow: (cells, row) => {
      cells[0].textContent = String(row.id);
      cells[1].textContent = row.name;
      cells[2].textContent = row.kindText ?? row.kind;
      cells.forEach((c) => { c.className = 'vt-cell'; });
    },
    onActivate: (_, row) => openSegment(row),
  });
  // Shown once Yespo answered (the status line says it is asking).
  table.root.hidden = true;
  const load = async () => {
    try {
      /** @type {SegmentList} */
      const list = await invoke('segments_list', { query: { name: state.name, kinds: state.kinds } });
      rows = list.rows;
      // None at all, or none matching: say which, instead of an empty table.
      replaceChildren(notice, rows.length ? null : list.total
        ? emptyState('No segment matches this search', 'Change the search, or the type filters.')
        : emptyState('This account has no segments yet', 'Segments made in Yespo show here.'));
      table.root.hidden = rows.length === 0;
      membersHint.hidden = rows.length === 0 || !membersPane.hidden;
      status.classList.remove('loading-line');
      status.textContent = `${count(list.rows.length)} of ${count(list.total)} segments, as Yespo answered at ${when(list.asOf)}`;
      replaceChildren(chips, KINDS.map(([kind, label]) => h('button', {
        type: 'button', class: `chip${state.kinds.includes(kind) ? ' on' : ''}`, 'aria-pressed': String(state.kinds.includes(kind)),
        dataset: { kind },
        onClick: () => { state.kinds = state.kinds.includes(kind) ? state.kinds.filter((k) => k !== kind) : [...state.kinds, kind]; load(); },
      }, `${label} ${count(list.counts[kind] ?? 0)}`)));
      table.reset(rows.length);
      if (state.pendingName != null) {
        const wanted = state.pendingName.toLowerCase();
        state.pendingName = null;
        const index = rows.findIndex((r) => r.name.toLowerCase() === wanted);
        if (index >= 0) { table.selected = index; table.scrollToIndex(index); openSegment(rows[index]); }
      }
    } catch (error) {
      status.classList.remove('loading-line');
      status.textContent = '';
      replaceChildren(notice, refusalNotice(error, 'segments', { onRetry: load }));
      // Nothing read yet: no empty table or hint under the notice.
      table.root.hidden = rows.length === 0;
      membersHint.hidden = true;
    }
  };
  let timer = 0;
  const input = h('input', {
    type: 'search', name: 'segment-search', value: state.name, placeholder: 'Search segments by name or ID', 'aria-label': 'Search segments',
    onInput: (e) => { state.name = e.currentTarget.value; clearTimeout(timer); timer = setTimeout(load, 150); },
    onKeydown: (e) => { if (e.key === 'ArrowDown') { e.preventDefault(); table.viewport.focus(); } },
  });
  replaceChildren(container,
    h('header', { class: 'view-header' }, h('h1', {}, 'Segments'), status),
    h('div', { class: 'search-bar' }, input, chips,
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'refresh' },
        onClick: async () => {
          status.classList.add('loading-line');
          status.textContent = 'Asking Yespo…';
          await invoke('segments_refresh').catch(() => {});
          load();
        } }, 'Refresh'),
      exportControl(() => ({ source: { segments: { name: state.name, kinds: state.kinds } }, name: 'segments.csv' }))),
    notice,
    h('div', { class: 'segments-layout' }, h('div', { class: 'segment-list' }, table.root), membersPane, membersHint));
  const before = state.open;
  await load();
  // Back on the screen: the segment that was open is open again (unless the palette chose one).
  const again = before && state.open === before && rows.find((r) => r.id === before.id);
  if (again) openSegment(again);
}
