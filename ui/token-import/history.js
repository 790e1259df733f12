// The History tab: past upload jobs (date, file, account, counts, state), with their report,
// a re-check of "check later" sessions, resume, discard and delete.

import { h, replaceChildren } from '../dom.js';
import { invoke } from '../ipc.js';
import { getAccounts } from '../app-state.js';
import { count, when } from '../format.js';
import { follow, resume } from './state.js';
import { outcomeTable } from './upload-step.js';

const RESUMABLE = ['planned', 'running', 'cancelled', 'interrupted'];

function accountName(accounts, id) {
  const account = accounts.find((a) => a.id === id);
  return account ? account.name : id;
}

export async function historyTab({ onError, onNotice, redraw }) {
  /** @type {[import('../types/ipc').JobView[], {accounts: {id: string, name: string}[]}]} */
  const [jobs, { accounts }] = await Promise.all([invoke('token_jobs'), getAccounts()]);
  if (!jobs.length) {
    return h('div', { class: 'card wide', id: 'history' }, h('p', { class: 'muted' }, 'No uploads yet. Jobs started here or with yespo-admin-cli are listed here.'));
  }
  const act = (fn) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try { await fn(); } catch (error) { onError(error); } finally { button.disabled = false; }
  };
  const details = h('div', { class: 'history-details' });
  const rows = jobs.map((job) => h('tr', { dataset: { job: String(job.job), state: job.state } },
    h('td', {}, when(job.createdAt)),
    h('td', { title: job.file }, job.fileName),
    h('td', {}, accountName(accounts, job.account)),
    h('td', { class: 'num' }, `${count(job.confirmed)} / ${count(job.rows)}`),
    h('td', {}, h('span', { class: `state-chip ${job.state}` }, job.running ? 'running here' : job.state)),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', class: 'link-button', onClick: () => replaceChildren(details, h('div', { class: 'card wide' }, h('h2', {}, `Job ${job.job}: ${job.fileName}`), outcomeTable(job))) }, 'Counts'),
      h('button', { type: 'button', class: 'link-button', dataset: { action: 'report' }, onClick: act(async () => {
        const written = await invoke('token_job_export_report', { job: job.job, reveal: false });
        if (written) onNotice(`Report of job ${job.job}: ${count(written.rows)} rows written to ${written.path}`, 'export-report');
      }) }, 'Report…'),
      job.unconfirmed > 0 || job.checkLater.length ? h('button', { type: 'button', class: 'link-button', dataset: { action: 'recheck' }, onClick: act(async () => {
        const after = await invoke('token_job_recheck', { job: job.job });
        onNotice(`Job ${job.job}: ${count(after.unconfirmed)} rows still unconfirmed`, 'recheck');
        redraw();
      }) }, 'Re-check') : null,
      RESUMABLE.includes(job.state) && !job.running ? [
        h('button', { type: 'button', class: 'link-button', dataset: { action: 'resume' }, onClick: act(() => resume(job)) }, 'Resume'),
        h('button', { type: 'button', class: 'link-button', dataset: { action: 'discard' }, onClick: act(async () => { await invoke('token_job_discard', { job: job.job }); redraw(); }) }, 'Discard'),
      ] : null,
      job.running ? h('button', { type: 'button', class: 'link-button', dataset: { action: 'follow' }, onClick: act(() => follow(job)) }, 'Show progress') : null,
      !job.running ? h('button', { type: 'button', class: 'danger-link', dataset: { action: 'delete' }, onClick: act(async () => { await invoke('token_job_delete', { job: job.job }); redraw(); }) }, 'Delete') : null)));
  return h('div', { id: 'history' },
    h('table', { class: 'history-table card wide' },
      h('thead', {}, h('tr', {}, ['Started', 'File', 'Account', 'Confirmed / rows', 'State', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows)),
    details);
}
