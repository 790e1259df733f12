// The History tab: past upload jobs (date, file, account, counts, state), with their report,
// a re-check of "check later" sessions, resume, discard and delete.

import { h, replaceChildren } from '../dom.js';
import { invoke } from '../ipc.js';
import { getAccounts } from '../app-state.js';
import { count, when } from '../format.js';
import { follow, resume } from './state.js';
import { outcomeTable } from './upload-step.js';
import { confirmBox, emptyState } from '../states.js';

const RESUMABLE = ['planned', 'running', 'cancelled', 'interrupted'];

function accountName(accounts, id) {
  const account = accounts.find((a) => a.id === id);
  return account ? account.name : id;
}

export async function historyTab({ onError, onNotice, redraw }) {
  /** @type {[import('../types/ipc').JobView[], {accounts: {id: string, name: string}[]}]} */
  const [jobs, { accounts }] = await Promise.all([invoke('token_jobs'), getAccounts()]);
  if (!jobs.length) {
    return h('div', { id: 'history' }, emptyState('No uploads yet', 'Jobs started here or with yespo-admin-cli are listed here.'));
  }
  /** Runs `fn` with the button disabled (saying `busyLabel` meanwhile, for work that takes long). */
  const act = (fn, busyLabel = null) => async (event) => {
    const button = event.currentTarget;
    const label = button.textContent;
    button.disabled = true;
    if (busyLabel) button.textContent = busyLabel;
    try { await fn(); } catch (error) { onError(error); } finally { button.disabled = false; button.textContent = label; }
  };
  const details = h('div', { class: 'history-details' });
  /** Asks under the table before a job is discarded or deleted. */
  const ask = (question, detail, confirmLabel, busyLabel, work) => () => replaceChildren(details, confirmBox(question, {
    detail, confirmLabel, busyLabel,
    onConfirm: async () => {
      try { await work(); replaceChildren(details); redraw(); } catch (error) { onError(error); }
    },
    onCancel: () => replaceChildren(details),
  }));
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
      }, 'Re-checking…') }, 'Re-check') : null,
      RESUMABLE.includes(job.state) && !job.running ? [
        h('button', { type: 'button', class: 'link-button', dataset: { action: 'resume' }, onClick: act(() => resume(job), 'Resuming…') }, 'Resume'),
        h('button', { type: 'button', class: 'link-button', dataset: { action: 'discard' },
          onClick: ask(`Discard job ${job.job} (${job.fileName})?`, 'It can no longer be resumed; its report keeps what was sent. Nothing in Yespo changes.',
            'Discard', 'Discarding…', () => invoke('token_job_discard', { job: job.job })) }, 'Discard'),
      ] : null,
      job.running ? h('button', { type: 'button', class: 'link-button', dataset: { action: 'follow' }, onClick: act(() => follow(job)) }, 'Show progress') : null,
      !job.running ? h('button', { type: 'button', class: 'danger-link', dataset: { action: 'delete' },
        onClick: ask(`Delete job ${job.job} (${job.fileName}) from the history?`, 'Its counts and its report go for good; what was uploaded stays in Yespo.',
          'Delete', 'Deleting…', () => invoke('token_job_delete', { job: job.job })) }, 'Delete') : null)));
  return h('div', { id: 'history' },
    h('table', { class: 'history-table card wide' },
      h('thead', {}, h('tr', {}, ['Started', 'File', 'Account', 'Confirmed / rows', 'State', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, rows)),
    details);
}
