// The token files on their way through the import steps, kept while the user moves between
// screens: one item per file (several dropped files are queued, one job each). Everything heavy
// happens in Rust; this module calls it and tells the screen what changed.

import { invoke, toAppError } from '../ipc.js';

export const STEPS = Object.freeze([
  { id: 'file', label: 'File' },
  { id: 'columns', label: 'Columns' },
  { id: 'review', label: 'Review' },
  { id: 'settings', label: 'Settings' },
  { id: 'upload', label: 'Upload' },
  { id: 'report', label: 'Report' },
]);

/**
 * @typedef {import('../types/ipc').FileView} FileView
 * @typedef {import('../types/ipc').Summary} Summary
 * @typedef {import('../types/ipc').FilterCounts} FilterCounts
 * @typedef {import('../types/ipc').ImportSettings} ImportSettings
 * @typedef {import('../types/ipc').DryRun} DryRun
 * @typedef {import('../types/ipc').UploadProgress} UploadProgress
 * @typedef {import('../types/ipc').UploadEvent} UploadEvent
 * @typedef {import('../types/ipc').RunReport} RunReport
 * @typedef {import('../types/ipc').JobView} JobView
 * @typedef {import('../types/ipc').RowFilter} RowFilter
 * @typedef {import('../types/ipc').RowsPage} RowsPage
 * @typedef {import('../ipc.js').AppError} AppError
 */

/**
 * @typedef {object} Item
 * @property {number} key
 * @property {string} path
 * @property {string} name
 * @property {'opening'|'open'} status
 * @property {string} step
 * @property {FileView} [view]  the file as Rust read it (a resumed job has only its name and path)
 * @property {number} [openedInMs]  how long opening took, as the window saw it
 * @property {Summary} [summary]  the full check's summary, for the current choices
 * @property {FilterCounts} [counts]  how many rows each review filter shows
 * @property {{bytes: number, totalBytes: number, rows?: number}|null} [checking]
 * @property {AppError|null} [checkError]
 * @property {RowFilter} filter  the review table's filter
 * @property {ImportSettings} [settings]  the upload settings being edited
 * @property {string} [account]  the account to upload to
 * @property {DryRun|null} [dry]  the dry run for those settings
 * @property {AppError|null} [dryError]
 * @property {number} [job]  the upload job, once started
 * @property {boolean} [resumed]  the job was resumed (from the banner or the history)
 * @property {UploadProgress} [progress]  the last progress of the upload
 * @property {{bytes: number, totalBytes: number}} [resumeReading]  a resume reading the file again
 * @property {Map<number, string>} batches  batch index → state
 * @property {(RunReport & {error?: any}) | {error: AppError, job: number, state?: undefined}} [ended]  how the run ended
 * @property {JobView} [jobView]  the job as the history shows it, after the run
 * @property {boolean} [askCancel]  the upload step asks whether to cancel
 * @property {boolean} [cancelling]  cancelled: waiting for the run to stop
 */

export const state = {
  /** @type {Item[]} */
  items: [],
  /** @type {Item|null} */
  current: null,
  /** 'import' or 'history' */
  tab: 'import',
  /** The last file that could not be opened: `{name, error}`. */
  refused: null,
};

let nextKey = 1;
const listeners = new Set();
const liveListeners = new Set();

/** Called when anything changed (the screen redraws). */
export function onChange(listener) { listeners.add(listener); return () => listeners.delete(listener); }
/** Called when only live numbers moved (progress): the screen updates them in place. */
export function onLive(listener) { liveListeners.add(listener); return () => liveListeners.delete(listener); }

export function changed() { for (const listener of listeners) listener(); }
export function live() { for (const listener of liveListeners) listener(); }

function fileName(path) {
  return path.split(/[\\/]/).pop() || path;
}

/** Queues files (dropped or picked) and opens them, one after another. */
export async function addPaths(paths) {
  const added = paths.map((path) => /** @type {Item} */ ({
    key: nextKey++, path, name: fileName(path), status: 'opening', step: 'file', filter: 'all', batches: new Map(),
  }));
  const previous = state.current;
  state.items.push(...added);
  state.tab = 'import';
  state.refused = null;
  if (!state.current || state.current.step === 'report') state.current = added[0];
  changed();
  for (const item of added) {
    const started = performance.now();
    try {
      item.view = await invoke('token_file_open', { path: item.path });
      item.status = 'open';
      item.openedInMs = Math.round(performance.now() - started);
    } catch (error) {
      // Not a token file (or unreadable): say so, and leave everything else as it was.
      state.items = state.items.filter((i) => i !== item);
      if (state.current === item) state.current = previous && state.items.includes(previous) ? previous : state.items[0] ?? null;
      state.refused = { name: item.name, error: toAppError(error) };
    }
    changed();
  }
}

export function select(item) {
  state.current = item;
  state.tab = 'import';
  changed();
}

/** Drops a file from the queue (and from Rust's memory). */
export function remove(item) {
  state.items = state.items.filter((i) => i !== item);
  if (item.view) invoke('token_file_close', { id: item.view.id }).catch(() => {});
  if (state.current === item) state.current = state.items[0] ?? null;
  changed();
}

/** The steps this item may show now. */
export function reachable(item) {
  const steps = new Set(['file']);
  if (item.status !== 'open') return steps;
  if (item.job) return new Set(['upload', 'report'].filter((s) => s === 'upload' || item.ended));
  if (item.view.columns) steps.add('columns');
  steps.add('review');
  if (item.summary) steps.add('settings');
  return steps;
}

export function goTo(item, step) {
  if (!reachable(item).has(step)) return;
  item.step = step;
  changed();
  if (step === 'review' && !item.summary && !item.checking) check(item);
}

/** Reads the file again with other options (format, encoding, delimiter). */
export async function reread(item, readOptions) {
  item.view = await invoke('token_file_reread', { id: item.view.id, readOptions });
  forgetCheck(item);
  changed();
}

/** Changes the mapping or dedupe key; the file must be checked again. */
export async function choose(item, choices) {
  item.view = await invoke('token_file_choose', { id: item.view.id, choices });
  forgetCheck(item);
  changed();
}

function forgetCheck(item) {
  item.summary = null;
  item.dry = null;
  item.settings = null;
  item.checkError = null;
}

/** Checks every row in Rust; progress arrives over a Channel. */
export async function check(item) {
  const Channel = window.__TAURI__.core.Channel;
  const onProgress = new Channel();
  item.checking = { bytes: 0, totalBytes: item.view.size };
  item.checkError = null;
  onProgress.onmessage = (p) => { item.checking = p; live(); };
  changed();
  try {
    const checked = await invoke('token_file_check', { id: item.view.id, onProgress });
    item.summary = checked.summary;
    item.counts = checked.counts;
  } catch (error) {
    const e = toAppError(error);
    if (e.code !== 'cancelled') item.checkError = e;
  } finally {
    item.checking = null;
    changed();
  }
}

export function cancelCheck(item) {
  return invoke('token_file_cancel_check', { id: item.view.id });
}

/**
 * Rows of the review table.
 * @param {Item} item @param {RowFilter} filter @param {number} start @param {number} count
 * @returns {Promise<RowsPage>}
 */
export function rows(item, filter, start, count) {
  return invoke('token_file_rows', { id: item.view.id, filter, start, count });
}

/** The dry run for the item's settings and account. */
export async function dryRun(item) {
  const asked = JSON.stringify([item.settings, item.account]);
  item.dry = null;
  item.dryError = null;
  live();
  try {
    const dry = await invoke('token_dry_run', { id: item.view.id, settings: item.settings, account: item.account ?? null });
    // A later edit asked again: its answer is the one to show.
    if (asked === JSON.stringify([item.settings, item.account])) item.dry = dry;
  } catch (error) {
    item.dryError = toAppError(error);
  }
  live();
}

/** Follows an upload job's events. */
export function watch(item) {
  const Channel = window.__TAURI__.core.Channel;
  const onEvent = new Channel();
  onEvent.onmessage = (/** @type {UploadEvent} */ event) => {
    if (event.kind === 'progress') {
      const firstState = !item.progress || item.progress.state !== event.state;
      item.progress = event;
      if (event.batch) item.batches.set(event.batch.index, event.batch.state);
      if (firstState) changed(); else live();
    } else if (event.kind === 'checking') {
      item.resumeReading = event;
      live();
    } else {
      const ended = event.kind === 'ended' ? event : { error: toAppError(event.error), job: event.job };
      // The report shows the journal's view of the job: fetched first, so it is drawn once.
      invoke('token_job', { job: item.job }).then((view) => { item.jobView = view; }, () => {}).finally(() => {
        item.ended = ended;
        item.step = 'report';
        changed();
      });
    }
  };
  return invoke('token_upload_watch', { job: item.job, onEvent });
}

/** Starts the upload of a checked file. */
export async function upload(item) {
  item.job = await invoke('token_upload_start', { id: item.view.id, settings: item.settings, account: item.account });
  item.step = 'upload';
  item.batches = new Map();
  changed();
  await watch(item);
}

/** A job's item (resumed, or running after the page was reloaded): only its upload steps. */
function jobItem(jobView) {
  const existing = state.items.find((i) => i.job === jobView.job && !i.ended);
  if (existing) return existing;
  const item = /** @type {Item} */ ({
    key: nextKey++, path: jobView.file, name: jobView.fileName, status: 'open', step: 'upload',
    filter: 'all', batches: new Map(), job: jobView.job, resumed: true,
  });
  state.items.push(item);
  return item;
}

/**
 * Resumes an unfinished job (from the banner or the history) as an item of its own.
 * @param {JobView} jobView
 */
export async function resume(jobView) {
  await invoke('token_upload_resume', { job: jobView.job });
  return follow(jobView);
}

/**
 * Shows a job running in the app (after the page was reloaded, the screen lost its items).
 * @param {JobView} jobView
 */
export async function follow(jobView) {
  const item = jobItem(jobView);
  state.current = item;
  state.tab = 'import';
  changed();
  await watch(item);
  return item;
}

export function cancelUpload(item) {
  return invoke('token_upload_cancel', { job: item.job });
}
