// Token import: drop a token export, fix the mapping, review every row, upload with live
// progress, see the report; and the history of uploads. The steps of each file live in
// `../token-import/`; the files and their jobs in `state.js`, so leaving the screen loses nothing.

import { h, replaceChildren } from '../dom.js';
import { errorBanner, showErrorToast } from '../errors.js';
import { invoke } from '../ipc.js';
import { STEPS, state, onChange, onLive, addPaths, goTo, reachable, remove, select } from '../token-import/state.js';
import { fileStep } from '../token-import/file-step.js';
import { columnsStep } from '../token-import/columns-step.js';
import { reviewStep, updateLive as updateCheck, closePanel } from '../token-import/review-step.js';
import { settingsStep, updateLive as updateSettings } from '../token-import/settings-step.js';
import { uploadStep, reportStep, updateLive as updateUpload } from '../token-import/upload-step.js';
import { historyTab } from '../token-import/history.js';

let container = null;
let drawing = 0;
let liveFrame = 0;
/** The last message of an action that worked (an export): shown while its step is. */
let notice = null;

function onError(error) { showErrorToast(error); }
function onNotice(text, kind) {
  notice = { text, kind, tab: state.tab, key: state.current?.key, step: state.current?.step };
  draw();
}
function noticeShown() {
  return notice && notice.tab === state.tab && (state.tab === 'history' || (notice.key === state.current?.key && notice.step === state.current?.step));
}

export async function pickFiles() {
  try {
    const paths = await invoke('token_files_pick');
    if (paths.length) await addPaths(paths);
  } catch (error) { onError(error); }
}

function emptyState() {
  return h('div', { class: 'drop-zone', id: 'drop-zone' },
    h('p', { class: 'drop-title' }, 'Drop token files anywhere on this window'),
    h('p', { class: 'muted' }, 'Yespo JSON, JSON arrays, NDJSON, CSV/TSV in any encoding, Excel (XLSX). Several files become one upload each.'),
    h('button', { type: 'button', class: 'button', dataset: { action: 'choose-file' }, onClick: pickFiles }, 'Choose file…'));
}

function queue() {
  if (state.items.length < 2) return null;
  return h('div', { class: 'queue', role: 'tablist', 'aria-label': 'Files' }, state.items.map((item) => h('div', { class: 'queue-item' },
    h('button', {
      type: 'button', role: 'tab', class: 'queue-chip', 'aria-selected': String(item === state.current),
      dataset: { file: item.name }, onClick: () => select(item),
    }, item.name, item.job ? ` · job ${item.job}` : ''),
    item.job && !item.ended ? null : h('button', { type: 'button', class: 'toast-close', 'aria-label': `Remove ${item.name}`, onClick: () => remove(item) }, '×'))));
}

function stepBar(item) {
  const open = reachable(item);
  return h('ol', { class: 'step-bar', 'aria-label': 'Steps' }, STEPS.map((step, i) => {
    const skipped = step.id === 'columns' && item.status === 'open' && !item.view?.columns;
    return h('li', { class: `${step.id === item.step ? 'current' : ''} ${skipped ? 'skipped' : ''}` },
      h('button', {
        type: 'button', dataset: { step: step.id }, disabled: !open.has(step.id) || skipped,
        'aria-current': step.id === item.step ? 'step' : null, onClick: () => goTo(item, step.id),
      }, h('span', { class: 'step-number' }, String(i + 1)), step.label));
  }));
}

async function stepBody(item) {
  const context = { onError, onNotice, onHistory: () => { state.tab = 'history'; draw(); } };
  switch (item.step) {
    case 'columns': return columnsStep(item, context);
    case 'review': return reviewStep(item, context);
    case 'settings': return settingsStep(item, context);
    case 'upload': return uploadStep(item, context);
    case 'report': return reportStep(item, context);
    default: {
      const body = fileStep(item, context);
      if (item.status !== 'open') return body;
      const next = item.view.columns ? 'columns' : 'review';
      return h('div', {}, body, h('div', { class: 'step-actions' },
        h('button', { type: 'button', class: 'button', dataset: { action: 'to-next' }, onClick: () => goTo(item, next) },
          item.view.columns ? 'Next: columns' : 'Next: check every row')));
    }
  }
}

async function draw() {
  if (!container || !document.contains(container)) return;
  const mine = ++drawing;
  const tabs = h('div', { class: 'tabs', role: 'tablist' },
    ['import', 'history'].map((tab) => h('button', {
      type: 'button', role: 'tab', class: 'tab', dataset: { tab }, 'aria-selected': String(state.tab === tab),
      onClick: () => { state.tab = tab; notice = null; draw(); },
    }, tab === 'import' ? 'Import' : 'History')),
    h('span', { class: 'spacer' }),
    state.tab === 'import' && state.items.length ? h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'add-files' }, onClick: pickFiles }, 'Add files…') : null);
  let body;
  try {
    if (state.tab === 'history') {
      body = await historyTab({ onError, onNotice, redraw: draw });
    } else if (!state.current) {
      body = emptyState();
    } else {
      body = h('div', { dataset: { item: String(state.current.key), step: state.current.step } },
        queue(), stepBar(state.current), await stepBody(state.current));
    }
  } catch (error) {
    body = errorBanner(error, { onRetry: draw });
  }
  if (mine !== drawing) return;
  const noticeNode = noticeShown() ? h('p', { class: 'notice-line', role: 'status', dataset: { notice: notice.kind } }, notice.text) : null;
  const refused = state.refused && state.tab === 'import'
    ? h('div', { class: 'refused', id: 'refused-file' },
      h('p', {}, h('strong', {}, state.refused.name), ' was not opened. Nothing else changed.'),
      errorBanner(state.refused.error))
    : null;
  replaceChildren(container,
    h('header', { class: 'view-header' }, h('h1', {}, 'Token import'),
      h('p', { class: 'muted' }, 'Mobile-push tokens from an export, checked row by row, uploaded in requests of at most 3,000 contacts.')),
    tabs, noticeNode, refused, body);
}

function drawLive() {
  if (liveFrame) return;
  liveFrame = requestAnimationFrame(() => {
    liveFrame = 0;
    const item = state.current;
    if (!container || !document.contains(container) || !item) return;
    if (item.step === 'review' || item.step === 'settings') updateCheck(item, container);
    if (item.step === 'settings') updateSettings(item, container);
    if (item.step === 'upload') updateUpload(item, container);
  });
}

onChange(() => draw());
onLive(() => drawLive());

/** Enter advances (the step's main button), Esc closes a panel; not while typing or choosing. */
function keys(event) {
  if (!container || !document.contains(container)) return;
  const target = /** @type {HTMLElement} */ (event.target);
  if (event.key === 'Escape' && state.current && closePanel(state.current)) { event.preventDefault(); return; }
  if (event.key !== 'Enter' || event.defaultPrevented) return;
  if (target.closest('input, select, textarea, button, a, summary, .vt-viewport')) return;
  const primary = [...container.querySelectorAll('.step-actions .button:not(.secondary)')].filter((b) => !b.disabled).pop();
  if (primary) { event.preventDefault(); primary.click(); }
}
document.addEventListener('keydown', keys);

export async function render(view) {
  // The screen draws into its own element: once another screen replaced it, changes of the
  // files and jobs (an upload ending, say) no longer draw over that screen.
  container = h('div', { class: 'token-import' });
  replaceChildren(view, container);
  await draw();
}

/** Opens dropped paths: the screen shows them (used by the app shell's drop handler). */
export async function openPaths(paths) {
  await addPaths(paths);
}
