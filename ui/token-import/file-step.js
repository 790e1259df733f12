// Step 1, File: what the file is (each detection overridable) and its first rows.

import { h } from '../dom.js';
import { bytes, count } from '../format.js';
import { reread } from './state.js';
import { previewTable } from './row-view.js';
import { loadingLine } from '../states.js';

const FORMATS = [
  ['', 'Detect'], ['yespo-json', 'Yespo JSON (contacts body)'], ['json-array', 'JSON array'],
  ['ndjson', 'NDJSON (one object per line)'], ['csv', 'CSV / TSV'], ['xlsx', 'Excel (XLSX)'],
];
const ENCODINGS = [
  '', 'UTF-8', 'UTF-16LE', 'UTF-16BE', 'windows-1251', 'windows-1252', 'windows-1250', 'KOI8-R', 'KOI8-U',
  'ISO-8859-1', 'ISO-8859-2', 'ISO-8859-5', 'IBM866', 'Shift_JIS', 'GBK', 'Big5',
];
const DELIMITERS = [['', 'Detect'], [',', 'Comma ,'], [';', 'Semicolon ;'], ['\t', 'Tab'], ['|', 'Pipe |']];

function select(name, options, value, onChange) {
  return h('select', { name, onChange: (e) => onChange(e.currentTarget.value) },
    options.map(([v, label]) => h('option', { value: v, selected: v === (value ?? '') }, label)));
}

function delimiterName(d) {
  return DELIMITERS.find(([v]) => v === d)?.[1] ?? JSON.stringify(d);
}

/** @param {import('./state.js').Item} item */
export function fileStep(item, { onError }) {
  if (item.status === 'opening') {
    return h('div', { class: 'card wide', 'aria-busy': 'true' }, loadingLine(`Opening ${item.name}…`));
  }
  const view = item.view;
  const detected = view.detected;
  const options = view.readOptions;
  const change = (key) => async (value) => {
    const next = { ...options, [key]: value === '' ? null : value };
    try { await reread(item, next); } catch (error) { onError(error); }
  };
  const tabular = detected.format === 'csv';
  const facts = h('dl', { class: 'facts' },
    h('dt', {}, 'File'), h('dd', { dataset: { field: 'file-name' } }, view.name),
    h('dt', {}, 'Size'), h('dd', {}, bytes(view.size)),
    h('dt', {}, 'Format'), h('dd', { dataset: { field: 'format' } }, FORMATS.find(([v]) => v === detected.format)?.[1] ?? detected.format,
      detected.sheet ? ` — sheet “${detected.sheet}” (${count(detected.sheets)} in the workbook)` : ''),
    detected.encoding ? [h('dt', {}, 'Encoding'), h('dd', { dataset: { field: 'encoding' } }, detected.encoding, detected.bom ? ' (with BOM)' : '')] : null,
    tabular ? [h('dt', {}, 'Delimiter'), h('dd', { dataset: { field: 'delimiter' } }, delimiterName(detected.delimiter))] : null,
    view.preset ? [h('dt', {}, 'Looks like'), h('dd', {}, `a ${view.preset === 'onesignal' ? 'OneSignal' : 'Braze'} export`)] : null,
    view.mappingRemembered ? [h('dt', {}, 'Mapping'), h('dd', {}, 'remembered from a file with the same columns')] : null);
  const overrides = h('details', { class: 'overrides' },
    h('summary', {}, 'Read it differently'),
    h('div', { class: 'override-row' },
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Format'), select('format', FORMATS, options.format, change('format'))),
      detected.format !== 'xlsx'
        ? h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Encoding'),
          select('encoding', ENCODINGS.map((e) => [e, e || 'Detect']), options.encoding, change('encoding')))
        : null,
      tabular
        ? h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Delimiter'), select('delimiter', DELIMITERS, options.delimiter, change('delimiter')))
        : null));
  return h('div', { class: 'step-body' },
    h('div', { class: 'card wide', dataset: { state: 'open' } }, facts, overrides),
    h('div', { class: 'card wide' },
      h('h2', {}, 'First rows'),
      previewTable(view)));
}
