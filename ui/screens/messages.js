// Messages: email, SMS and mobile-push templates. Every search page and every message opened is
// one of Yespo's 500 message reads an hour: Rust caches each answer (opening a message again
// costs nothing), counts the reads, and this screen shows the budget when it runs low or says
// when the limit blocks a read. Email HTML is sanitised in Rust and shown in a sandboxed frame
// without scripts; remote images come only when asked, fetched by Rust and inlined.

import { h, replaceChildren } from '../dom.js';
import { errorBanner } from '../errors.js';
import { invoke, toAppError } from '../ipc.js';
import { count, plural, when } from '../format.js';
import { VirtualTable } from '../virtual-table.js';
import { copyButton } from '../copy.js';
import { exportControl } from '../list-export.js';
import { refusalNotice } from '../missing-right.js';
import { emptyState, loadingLine } from '../states.js';

/**
 * @typedef {import('../types/ipc').MessageKind} MessageKind
 * @typedef {import('../types/ipc').MessageRow} MessageRow
 * @typedef {import('../types/ipc').MessagePage} MessagePage
 * @typedef {import('../types/ipc').ReadBudget} ReadBudget
 * @typedef {import('../types/ipc').EmailPreview} EmailPreview
 * @typedef {import('../types/ipc').SmsView} SmsView
 * @typedef {import('../types/ipc').PushView} PushView
 */

/** @type {[MessageKind, string][]} */
const KINDS = [['email', 'Email'], ['sms', 'SMS'], ['push', 'Mobile push']];
const SUMMARY = { email: 'Subject', sms: 'Text', push: 'Title' };
const NOUN = { email: 'email', sms: 'SMS', push: 'mobile push' };
const WIDTHS = { desktop: 680, mobile: 375 };

/** Kept while the user visits other screens. */
const state = {
  /** @type {MessageKind} */ kind: 'email', search: '', width: 'desktop',
  /** @type {{kind: MessageKind, id: number} | null} */ open: null, pendingOpen: null,
};

/** Opens the Messages screen on a message (the palette's jump). */
export function showMessage(kind, id, name) {
  state.kind = kind;
  state.search = name ?? '';
  state.pendingOpen = id == null ? null : { kind, id };
}

/** @param {ReadBudget} b */
function budgetLine(line, b) {
  if (!b) return;
  line.dataset.state = b.blockedUntil ? 'blocked' : b.low ? 'low' : 'ok';
  if (b.blockedUntil) {
    line.textContent = `Yespo\u2019s limit of ${count(b.limit)} message reads an hour is reached: new reads are possible again at ${when(b.blockedUntil)}. Messages already opened still show.`;
  } else if (b.low) {
    line.textContent = `${count(b.remaining)} of ${count(b.limit)} message reads left this hour. Opened messages are kept, so opening one again costs nothing.`;
  } else {
    line.textContent = '';
  }
}

/** A row of facts: [label, value, copy?]. */
function facts(rows) {
  return h('dl', { class: 'facts' }, rows.filter(([, value]) => value != null && value !== '').map(([label, value, field]) => [
    h('dt', {}, label),
    h('dd', { dataset: field ? { field } : {} }, value),
  ]));
}

function tagList(tags) {
  return tags.length ? h('span', { class: 'tag-list' }, tags.map((t) => h('span', { class: 'badge' }, t))) : null;
}

/** What the sanitiser took out, in words. */
function removedLine(removed) {
  const names = {
    scripts: 'script', eventHandlers: 'event handler', unsafeUrls: 'unsafe link (javascript: and the like)',
    relativeUrls: 'relative link', forms: 'form control', embeds: 'embedded frame, object or media',
    svgAndMath: 'SVG or MathML block', metaRefresh: 'redirect', baseElements: 'base address', linkElements: 'linked file',
    imageAttributes: 'background or srcset image', cssImports: 'CSS import', cssUrls: 'remote CSS image', cssScripts: 'CSS script',
    cssAtRules: 'CSS at-rule',
  };
  const parts = Object.entries(removed ?? {}).filter(([, n]) => typeof n === 'number' && n > 0)
    .map(([key, n]) => plural(n, names[key] ?? key.replace(/([A-Z])/g, ' $1').toLowerCase()));
  return parts.length ? `Taken out for safety: ${parts.join(', ')}.` : 'Nothing unsafe was found.';
}

/** A fresh sandboxed frame for a sanitised document: no scripts, no same-origin, no referrer. */
function previewFrame(documentHtml, width) {
  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', '');
  frame.setAttribute('referrerpolicy', 'no-referrer');
  frame.setAttribute('title', 'Email preview');
  frame.className = 'email-frame';
  frame.style.width = `${WIDTHS[width]}px`;
  // srcdoc is set before the frame is in the document, so it never loads anything else first.
  frame.srcdoc = documentHtml;
  return frame;
}

/** @param {EmailPreview} p */
function emailPane(p, reopen) {
  // It scrolls sideways when the email is wider than the pane: keyboard users can reach it.
  const slot = h('div', { class: 'frame-slot', tabindex: '0', role: 'region', 'aria-label': 'Email preview' });
  const imagesLine = h('span', { class: 'muted', dataset: { field: 'images' } });
  let documentHtml = p.prepared.document;
  const draw = () => replaceChildren(slot, previewFrame(documentHtml, state.width));
  const remote = p.prepared.remoteImages.length;
  const loadImages = h('button', {
    type: 'button', class: 'button secondary small', dataset: { action: 'load-images' }, disabled: remote === 0,
    onClick: async () => {
      loadImages.disabled = true;
      imagesLine.textContent = 'Loading images…';
      try {
        const loaded = await invoke('email_preview_images', { id: p.id, language: p.language });
        documentHtml = loaded.document;
        draw();
        imagesLine.textContent = `${plural(loaded.loaded, 'image')} loaded by the app${loaded.failures.length ? `; ${plural(loaded.failures.length, 'image')} refused: ${loaded.failures.map((f) => f.reason).join('; ')}` : ''}.`;
      } catch (error) {
        imagesLine.replaceChildren(errorBanner(error));
        loadImages.disabled = false;
      }
    },
  }, remote ? `Load images (${remote})` : 'No remote images');
  if (remote) imagesLine.textContent = `${plural(remote, 'remote image')} blocked: loading them tells the sender the email was opened.`;
  const widths = h('div', { class: 'segmented', role: 'group', 'aria-label': 'Preview width' },
    Object.keys(WIDTHS).map((w) => h('button', {
      type: 'button', class: `chip${state.width === w ? ' on' : ''}`, 'aria-pressed': String(state.width === w), dataset: { width: w },
      onClick: (e) => {
        state.width = w;
        widths.querySelectorAll('button').forEach((b) => { b.classList.toggle('on', b === e.currentTarget); b.setAttribute('aria-pressed', String(b === e.currentTarget)); });
        draw();
      },
    }, w === 'desktop' ? `Desktop ${WIDTHS.desktop}px` : `Mobile ${WIDTHS.mobile}px`)));
  const versions = p.versions.length > 1 ? h('div', { class: 'segmented', role: 'group', 'aria-label': 'Language' },
    p.versions.map((v) => h('button', {
      type: 'button', class: `chip${v.language === p.language ? ' on' : ''}`, dataset: { language: v.language ?? '' },
      onClick: () => reopen(v.language),
    }, v.language ?? '—'))) : null;
  draw();
  return [
    facts([['Subject', p.subject, 'subject'], ['From', p.from, 'from'], ['Language', p.language], ['Tags', tagList(p.tags)],
      ['Subscription', p.subscriptionsKeys.join(', ')], ['ID', h('span', { class: 'copy-cell' }, String(p.id), copyButton(p.id, 'message ID'))]]),
    versions,
    h('div', { class: 'preview-toolbar' }, widths, loadImages,
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'open-in-browser' },
        onClick: () => invoke('email_open_in_browser', { id: p.id }).catch((e) => imagesLine.replaceChildren(errorBanner(e))) }, 'Open in browser')),
    h('p', { class: 'muted small-print', dataset: { field: 'removed' } }, removedLine(p.prepared.removed)),
    imagesLine,
    p.empty ? h('p', { class: 'muted' }, 'This message has no HTML version to show.') : slot,
  ];
}

/** @param {SmsView} s */
function smsPane(s) {
  return [
    facts([['Tags', tagList(s.tags)], ['Links', s.trackUrls ? 'Tracked (Yespo replaces them with short tracked links)' : 'Not tracked'],
      ['ID', h('span', { class: 'copy-cell' }, String(s.id), copyButton(s.id, 'message ID'))]]),
    s.versions.map((v) => h('section', { class: 'sms-version', dataset: { language: v.language ?? '' } },
      h('h3', {}, v.language ? `Language: ${v.language}` : 'Text'),
      h('div', { class: 'phone' },
        h('p', { class: 'phone-sender' }, v.from ?? 'Sender'),
        h('p', { class: 'bubble', dataset: { field: 'sms-text' } }, v.text)),
      h('p', { class: 'copy-cell', dataset: { field: 'sms-length' } },
        `${count(v.length.units)} ${v.length.encoding === 'gsm7' ? 'GSM-7 characters' : 'UCS-2 units (Unicode)'} · ${plural(v.length.parts, 'part')} of up to ${v.length.perPart} · ${count(v.length.leftInPart)} left in the last part`,
        copyButton(v.text, 'text')))),
  ];
}

/** @param {PushView} p */
function pushPane(p) {
  return [
    facts([['Tags', tagList(p.tags)], ['Lives for', p.ttlSec ? `${count(p.ttlSec)} s` : null], ['Sound', p.sound == null ? null : p.sound ? 'On' : 'Off'],
      ['Badge', p.badge == null ? null : String(p.badge)], ['ID', h('span', { class: 'copy-cell' }, String(p.id), copyButton(p.id, 'message ID'))]]),
    p.versions.map((v) => {
      const images = h('div', { class: 'push-images' });
      const load = v.images.length ? h('button', {
        type: 'button', class: 'button secondary small', dataset: { action: 'load-images' },
        onClick: async () => {
          load.disabled = true;
          replaceChildren(images, loadingLine('Loading images…'));
          try {
            const got = await invoke('images_load', { urls: v.images });
            replaceChildren(images, v.images.map((url) => got.images[url] ? h('img', { src: got.images[url], alt: '' }) : h('p', { class: 'muted' }, `Not loaded: ${url}`)));
          } catch (error) { replaceChildren(images, errorBanner(error)); load.disabled = false; }
        },
      }, `Load ${plural(v.images.length, 'image')}`) : null;
      return h('section', { class: 'push-version', dataset: { language: v.language ?? '' } },
        h('h3', {}, v.language ? `Language: ${v.language}` : 'Notification'),
        h('div', { class: 'phone' },
          h('div', { class: 'notification' },
            h('p', { class: 'notification-app' }, 'Your app · now'),
            h('p', { class: 'notification-title', dataset: { field: 'push-title' } }, v.title ?? ''),
            v.subtitle ? h('p', { class: 'notification-subtitle' }, v.subtitle) : null,
            h('p', { class: 'notification-text', dataset: { field: 'push-text' } }, v.text ?? ''),
            images,
            v.buttons.length ? h('div', { class: 'notification-buttons' }, v.buttons.map((b) => h('span', { class: 'badge', title: b.link ?? '' }, b.label ?? 'Button'))) : null)),
        load,
        facts([
          ['Opens', v.link ? h('span', { class: 'copy-cell' }, h('span', { class: 'mono' }, v.link), ` (${v.linkKind === 'web' ? 'web page' : 'deep link into the app'})`, copyButton(v.link, 'link')) : null, 'push-link'],
          ['Images', v.images.length ? v.images.join('\n') : null],
          ['Custom data', v.customData ? h('code', {}, v.customData) : null],
        ]));
    }),
  ];
}

export async function render(container) {
  const budget = h('p', { class: 'budget-line', dataset: { field: 'budget' }, role: 'status' });
  const status = h('p', { class: 'muted', dataset: { field: 'total' } });
  const notice = h('div', { class: 'list-notice' });
  const detail = h('div', { class: 'panel-slot message-slot' });
  let total = 0;
  let generation = 0;
  const closeDetail = () => { state.open = null; replaceChildren(detail); table.viewport.focus(); };
  const openMessage = async (row, language = null) => {
    state.open = { kind: row.kind, id: row.id };
    const pane = h('aside', { class: 'row-panel message-detail', id: 'message-detail', tabindex: '-1', dataset: { kind: row.kind }, 'aria-label': 'Message' },
      h('div', { class: 'row-panel-head' },
        h('h2', {}, row.name ?? `Message ${row.id}`),
        h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Close (Esc)', onClick: closeDetail }, '×')),
      loadingLine('Opening…'));
    replaceChildren(detail, pane);
    try {
      const command = { email: 'email_preview', sms: 'sms_detail', push: 'push_detail' }[row.kind];
      const got = await invoke(command, row.kind === 'email' ? { id: row.id, language } : { id: row.id });
      if (state.open?.id !== row.id) return;
      budgetLine(budget, got.budget);
      const body = row.kind === 'email' ? emailPane(got, (lang) => openMessage(row, lang))
        : row.kind === 'sms' ? smsPane(got) : pushPane(got);
      pane.lastElementChild.remove();
      pane.append(...body.flat().filter(Boolean), h('p', { class: 'muted small-print' }, `Read from Yespo at ${when(got.asOf)}; kept until Refresh.`));
    } catch (error) {
      const err = toAppError(error);
      pane.lastElementChild.replaceWith(['forbidden', 'auth_required', 'auth_expired'].includes(err.code)
        ? refusalNotice(error, 'messages') : errorBanner(error, { onRetry: () => openMessage(row, language) }));
      invoke('messages_budget').then((b) => budgetLine(budget, b), () => {});
    }
  };
  const table = new VirtualTable({
    columns: [{ key: 'id', label: 'ID', width: 90 }, { key: 'name', label: 'Name', width: 260 }, { key: 'summary', label: SUMMARY[state.kind], width: 300 },
      { key: 'tags', label: 'Tags', width: 140 }, { key: 'lang', label: 'Languages', width: 100 }],
    label: 'Messages',
    fetchRows: async (start, n) => {
      const mine = generation;
      try {
        /** @type {MessagePage} */
        const page = await invoke('messages_rows', { kind: state.kind, search: state.search, start, count: n });
        if (mine !== generation) return { total: table.total, rows: [] };
        total = page.total ?? (page.last ? start + page.rows.length : start + page.rows.length + 100);
        status.classList.remove('loading-line');
        status.textContent = `${plural(total, 'message')}, as Yespo answered at ${when(page.asOf)}`;
        // None at all, or none matching: say which, instead of an empty table.
        const none = start === 0 && page.rows.length === 0;
        replaceChildren(notice, !none ? null : state.search.trim()
          ? emptyState(`No ${NOUN[state.kind]} message matches this search`, 'Search by a message\u2019s name or one of its tags.')
          : emptyState(`This account has no ${NOUN[state.kind]} messages yet`, 'Messages made in Yespo show here.'));
        table.root.hidden = none;
        budgetLine(budget, page.budget);
        return { total, rows: page.rows };
      } catch (error) {
        if (mine !== generation) return { total: table.total, rows: [] };
        status.classList.remove('loading-line');
        status.textContent = '';
        replaceChildren(notice, refusalNotice(error, 'messages', { onRetry: load }));
        // Nothing to list: no empty table under the notice.
        table.root.hidden = true;
        invoke('messages_budget').then((b) => budgetLine(budget, b), () => {});
        return { total: 0, rows: [] };
      }
    },
    renderRow: (cells, row) => {
      const values = [row.id, row.name ?? '', row.summary ?? '', row.tags.join(', '), (row.languages.length ? row.languages : [row.language ?? '']).join(', ')];
      cells.forEach((c, i) => { c.textContent = String(values[i]); c.className = 'vt-cell'; });
    },
    onActivate: (_, row) => openMessage(row),
  });
  const load = () => {
    generation += 1;
    status.classList.add('loading-line');
    status.textContent = 'Asking Yespo…';
    replaceChildren(notice);
    table.root.hidden = false;
    table.head.children[2].textContent = SUMMARY[state.kind];
    table.reset(1);
    if (state.pendingOpen) {
      const wanted = state.pendingOpen;
      state.pendingOpen = null;
      openMessage({ kind: wanted.kind, id: wanted.id, name: state.search, summary: null, from: null, tags: [], language: null, languages: [] });
    } else if (!state.open || state.open.kind !== state.kind) {
      replaceChildren(detail);
    }
  };
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Channel' }, KINDS.map(([kind, label]) => h('button', {
    type: 'button', role: 'tab', class: 'tab', 'aria-selected': String(state.kind === kind), dataset: { kind },
    onClick: (e) => {
      state.kind = kind;
      tabs.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b === e.currentTarget)));
      load();
    },
  }, label)));
  let timer = 0;
  const input = h('input', {
    type: 'search', name: 'message-search', value: state.search, placeholder: 'Name or tag (each new search is one read)', 'aria-label': 'Search messages',
    // A longer pause than other screens: every search costs one of the hour's reads.
    onInput: (e) => { state.search = e.currentTarget.value; clearTimeout(timer); timer = setTimeout(load, 600); },
    onKeydown: (e) => {
      if (e.key === 'Enter') { clearTimeout(timer); load(); }
      if (e.key === 'ArrowDown') { e.preventDefault(); table.viewport.focus(); }
    },
  });
  const screen = h('div', { class: 'screen-body' },
    h('header', { class: 'view-header' }, h('h1', {}, 'Messages'), status),
    tabs,
    h('div', { class: 'search-bar' }, input,
      h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'refresh' },
        onClick: async () => { await invoke('messages_refresh', {}).catch(() => {}); if (state.open) await invoke('messages_refresh', { id: state.open.id }).catch(() => {}); load(); } }, 'Refresh'),
      exportControl(() => ({ source: { messages: { kind: state.kind, search: state.search } }, name: `messages-${state.kind}.csv` }))),
    budget, notice,
    h('div', { class: 'review-table messages-layout' }, table.root, detail));
  screen.addEventListener('keydown', (e) => { if (e.key === 'Escape' && detail.firstChild) { e.preventDefault(); closeDetail(); } });
  replaceChildren(container, screen);
  load();
}
