// "Export CSV…" for any list: Rust asks where to save (the native dialog), reads the list from
// Yespo page by page and writes it, reporting over a Channel; the line under the button shows
// the rows written, a Cancel button, and where the file went.

import { h, replaceChildren } from './dom.js';
import { errorBanner } from './errors.js';
import { invoke } from './ipc.js';
import { count } from './format.js';

/** @typedef {import('./types/ipc').ExportSource} ExportSource */
/** @typedef {import('./types/ipc').ExportProgress} ExportProgress */

let nextId = 1;

/**
 * An Export button and its status line.
 * @param {() => {source: ExportSource, name: string} | null} what  the list shown now, and a file name to offer
 */
export function exportControl(what) {
  const line = h('span', { class: 'export-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'export' } }, 'Export CSV…');
  button.addEventListener('click', async () => {
    const target = what();
    if (!target) return;
    const exportId = nextId++;
    const Channel = window.__TAURI__.core.Channel;
    const channel = new Channel();
    const cancel = h('button', { type: 'button', class: 'link-button', dataset: { action: 'cancel-export' },
      onClick: () => invoke('list_export_cancel', { exportId }) }, 'Cancel');
    /** @param {ExportProgress} p */
    channel.onmessage = (p) => {
      const rows = p.total != null ? `${count(p.rows)} of ${count(p.total)} rows` : `${count(p.rows)} rows`;
      if (p.state === 'running') replaceChildren(line, `Exporting… ${rows} `, cancel);
    };
    button.disabled = true;
    try {
      /** @type {ExportProgress | null} */
      const done = await invoke('list_export', { exportId, source: target.source, suggestedName: target.name, onProgress: channel });
      if (!done) replaceChildren(line);
      else if (done.state === 'done') replaceChildren(line, h('span', { class: 'ok-text', dataset: { field: 'export-done' } }, `${count(done.rows)} rows written to ${done.path}`));
      else if (done.state === 'cancelled') replaceChildren(line, 'Export cancelled; no file was written.');
      else replaceChildren(line, errorBanner(done.error));
    } catch (error) {
      replaceChildren(line, errorBanner(error));
    } finally {
      button.disabled = false;
    }
  });
  return h('span', { class: 'export-control' }, button, line);
}
