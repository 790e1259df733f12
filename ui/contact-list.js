// A list of contacts from any source (a search, a segment's members): a virtual table over
// Rust's cached 500-row pages, a status line (the total, or "n+" while Yespo gives none), and the
// detail pane of the contact opened with a click or Enter. Used by Contacts and Segments.

import { h, replaceChildren } from './dom.js';
import { errorBanner, showErrorToast } from './errors.js';
import { invoke, toAppError } from './ipc.js';
import { count, maskToken, plural, when } from './format.js';
import { VirtualTable } from './virtual-table.js';
import { copyButton } from './copy.js';
import { refusalNotice } from './missing-right.js';
import { emptyState, loadingLine } from './states.js';

/**
 * @typedef {import('./types/ipc').ContactSource} ContactSource
 * @typedef {import('./types/ipc').ContactRow} ContactRow
 * @typedef {import('./types/ipc').ContactDetail} ContactDetail
 */

const COLUMNS = [
  { key: 'id', label: 'ID', width: 110 }, { key: 'name', label: 'Name', width: 220 },
  { key: 'email', label: 'Email', width: 260 }, { key: 'phone', label: 'Phone', width: 160 },
  { key: 'externalId', label: 'External ID', width: 170 }, { key: 'push', label: 'Push devices', width: 120 },
];
/** Rows assumed past the last one fetched while Yespo gives no total, so scrolling goes on. */
const MORE = 100;

/** @param {HTMLElement[]} cells @param {ContactRow} row */
function fill(cells, row) {
  const name = [row.firstName, row.lastName].filter(Boolean).join(' ');
  const values = [row.id ?? '', name, row.email ?? '', row.phone ?? '', row.externalId ?? '', row.pushDevices ? String(row.pushDevices) : ''];
  cells.forEach((cell, i) => { cell.textContent = String(values[i]); cell.className = 'vt-cell'; });
}

const DEVICE = { appId: 'App ID', deviceModel: 'Model', os: 'OS', locale: 'Locale', appVersion: 'App version', clientVersion: 'SDK version', active: 'Active' };
const WEB_PUSH = { appId: 'Site app ID', userAgent: 'Browser', userAgentVersion: 'Browser version', userAgentLanguage: 'Language', os: 'OS', subscriptionPage: 'Subscribed on', swActiveVersion: 'Service worker' };

/** A value with its Copy button (the copied text may be the full value behind a mask). */
function copyValue(shown, full, what, attrs = {}) {
  return h('dd', { class: 'copy-cell', ...attrs }, h('span', { class: 'mono' }, shown), full ? copyButton(full, what) : null);
}

/** The facts of a push device or a web-push subscription, those Yespo sent. */
function deviceFacts(device, names) {
  return h('dl', { class: 'facts device' }, Object.entries(names).filter(([k]) => device[k] != null).map(([k, label]) => [
    h('dt', {}, label),
    k === 'appId' ? copyValue(String(device[k]), String(device[k]), 'app ID', { dataset: { field: `device-${k}` } })
      : h('dd', { class: 'mono', dataset: { field: `device-${k}` } }, String(device[k])),
  ]));
}

function channelList(contact) {
  const labels = { email: 'Email', sms: 'Phone', mobilepush: 'Mobile push', webpush: 'Web push', viber: 'Viber', telegram: 'Telegram' };
  const channels = contact.channels ?? [];
  if (!channels.length) return h('p', { class: 'muted' }, 'No channels.');
  return h('ul', { class: 'channel-list' }, channels.map((ch) => {
    const push = ch.type === 'mobilepush' || ch.type === 'webpush';
    return h('li', { dataset: { channel: ch.type ?? '' } },
      h('div', { class: 'copy-cell' },
        h('strong', {}, labels[ch.type] ?? ch.type ?? 'Channel'), ' ',
        h('span', { class: 'mono' }, push ? maskToken(ch.value) : (ch.value ?? '')),
        ch.value ? copyButton(ch.value, push ? 'token' : ch.type ?? 'value') : null),
      ch.device ? deviceFacts(ch.device, DEVICE) : null,
      ch.webPushSubscription ? deviceFacts(ch.webPushSubscription, WEB_PUSH) : null);
  }));
}

/** @param {ContactDetail} d @param {() => void} onClose */
function detailPane(d, onClose) {
  const c = d.contact;
  const address = c.address ? [c.address.address, c.address.town, c.address.region, c.address.postcode].filter(Boolean).join(', ') : '';
  return h('aside', { class: 'row-panel contact-detail', id: 'contact-detail', 'aria-label': 'Contact', tabindex: '-1' },
    h('div', { class: 'row-panel-head' },
      h('h2', {}, [c.firstName, c.lastName].filter(Boolean).join(' ') || `Contact ${c.id}`),
      h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close (Esc)', onClick: onClose }, '×')),
    h('dl', { class: 'facts' },
      h('dt', {}, 'ID'), copyValue(String(c.id ?? '—'), c.id == null ? '' : String(c.id), 'contact ID', { dataset: { field: 'contact-id' } }),
      h('dt', {}, 'External ID'), copyValue(c.externalCustomerId ?? '—', c.externalCustomerId, 'external ID'),
      h('dt', {}, 'Language'), h('dd', {}, c.languageCode ?? '—'),
      h('dt', {}, 'Time zone'), h('dd', {}, c.timeZone ?? '—'),
      address ? [h('dt', {}, 'Address'), copyValue(address, address, 'address')] : null),
    h('h3', {}, 'Channels'), channelList(c),
    h('h3', {}, 'Fields'),
    d.fields.length ? h('dl', { class: 'facts', dataset: { field: 'fields' } }, d.fields.map((f) => [
      h('dt', { title: `Field #${f.id}` }, f.name ?? `#${f.id}`, f.kind ? h('span', { class: 'field-kind' }, ` ${f.kind.toLowerCase()}`) : null),
      copyValue(f.value ?? '', f.value, f.name ?? 'value')]))
      : h('p', { class: 'muted' }, 'No custom fields.'),
    h('h3', {}, 'Segments'),
    (c.groups ?? []).length ? h('ul', { class: 'plain-list', dataset: { field: 'segments' } }, c.groups.map((g) => h('li', {}, g.name ?? `#${g.id}`, g.type ? ` (${g.type})` : '')))
      : h('p', { class: 'muted' }, 'In no static segment.'),
    h('h3', {}, 'Subscriptions'),
    d.subscriptions.error ? errorBanner(d.subscriptions.error)
      : d.subscriptions.value.length ? h('ul', { class: 'plain-list', dataset: { field: 'subscriptions' } }, d.subscriptions.value.map((s) => h('li', {}, s.name ?? s.key ?? `#${s.id}`)))
        : h('p', { class: 'muted' }, 'No subscription categories.'),
    h('p', { class: 'muted small-print' }, `As Yespo answered at ${when(d.asOf)}.`));
}

export class ContactList {
  /**
   * @param {object} options
   * @param {number} options.view  the list's own number: a new source cancels its old waits
   * @param {string} options.label  what the list holds, for screen readers
   * @param {string} options.one  one row's noun ("contact", "member")
   * @param {string} options.what  the rows' noun ("contacts", "members"), also for the refusal notice
   * @param {(rows: string, asOf: string) => string} [options.describe]  the status line
   * @param {(source: ContactSource) => [string, string]} [options.empty]  what an empty list says: a title and a hint
   */
  constructor({
    view, label, one, what, describe = (rows, asOf) => `${rows}, as Yespo answered at ${when(asOf)}`,
    empty = () => [`No ${what}`, 'Yespo sent none.'],
  }) {
    this.view = view;
    this.one = one;
    this.what = what;
    this.describe = describe;
    this.empty = empty;
    /** Bumped by each detail opened or closed: an answer that comes late is not shown. */
    this.opening = 0;
    /** @type {ContactSource | null} */
    this.source = null;
    this.reset();
    this.status = h('p', { class: 'muted', dataset: { field: 'total' } });
    this.panelSlot = h('div', { class: 'panel-slot' });
    this.notice = h('div', { class: 'list-notice' });
    this.table = new VirtualTable({
      columns: COLUMNS, label,
      fetchRows: (start, n) => this.fetch(start, n),
      renderRow: fill,
      onActivate: (_, row) => { if (row.id != null) this.openDetail(row.id); },
    });
    this.table.root.addEventListener('vt-error', (e) => this.failed(/** @type {CustomEvent} */ (e).detail));
    this.root = h('div', { class: 'contact-list' }, this.notice, h('div', { class: 'review-table' }, this.table.root, this.panelSlot));
    this.root.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.panelSlot.firstChild) { e.preventDefault(); e.stopPropagation(); this.closeDetail(); }
    });
  }

  reset() {
    this.total = null;
    this.known = 0;
    this.last = false;
    this.asOf = '';
  }

  showStatus() {
    this.status.classList.toggle('loading-line', !this.asOf);
    if (!this.asOf) { this.status.textContent = 'Asking Yespo…'; return; }
    const rows = this.total != null ? plural(this.total, this.one, this.what)
      : this.last ? plural(this.known, this.one, this.what) : `${count(this.known)}+ ${this.what}`;
    this.status.textContent = this.describe(rows, this.asOf);
  }

  async fetch(start, n) {
    const source = this.source;
    try {
      const page = await invoke('contacts_rows', { view: this.view, source, start, count: n });
      if (source !== this.source) return { total: this.table.total, rows: [] };
      this.known = Math.max(this.known, start + page.rows.length);
      if (page.last) this.last = true;
      this.total = page.total ?? null;
      this.asOf = page.asOf;
      // Nothing at all: say so instead of an empty table.
      const none = start === 0 && page.rows.length === 0;
      replaceChildren(this.notice, none ? emptyState(...this.empty(source)) : null);
      this.root.classList.remove('refused', 'failed');
      this.root.classList.toggle('empty', none);
      this.showStatus();
      const total = this.total ?? (this.last ? this.known : this.known + MORE);
      return { total, rows: page.rows };
    } catch (error) {
      // A search that was replaced is not an error to show.
      if (toAppError(error).code !== 'cancelled') throw error;
      return { total: this.table.total, rows: [] };
    }
  }

  failed(error) {
    const err = toAppError(error);
    this.status.classList.remove('loading-line');
    if (err.code === 'forbidden') {
      // Several pages may be refused at once: one notice, drawn once.
      const shown = /** @type {HTMLElement | null} */ (this.notice.querySelector('.missing-right'));
      if (shown?.dataset.missingRight !== (err.missingRight ?? 'Full access to API')) replaceChildren(this.notice, refusalNotice(error, this.what));
      // Nothing to list: no empty table under the notice.
      this.root.classList.add('refused');
      this.status.textContent = '';
    } else {
      // No account or login, or Yespo did not answer: say so in place, with Retry (the pages
      // not fetched are asked for again). Several pages may fail at once: one notice.
      const shown = /** @type {HTMLElement | null} */ (this.notice.firstElementChild);
      if (shown?.dataset.errorCode !== err.code) {
        replaceChildren(this.notice, refusalNotice(error, this.what, { onRetry: () => this.retry() }));
      }
      // Nothing fetched yet: no table of placeholder rows under the notice.
      if (!this.asOf) {
        this.root.classList.add('failed');
        this.status.textContent = '';
      }
    }
  }

  /** After a failure: asks again for the pages on screen. */
  retry() {
    replaceChildren(this.notice);
    this.root.classList.remove('failed');
    this.showStatus();
    this.table.schedule();
  }

  /** Shows `source` from the top. @param {ContactSource} source */
  setSource(source) {
    this.source = source;
    this.reset();
    // A new list: an earlier empty or failed one says nothing about it (a refusal stays until
    // a page comes).
    if (this.root.classList.contains('empty') || this.root.classList.contains('failed')) replaceChildren(this.notice);
    this.root.classList.remove('empty', 'failed');
    this.showStatus();
    this.closeDetail(false);
    this.table.reset(1);
  }

  /** Forgets the cached pages and reads the source again. */
  async refresh() {
    if (!this.source) return;
    await invoke('contacts_refresh', { source: this.source }).catch(showErrorToast);
    this.setSource(this.source);
  }

  async openDetail(id) {
    const mine = ++this.opening;
    // While Yespo answers (no id yet: #contact-detail is the contact itself).
    replaceChildren(this.panelSlot, h('aside', { class: 'row-panel contact-detail', 'aria-label': 'Contact', 'aria-busy': 'true' },
      loadingLine('Opening the contact…')));
    try {
      const detail = await invoke('contact_detail', { id });
      if (mine !== this.opening) return;
      replaceChildren(this.panelSlot, detailPane(detail, () => this.closeDetail()));
    } catch (error) {
      if (mine !== this.opening) return;
      replaceChildren(this.panelSlot, h('aside', { class: 'row-panel', id: 'contact-detail', 'aria-label': 'Contact', tabindex: '-1' },
        h('div', { class: 'row-panel-head' },
          h('h2', {}, 'Contact'),
          h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close (Esc)', onClick: () => this.closeDetail() }, '×')),
        refusalNotice(error, 'this contact', { onRetry: () => this.openDetail(id) })));
    }
  }

  closeDetail(focusList = true) {
    this.opening += 1;
    replaceChildren(this.panelSlot);
    if (focusList) this.table.viewport.focus();
  }
}
