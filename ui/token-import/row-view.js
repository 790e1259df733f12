// How a checked row is drawn: its cells (tokens masked, problem cells marked with the reason),
// its status, and the side panel with every problem and the contact as it would be sent.

import { h } from '../dom.js';
import { maskToken } from '../format.js';

/** A problem's `field` (as the checks name it) → the mapping target it is about. */
const FIELD_TARGETS = {
  pushToken: 'pushToken', 'device.appId': 'appId', 'device.os': 'os', 'device.clientVersion': 'clientVersion',
  'device.deviceModel': 'deviceModel', email: 'email', phone: 'phone', externalCustomerId: 'externalCustomerId',
};

/**
 * @typedef {{key: string, label: string, width: number, index?: number, target?: string | null, column?: string}} RowColumn
 * @typedef {import('../types/ipc').RowView} RowView
 */

/**
 * The columns a file's rows are shown in (widths in px): its own, or the contact (Yespo JSON).
 * @param {import('../types/ipc').FileView} view
 * @returns {RowColumn[]}
 */
export function rowColumns(view) {
  const fixed = [
    { key: 'line', label: 'Line', width: 80 },
    { key: 'status', label: 'Status', width: 120 },
  ];
  const own = view.columns
    ? view.columns.map((c, i) => ({ key: `c${i}`, label: c.name, index: i, target: c.target, column: c.name, width: 170 }))
    : [{ key: 'contact', label: 'Contact', width: 560 }];
  return [...fixed, ...own, { key: 'problems', label: 'Problems', width: 420 }];
}

function problemsOf(row, column) {
  return row.problems.filter((p) => p.field === column.column
    || (column.target && FIELD_TARGETS[p.field] === column.target)
    || (p.field === 'fields' && String(column.target ?? '').startsWith('field:')));
}

function statusOf(row) {
  if (!row.valid) return ['invalid', 'Invalid'];
  if (row.supersededBy) return ['superseded', `Line ${row.supersededBy} wins`];
  if (row.problems.length) return ['warning', 'Warning'];
  return ['valid', 'Valid'];
}

/** The contact as text, with push tokens masked unless revealed. */
export function contactText(contact, reveal = false) {
  if (!contact) return '';
  const copy = structuredClone(contact);
  for (const channel of copy.channels ?? []) {
    if (channel.type === 'mobilepush' && !reveal) channel.value = maskToken(channel.value);
  }
  return JSON.stringify(copy);
}

/**
 * Fills a row's cells (the virtual table's pool nodes, or a fresh row).
 * @param {HTMLElement[]} cells @param {RowView} row @param {RowColumn[]} columns @param {Set<number>} revealed
 */
export function fillCells(cells, row, columns, revealed) {
  columns.forEach((column, i) => {
    const cell = cells[i];
    let text = '';
    let title = null;
    let kind = '';
    if (column.key === 'line') text = String(row.line);
    else if (column.key === 'status') { [kind, text] = statusOf(row); }
    else if (column.key === 'problems') { text = row.problems.map((p) => p.message).join('; '); title = text || null; }
    else if (column.key === 'contact') { text = contactText(row.contact, revealed.has(row.index)); title = text; }
    else {
      text = row.cells?.[column.index] ?? '';
      if (column.target === 'pushToken' && !revealed.has(row.index)) text = maskToken(text);
      const problems = problemsOf(row, column);
      if (problems.length) {
        kind = problems.some((p) => p.severity === 'invalid') ? 'problem' : 'problem-warning';
        title = problems.map((p) => p.message).join('\n');
      }
    }
    cell.textContent = text;
    cell.className = `vt-cell${kind ? ` ${kind}` : ''}`;
    if (title) cell.title = title; else cell.removeAttribute('title');
  });
}

/** The first rows of a file, as checked on their own (no duplicates known yet). */
export function previewTable(view) {
  const columns = rowColumns(view);
  const revealed = new Set();
  const head = h('div', { class: 'vt-row vt-head', role: 'row' }, columns.map((c) => h('div', { class: 'vt-cell', role: 'columnheader' }, c.label)));
  const body = view.preview.map((row) => {
    const cells = columns.map(() => h('div', { class: 'vt-cell', role: 'gridcell' }));
    fillCells(cells, row, columns, revealed);
    return h('div', { class: 'vt-row', role: 'row' }, cells);
  });
  const table = h('div', { class: 'vt static', role: 'grid', 'aria-label': 'First rows', id: 'preview-table' }, head, ...body);
  table.style.setProperty('--vt-columns', columns.map((c) => `${c.width}px`).join(' '));
  table.style.setProperty('--vt-width', `${columns.reduce((sum, c) => sum + c.width, 0)}px`);
  if (!view.preview.length) return h('p', { class: 'muted' }, 'The file has no rows.');
  return table;
}

/** The side panel of one row: every problem, the cells and the contact; reveals the token. */
export function rowPanel(row, columns, { revealed, onReveal, onClose }) {
  const reveal = revealed.has(row.index);
  return h('aside', { class: 'row-panel', role: 'dialog', 'aria-label': `Line ${row.line}`, id: 'row-panel' },
    h('div', { class: 'row-panel-head' },
      h('h2', {}, `Line ${row.line}`),
      h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close (Esc)', onClick: onClose }, '×')),
    row.problems.length
      ? h('ul', { class: 'problem-list' }, row.problems.map((p) => h('li', { class: p.severity, dataset: { reason: p.reason } },
        h('strong', {}, p.severity === 'invalid' ? 'Invalid' : 'Warning'), p.field ? ` · ${p.field}` : '', ` — ${p.message}`)))
      : h('p', { class: 'status-line ok' }, 'No problems'),
    row.supersededBy ? h('p', { class: 'muted' }, `Not sent: line ${row.supersededBy} has the same key and wins.`) : null,
    row.cells ? h('dl', { class: 'facts' }, columns.filter((c) => c.index !== undefined).map((c) => {
      const value = row.cells[c.index] ?? '';
      return [h('dt', {}, c.label), h('dd', { class: 'mono' }, c.target === 'pushToken' && !reveal ? maskToken(value) : value)];
    })) : null,
    row.contact ? [h('h3', {}, 'Sent to Yespo as'), h('pre', { class: 'contact-json' }, JSON.stringify(JSON.parse(contactText(row.contact, reveal)), null, 2))] : null,
    h('button', { type: 'button', class: 'button secondary small', onClick: onReveal }, reveal ? 'Hide the token' : 'Reveal the token'));
}
