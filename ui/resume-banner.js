// When the app starts with an upload that did not finish (a crash, a kill, a closed window),
// a banner above every screen offers to resume it, or to discard it (its report keeps what was
// sent).

import { h, replaceChildren } from './dom.js';
import { invoke } from './ipc.js';
import { showErrorToast } from './errors.js';
import { count } from './format.js';
import { confirmBox } from './states.js';

/** @param {HTMLElement} slot  @param {(job: any) => Promise<void>} onResume */
export async function showResumeBanner(slot, onResume) {
  let jobs;
  try { jobs = await invoke('token_jobs_unfinished'); } catch (error) { showErrorToast(error); return; }
  const banners = jobs.map((job) => {
    const banner = h('div', { class: 'resume-banner', role: 'status', dataset: { job: String(job.job) } },
      h('span', {}, h('strong', {}, 'An upload did not finish: '),
        `${job.fileName} (job ${job.job}), ${count(job.confirmed)} of ${count(job.rows)} rows confirmed.`),
      h('button', { type: 'button', class: 'button small', dataset: { action: 'resume' }, onClick: async () => {
        banner.remove();
        try { await onResume(job); } catch (error) { showErrorToast(error); }
      } }, 'Resume'),
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'discard' }, onClick: () => {
        // Asked first, in the banner; "Keep it" puts the banner back as it was.
        const shown = [...banner.childNodes];
        banner.replaceChildren(confirmBox(`Discard the upload of ${job.fileName} (job ${job.job})?`, {
          detail: 'It can no longer be resumed; its report keeps what was sent. Nothing in Yespo changes.',
          confirmLabel: 'Discard', busyLabel: 'Discarding…', keepLabel: 'Keep it',
          onConfirm: async () => {
            try { await invoke('token_job_discard', { job: job.job }); banner.remove(); } catch (error) { showErrorToast(error); }
          },
          onCancel: () => banner.replaceChildren(...shown),
        }));
      } }, 'Discard'));
    return banner;
  });
  replaceChildren(slot, banners);
}
