// Account: what the active Yespo account is — organisation, balance, subscription categories,
// the address-book fields (the ids a token import maps to), email senders and SMS alpha names.
// Each card shows its own answer, or why Yespo refused it (a key without a right still sees the
// rest).

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke } from '../ipc.js';
import { count, when } from '../format.js';
import { refusalNotice } from '../missing-right.js';
import { loadingLine } from '../states.js';

/** @typedef {import('../types/ipc').AccountOverview} AccountOverview */

const MONEY = (currency) => new Intl.NumberFormat('en-US', {
  style: currency ? 'currency' : 'decimal', currency: currency || undefined, maximumFractionDigits: 2,
});

/**
 * A card with a title and the part's body, or its error.
 * @template T
 * @param {string} id @param {string} title @param {import('../types/ipc').Part<T>} part
 * @param {(value: T) => any} body
 */
function card(id, title, part, body) {
  return h('section', { class: 'card wide', id, dataset: { state: part.error ? 'refused' : 'ok' } },
    h('h2', {}, title),
    part.error ? errorBanner(part.error) : body(part.value));
}

function table(headers, rows, empty) {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  return h('table', { class: 'plain-table' },
    h('thead', {}, h('tr', {}, headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((c) => h('td', {}, c ?? '—'))))));
}

/** @param {AccountOverview} o */
function panel(o) {
  return [
    card('account-organisation', 'Organisation', o.organisation, (org) => h('dl', { class: 'facts' },
      h('dt', {}, 'Name'), h('dd', { dataset: { field: 'organisation' } }, org.name ?? '—'),
      h('dt', {}, 'User'), h('dd', {}, org.userEmail ?? '—'),
      h('dt', {}, 'Organisation ID'), h('dd', { class: 'mono' }, org.orgId ?? '—'))),
    card('account-balance', 'Balance', o.balance, (b) => {
      const money = MONEY(b.currency);
      return [
        h('dl', { class: 'facts' },
          h('dt', {}, 'Balance'), h('dd', { dataset: { field: 'balance' }, class: 'big-number' }, b.current == null ? '—' : money.format(b.current)),
          h('dt', {}, 'Credit limit'), h('dd', {}, b.creditLimit == null ? '—' : money.format(b.creditLimit)),
          h('dt', {}, 'Bonus emails'), h('dd', {}, b.bonusEmails == null ? '—' : count(b.bonusEmails)),
          h('dt', {}, 'Bonus SMS'), h('dd', {}, b.bonusSms == null ? '—' : count(b.bonusSms))),
        b.reserved.length ? table(['Reserved for', 'Sender', 'Amount'],
          b.reserved.map((r) => [r.channel, r.sender, r.balance == null ? null : money.format(r.balance)]), '') : null,
      ];
    }),
    card('account-fields', 'Contact fields (address book)', o.fields, (fields) => table(
      ['ID', 'Name', 'Type', 'Values'],
      fields.map((f) => [h('code', {}, String(f.id)), f.name, f.kind, f.allowed.join(', ')]),
      'The account has no custom fields.')),
    card('account-subscriptions', 'Subscription categories', o.subscriptions, (subs) => table(
      ['ID', 'Key', 'Name', 'Contacts'],
      subs.map((s) => [s.id == null ? null : String(s.id), s.key, s.name, s.contacts == null ? null : count(s.contacts)]),
      'No subscription categories.')),
    h('div', { class: 'card-row' },
      card('account-email-senders', 'Email senders', o.emailSenders, (names) => names.length
        ? h('ul', { class: 'plain-list' }, names.map((n) => h('li', {}, n))) : h('p', { class: 'muted' }, 'None.')),
      card('account-sms-senders', 'SMS alpha names', o.smsSenders, (names) => names.length
        ? h('ul', { class: 'plain-list' }, names.map((n) => h('li', {}, n))) : h('p', { class: 'muted' }, 'None.'))),
  ];
}

export async function render(container) {
  /** @param {string | null} asOf  null: Yespo did not answer */
  const header = (asOf, asking = false) => h('header', { class: 'view-header' },
    h('h1', {}, 'Account'),
    asking ? loadingLine('Asking Yespo…') : asOf ? h('p', { class: 'muted' }, `As Yespo answered at ${when(asOf)}.`) : null,
    h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'refresh' }, onClick: () => render(container) }, 'Refresh'));
  const asking = header(null, true);
  replaceChildren(container, asking);
  try {
    /** @type {AccountOverview} */
    const overview = await invoke('account_overview');
    // Another screen (or a later Refresh) was drawn meanwhile: it stays.
    if (!asking.isConnected) return;
    replaceChildren(container, header(overview.asOf), panel(overview));
  } catch (error) {
    if (!asking.isConnected) return;
    // No account, or it must log in: the way to Accounts; else the error, with Retry.
    replaceChildren(container, header(null), refusalNotice(error, 'the account\u2019s overview', { onRetry: () => render(container) }));
  }
}
