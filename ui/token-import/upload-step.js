// Steps 5 and 6: the upload's live progress (rows confirmed / sent / failed, rate, ETA, a strip
// of the batches, Cancel) and the report (every row in one outcome; the counts add up).

import { h } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke } from '../ipc.js';
import { count, duration, plural } from '../format.js';
import { cancelUpload, resume, state as importState, changed } from './state.js';
import { confirmBox } from '../states.js';

export const OUTCOMES = [
  ['confirmed', 'Confirmed by Yespo'], ['rejected', 'Rejected here (invalid)'], ['superseded', 'Superseded by a later duplicate'],
  ['failed', 'Failed at Yespo'], ['not_sent', 'Not sent'], ['unconfirmed', 'Sent, not confirmed yet'],
];
const BATCH = 3000;

/** @param {Pick<import('../types/ipc').UploadProgress, 'confirmed' | 'sent' | 'failed' | 'inFlight' | 'rate' | 'etaSecs'>} p */
function numbers(p) {
  return [
    ['confirmed', 'Confirmed', p.confirmed], ['sent', 'Sent', p.sent], ['failed', 'Failed', p.failed],
    ['inFlight', 'In flight', p.inFlight], ['rate', 'Rows/s', Math.round(p.rate)],
    ['eta', 'Time left', p.etaSecs == null ? '—' : duration(p.etaSecs)],
  ];
}

/** Updates the live parts of the upload step in place (called in requestAnimationFrame). */
export function updateLive(item, root) {
  const p = item.progress;
  const reading = item.resumeReading;
  if (!p && reading) {
    const text = root.querySelector('[data-live="upload-state"]');
    if (text) text.textContent = `Reading the file again before resuming: ${Math.round((100 * reading.bytes) / Math.max(1, reading.totalBytes))}%`;
    return;
  }
  if (!p) return;
  const bar = root.querySelector('[data-live="upload-bar"]');
  if (bar) { bar.max = Math.max(1, p.ready); bar.value = p.confirmed + p.failed; }
  for (const [key, , value] of numbers(p)) {
    const cell = root.querySelector(`[data-live="n-${key}"]`);
    if (cell) cell.textContent = typeof value === 'number' ? count(value) : value;
  }
  const strip = root.querySelector('[data-live="batches"]');
  if (strip) drawStrip(item, strip);
}

function drawStrip(item, strip) {
  const total = Math.max(item.batches.size, Math.ceil((item.progress?.ready ?? 0) / BATCH));
  while (strip.children.length < total) strip.append(h('span', { class: 'batch queued', title: `Batch ${strip.children.length + 1}: queued` }));
  for (const [index, batchState] of item.batches) {
    const cell = strip.children[index];
    if (cell && !cell.classList.contains(batchState)) {
      cell.className = `batch ${batchState === 'sent' ? 'importing' : batchState}`;
      cell.title = `Batch ${index + 1}: ${batchState === 'sent' ? 'importing' : batchState}`;
    }
  }
}

/** @param {import('./state.js').Item} item */
export function uploadStep(item, { onError }) {
  const p = item.progress;
  // Asked first (kept on the item, so a redraw while asking keeps the question).
  const cancelButton = h('button', {
    type: 'button', class: 'button secondary', dataset: { action: 'cancel-upload' }, disabled: Boolean(item.cancelling),
    onClick: () => { item.askCancel = true; changed(); },
  }, item.cancelling ? 'Cancelling…' : 'Cancel upload');
  const askCancel = () => confirmBox(`Cancel the upload of ${item.name}?`, {
    detail: 'Batches Yespo already took stay in Yespo; the rest is not sent. The job can be resumed later from the history.',
    confirmLabel: 'Cancel upload', busyLabel: 'Cancelling…', keepLabel: 'Keep uploading',
    onConfirm: async () => {
      // Until the run has stopped (then the report shows), the button says it is cancelling.
      try { await cancelUpload(item); item.cancelling = true; } catch (error) { onError(error); }
      item.askCancel = false;
      changed();
    },
    onCancel: () => { item.askCancel = false; changed(); },
  });
  const strip = h('div', { class: 'batch-strip', dataset: { live: 'batches' }, 'aria-label': 'Batches' });
  drawStrip(item, strip);
  return h('div', { class: 'step-body' },
    h('div', { class: 'card wide', dataset: { state: p?.state ?? 'starting' } },
      h('h2', { dataset: { live: 'upload-state' } }, item.resumed ? `Resuming job ${item.job}: ${item.name}` : `Uploading ${item.name} (job ${item.job})`),
      h('progress', { class: 'upload-bar', dataset: { live: 'upload-bar' }, max: String(Math.max(1, p?.ready ?? 1)), value: String(p ? p.confirmed + p.failed : 0) }),
      h('div', { class: 'live-numbers' }, numbers(p ?? { confirmed: 0, sent: 0, failed: 0, inFlight: 0, rate: 0, etaSecs: null })
        .map(([key, label, value]) => h('div', { class: 'live-number' },
          h('span', { class: 'counter-value', dataset: { live: `n-${key}` } }, typeof value === 'number' ? count(value) : value),
          h('span', { class: 'counter-label' }, label)))),
      h('h3', {}, 'Batches'),
      strip,
      h('p', { class: 'legend muted' },
        ['queued', 'sending', 'importing', 'confirmed', 'failed', 'unknown'].map((s) => h('span', { class: 'legend-item' }, h('span', { class: `batch ${s}` }), ` ${s} `))),
      h('p', { class: 'muted' }, 'You can leave this screen: the upload runs in the app and its journal keeps every batch.'),
      item.askCancel ? askCancel() : h('div', { class: 'step-actions' }, cancelButton)));
}

async function exportReport(job, reveal, onError, onNotice) {
  try {
    const written = await invoke('token_job_export_report', { job, reveal });
    if (written) onNotice(`${plural(written.rows, 'row')} written to ${written.path}`, 'export-report');
  } catch (error) { onError(error); }
}

/**
 * The counts by outcome, which add up to the rows.
 * @param {import('../types/ipc').Counts} counts
 */
export function outcomeTable(counts) {
  const sum = OUTCOMES.reduce((total, [key]) => total + (counts[key] ?? 0), 0);
  return h('table', { class: 'outcomes', dataset: { field: 'outcomes' } },
    h('tbody', {},
      OUTCOMES.map(([key, label]) => h('tr', { dataset: { outcome: key } }, h('th', { scope: 'row' }, label), h('td', {}, count(counts[key] ?? 0)))),
      counts.unaccounted ? h('tr', { dataset: { outcome: 'unaccounted' } }, h('th', { scope: 'row' }, 'Not read yet (the run stopped)'), h('td', {}, count(counts.unaccounted))) : null,
      h('tr', { class: 'total', dataset: { outcome: 'total' } }, h('th', { scope: 'row' }, 'Rows in the file'), h('td', {}, count(counts.rows)))),
    h('caption', { class: 'muted' }, sum + (counts.unaccounted ?? 0) === counts.rows ? 'Every row is in exactly one outcome.' : 'Some rows are not accounted for yet.'));
}

/** @param {import('./state.js').Item} item */
export function reportStep(item, { onError, onNotice, onHistory }) {
  if (!item.ended.state) {
    return h('div', { class: 'card wide' }, h('h2', {}, `Job ${item.job} could not go on`), errorBanner(item.ended.error));
  }
  const ended = /** @type {import('../types/ipc').RunReport} */ (item.ended);
  /** @type {import('../types/ipc').Counts} */
  const counts = item.jobView ?? ended;
  const stateText = {
    finished: 'Finished', cancelled: 'Cancelled: resume it from the history', interrupted: 'Interrupted: resume it when the cause is fixed',
  }[ended.state] ?? ended.state;
  const problems = counts.rows - counts.confirmed;
  const next = importState.items.find((i) => !i.job && i.status === 'open' && i !== item);
  return h('div', { class: 'step-body' },
    h('div', { class: 'card wide', dataset: { state: ended.state } },
      h('h2', {}, `Job ${item.job}: ${stateText}`),
      ended.error ? errorBanner(ended.error) : null,
      outcomeTable(counts),
      counts.unconfirmed ? h('p', { class: 'warning-line' }, `Yespo has not confirmed ${plural(counts.unconfirmed, 'row')} yet: re-check them later from the history.`) : null,
      h('p', { class: 'muted' }, `${plural(ended.requests ?? 0, 'request')} in ${ended.elapsedSecs < 1 ? 'under a second' : duration(ended.elapsedSecs)}.`),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button secondary', dataset: { action: 'export-report' }, onClick: () => exportReport(item.job, false, onError, onNotice) }, 'Export report…'),
        problems > 0 ? h('button', { type: 'button', class: 'button secondary', dataset: { action: 'fix-problems' }, onClick: () => exportReport(item.job, true, onError, onNotice) }, 'Fix and re-import the problem rows…') : null,
        ['cancelled', 'interrupted'].includes(ended.state)
          ? h('button', { type: 'button', class: 'button', dataset: { action: 'resume' }, onClick: async () => {
            try { await resume(await invoke('token_job', { job: item.job })); } catch (error) { onError(error); }
          } }, 'Resume')
          : null,
        h('button', { type: 'button', class: 'link-button', onClick: onHistory }, 'See the history'),
        next ? h('button', { type: 'button', class: 'button', onClick: () => { importState.current = next; changed(); } }, `Next file: ${next.name}`) : null)));
}
