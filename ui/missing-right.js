// When Yespo refuses a screen's reads for the account's rights: which right is missing and
// what to change in Yespo, instead of an error dump. Other errors get the usual banner.

import { h } from './dom.js';
import { errorBanner } from './errors.js';
import { toAppError } from './ipc.js';
import { getAccounts } from './app-state.js';

/**
 * A notice for a `forbidden` error (with the right it needs), else the usual error banner.
 * @param {unknown} error @param {string} what  what the screen would show, e.g. "contacts"
 */
export function refusalNotice(error, what) {
  const err = toAppError(error);
  if (err.code !== 'forbidden') return errorBanner(error);
  const right = err.missingRight ?? 'Full access to API';
  const steps = h('ol', { class: 'plain-steps' });
  const notice = h('section', { class: 'card notice missing-right', role: 'status', dataset: { missingRight: right } },
    h('h2', {}, `This account may not read ${what}`),
    h('p', {}, 'Yespo refused the request: the account\u2019s access rights do not include ', h('strong', {}, right), '.'),
    h('h3', {}, 'What to change in Yespo'),
    steps,
    h('p', { class: 'muted small-print' }, err.message));
  getAccounts({ refresh: true }).then((view) => {
    const account = view.accounts.find((a) => a.id === view.active);
    const oauth = account?.auth.kind === 'oauth';
    const items = oauth
      ? [`Open the OAuth app\u2019s registration in Yespo and add the right \u201c${right}\u201d (or \u201cFull access to API\u201d).`,
        'Log in again on Accounts: a login carries the rights the app had when it was granted.']
      : [`In Yespo, open Settings \u2192 API keys (my.yespo.io/settings-ui/#/api-keys-list) and edit this key.`,
        `Tick \u201c${right}\u201d (or \u201cFull access to API\u201d) and save; or create a key with it and enter it on Accounts \u2192 Edit.`,
        'Come back here and press Refresh.'];
    steps.replaceChildren(...items.map((text) => h('li', {}, text)));
  }, () => {});
  return notice;
}
