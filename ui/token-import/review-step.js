// Step 3, Review: the counters (each a filter), every row in a virtual table fetched from Rust
// by index, problem cells marked, a side panel per row, and the problem rows exported as CSV.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke } from '../ipc.js';
import { bytes, count } from '../format.js';
import { VirtualTable } from '../virtual-table.js';
import { cancelCheck, check, goTo, rows } from './state.js';
import { fillCells, rowColumns, rowPanel } from './row-view.js';
import { emptyState } from '../states.js';

const FILTERS = [['all', 'Rows'], ['valid', 'Valid'], ['invalid', 'Invalid'], ['warnings', 'Warnings'], ['duplicates', 'Duplicates']];
/** What a filter with no rows says, instead of an empty table. */
const NONE = {
  all: 'The file has no rows to upload.', valid: 'No row is valid.', invalid: 'No invalid rows.',
  warnings: 'No rows with warnings.', duplicates: 'No duplicate rows.', problems: 'No rows with problems.',
};

/** The table of an item, kept across redraws so its scroll position and cache survive. */
const tables = new WeakMap();

function tableOf(item, panelSlot) {
  let entry = tables.get(item);
  if (entry && entry.summary === item.summary) return entry;
  const columns = rowColumns(item.view);
  const revealed = new Set();
  const table = new VirtualTable({
    columns,
    label: `Rows of ${item.name}`,
    fetchRows: (start, n) => rows(item, item.filter, start, n),
    renderRow: (cells, row) => fillCells(cells, row, columns, revealed),
    onActivate: (_, row) => showPanel(row),
  });
  const showPanel = (row) => {
    replaceChildren(entry.panelSlot, rowPanel(row, columns, {
      revealed,
      onReveal: () => {
        if (revealed.has(row.index)) revealed.delete(row.index); else revealed.add(row.index);
        table.schedule();
        showPanel(row);
      },
      onClose: () => { replaceChildren(entry.panelSlot); table.viewport.focus(); },
    }));
  };
  entry = { table, summary: item.summary, panelSlot, closePanel: () => replaceChildren(entry.panelSlot), onError: null };
  // Once per table: a page that could not be fetched goes to the screen's error handler.
  table.root.addEventListener('vt-error', (e) => entry.onError?.(/** @type {CustomEvent} */ (e).detail));
  table.reset(totalFor(item));
  tables.set(item, entry);
  return entry;
}

function totalFor(item) {
  return item.counts[item.filter] ?? item.counts.all;
}

/** Closes the row panel, if one is open (Esc). */
export function closePanel(item) {
  const entry = tables.get(item);
  if (entry?.panelSlot.firstChild) { entry.closePanel(); return true; }
  return false;
}

/** The full check's progress, with Stop. */
export function checkingCard(item) {
  const p = item.checking;
  const share = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
  return h('div', { class: 'card wide', 'aria-busy': 'true', dataset: { state: 'checking' } },
    h('h2', {}, `Checking every row of ${item.name}`),
    h('progress', { max: '1', value: String(share), dataset: { live: 'check-bar' } }),
    h('p', { class: 'muted', dataset: { live: 'check-text' } }, `${count(p.rows ?? 0)} rows, ${bytes(p.bytes)} of ${bytes(p.totalBytes)}`),
    h('button', { type: 'button', class: 'button secondary small', onClick: () => cancelCheck(item) }, 'Stop'));
}

/** Updates the check's progress in place. */
export function updateLive(item, root) {
  const p = item.checking;
  if (!p) return;
  const bar = root.querySelector('[data-live="check-bar"]');
  const text = root.querySelector('[data-live="check-text"]');
  if (bar) bar.value = p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : 0;
  if (text) text.textContent = `${count(p.rows ?? 0)} rows, ${bytes(p.bytes)} of ${bytes(p.totalBytes)}`;
}

/** @param {import('./state.js').Item} item */
export function reviewStep(item, { onError, onNotice }) {
  if (item.checking) return checkingCard(item);
  if (item.checkError) {
    return h('div', { class: 'card wide' }, errorBanner(item.checkError, { onRetry: () => check(item) }));
  }
  if (!item.summary) {
    // The check was stopped: it can start again from here.
    return h('div', { class: 'card wide' }, h('p', { class: 'muted' }, 'Not checked yet.'),
      h('div', { class: 'step-actions' },
        h('button', { type: 'button', class: 'button', dataset: { action: 'check-rows' }, onClick: () => check(item) }, 'Check every row')));
  }
  const s = item.summary;
  const panelSlot = tables.get(item)?.panelSlot ?? h('div', { class: 'panel-slot' });
  const entry = tableOf(item, panelSlot);
  const none = emptyState(NONE[item.filter] ?? 'No rows.');
  const showNone = () => {
    none.hidden = totalFor(item) > 0;
    entry.table.root.hidden = !none.hidden;
    none.firstElementChild.textContent = NONE[item.filter] ?? 'No rows.';
  };
  showNone();
  const setFilter = (filter) => {
    item.filter = item.filter === filter && filter !== 'all' ? 'all' : filter;
    showNone();
    entry.table.reset(totalFor(item));
    entry.closePanel();
    for (const button of counters.querySelectorAll('[data-filter]')) {
      button.setAttribute('aria-pressed', String(button.dataset.filter === item.filter));
    }
    onlyProblems.checked = item.filter === 'problems';
  };
  const counters = h('div', { class: 'counters', role: 'toolbar', 'aria-label': 'Filters' },
    FILTERS.map(([filter, label]) => h('button', {
      type: 'button', class: `counter ${filter}`, dataset: { filter, count: String(item.counts[filter]) },
      'aria-pressed': String(item.filter === filter), onClick: () => setFilter(filter),
    }, h('span', { class: 'counter-value' }, count(item.counts[filter])), h('span', { class: 'counter-label' }, label))));
  const onlyProblems = h('input', {
    type: 'checkbox', name: 'only-problems', checked: item.filter === 'problems',
    onChange: (e) => setFilter(e.currentTarget.checked ? 'problems' : 'all'),
  });
  const exportProblems = async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const written = await invoke('token_file_export_problems', { id: item.view.id, withWarnings: false });
      if (written) onNotice(`${count(written.rows)} problem rows written to ${written.path}`, 'export-problems');
    } catch (error) { onError(error); } finally { button.disabled = false; }
  };
  entry.onError = onError;
  return h('div', { class: 'step-body review' },
    h('div', { class: 'review-bar' },
      counters,
      h('label', { class: 'check' }, onlyProblems, ' Only rows with problems'),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'export-problems' }, disabled: s.invalid === 0, onClick: exportProblems }, 'Export problem rows…')),
    s.blockers.length ? h('div', { class: 'notice card wide', dataset: { field: 'blockers' } },
      h('strong', {}, 'Before an upload can start: '), s.blockers.join(' ')) : null,
    s.notes.length ? h('p', { class: 'muted' }, s.notes.join(' ')) : null,
    none,
    h('div', { class: 'review-table' }, entry.table.root, panelSlot),
    h('div', { class: 'step-actions' },
      h('span', { class: 'muted' }, `${count(s.ready)} contacts ready to upload (dedupe on ${s.dedupeOn}).`),
      h('button', { type: 'button', class: 'button', dataset: { action: 'to-settings' }, disabled: s.ready === 0, onClick: () => goTo(item, 'settings') }, 'Next: settings')));
}
