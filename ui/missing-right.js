// When Yespo refuses a screen's reads for the account's rights: which right is missing and
// what to change in Yespo, instead of an error dump. No account, or one that must log in: say so
// and lead to Accounts. Other errors get the usual banner.

import { h } from './dom.js';
import { errorBanner } from './errors.js';
import { toAppError } from './ipc.js';
import { getAccounts } from './app-state.js';

/**
 * No account is active, or it is not (or no longer) logged in: what to do, and the way there.
 * @param {import('./ipc.js').AppError} err @param {string} what
 */
function loginNotice(err, what) {
  const title = err.code === 'auth_expired' ? 'The login has expired' : `An account that is logged in is needed to show ${what}`;
  return h('section', { class: 'card notice login-needed', role: 'status', dataset: { errorCode: err.code } },
    h('h2', {}, title),
    h('p', {}, err.message),
    h('a', { class: 'button secondary small', href: '#/accounts' }, 'Open Accounts'));
}

/**
 * A notice for a `forbidden` error (with the right it needs) or a missing login, else the usual
 * error banner (with Retry when `onRetry` is given).
 * @param {unknown} error @param {string} what  what the screen would show, e.g. "contacts"
 * @param {{onRetry?: () => void}} [options]
 */
export function refusalNotice(error, what, { onRetry } = {}) {
  const err = toAppError(error);
  if (err.code === 'auth_required' || err.code === 'auth_expired') return loginNotice(err, what);
  if (err.code !== 'forbidden') return errorBanner(error, { onRetry });
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
