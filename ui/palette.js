// The command palette (Ctrl/Cmd+K): jump to a screen, a contact by email, phone or external id,
// a segment by name, or a message already read by name; and the shortcut sheet (Ctrl+/ or ?).
// Typing never spends a message read: only messages already cached are listed, and searching
// Yespo's messages is an explicit entry.

import { h, replaceChildren } from './dom.js';
import { AREAS, FOOTER_AREAS } from './areas.js';
import { invoke } from './ipc.js';

/** The screens a jump opens, loaded on the palette's first search (not at the app's start). */
const jumpTargets = () => Promise.all([
  import('./screens/contacts.js'), import('./screens/segments.js'), import('./screens/messages.js'),
]);

/** @typedef {{label: string, hint: string, run: () => void}} Entry */

const IS_MAC = navigator.platform.toUpperCase().includes('MAC');
const MOD = IS_MAC ? '⌘' : 'Ctrl';

export const SHORTCUTS = [
  [`${MOD}+K`, 'Open the palette: screens, contacts, segments, messages'],
  [`${MOD}+/ or ?`, 'Show these shortcuts'],
  [`${MOD}+F`, 'Search on this screen'],
  ['Alt+1 … Alt+8', 'Go to the screens of the sidebar, in order'],
  ['↑ ↓ PageUp PageDown Home End', 'Move in a list'],
  ['Enter', 'Open the selected row'],
  ['Esc', 'Close the open detail, dialog or palette'],
];

const FIELD_WORDS = { email: 'email', phone: 'phone', externalId: 'external ID' };

let overlay = null;
let returnFocus = null;

function close() {
  overlay?.remove();
  overlay = null;
  if (returnFocus instanceof HTMLElement && returnFocus.isConnected) returnFocus.focus();
}

function dialog(label, ...children) {
  close();
  returnFocus = document.activeElement;
  overlay = h('div', { class: 'palette-overlay', onMousedown: (e) => { if (e.target === overlay) close(); } },
    h('div', { class: 'palette', role: 'dialog', 'aria-modal': 'true', 'aria-label': label }, ...children));
  overlay.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); } });
  document.body.append(overlay);
}

/** The shortcut sheet. */
export function showShortcuts() {
  const done = h('button', { type: 'button', class: 'button small', onClick: close }, 'Close');
  dialog('Keyboard shortcuts',
    h('h2', {}, 'Keyboard shortcuts'),
    h('table', { class: 'plain-table shortcuts', id: 'shortcut-sheet' },
      h('tbody', {}, SHORTCUTS.map(([keys, what]) => h('tr', {}, h('td', {}, h('kbd', {}, keys)), h('td', {}, what))))),
    h('div', { class: 'actions' }, done));
  done.focus();
}

/**
 * Opens the palette.
 * @param {(area: string) => void} go  shows a screen (drawn again if it is the current one)
 */
export function showPalette(go) {
  const input = h('input', { type: 'text', class: 'palette-input', name: 'palette', placeholder: 'Go to a screen, or type an email, phone, ID, segment or message name',
    'aria-label': 'Palette', role: 'combobox', 'aria-expanded': 'true', 'aria-controls': 'palette-results', autocomplete: 'off' });
  const list = h('ul', { class: 'palette-results', id: 'palette-results', role: 'listbox' });
  /** @type {Entry[]} */
  let entries = [];
  let selected = 0;
  let asked = 0;
  const draw = () => {
    replaceChildren(list, entries.map((entry, i) => h('li', {
      role: 'option', class: `palette-entry${i === selected ? ' selected' : ''}`, 'aria-selected': String(i === selected), id: `palette-${i}`,
      onMousedown: (e) => { e.preventDefault(); run(i); },
    }, h('span', {}, entry.label), h('span', { class: 'muted' }, entry.hint))));
    input.setAttribute('aria-activedescendant', entries.length ? `palette-${selected}` : '');
    list.children[selected]?.scrollIntoView({ block: 'nearest' });
  };
  const run = (i) => { const entry = entries[i]; if (entry) { close(); entry.run(); } };
  const update = async () => {
    const text = input.value.trim();
    const mine = ++asked;
    const [{ fieldFor, showContact }, { showSegment }, { showMessage }] = await jumpTargets();
    if (mine !== asked) return;
    const lower = text.toLowerCase();
    /** @type {Entry[]} */
    const jumps = [];
    const screens = [...AREAS, ...FOOTER_AREAS].filter((a) => a.ready && a.label.toLowerCase().includes(lower))
      .map((a) => ({ label: a.label, hint: 'Screen', run: () => go(a.id) }));
    if (text) {
      const field = fieldFor(text);
      jumps.push({ label: `Contact with ${FIELD_WORDS[field]} ${text}`, hint: 'Contacts', run: () => { showContact(field, text); go('contacts'); } });
    }
    entries = text.includes('@') ? [...jumps, ...screens] : [...screens, ...jumps];
    selected = 0;
    draw();
    if (!text) return;
    const [segments, messages] = await Promise.all([
      invoke('segments_list', { query: { name: text, kinds: [] } }).then((l) => l.rows.slice(0, 5), () => []),
      invoke('messages_cached', { text }).catch(() => []),
    ]);
    if (mine !== asked) return;
    entries = [...entries,
      ...segments.map((s) => ({ label: s.name, hint: `Segment (${s.kindText ?? s.kind})`, run: () => { showSegment(s.name); go('segments'); } })),
      ...messages.map((m) => ({ label: m.name ?? `#${m.id}`, hint: `${m.kind === 'push' ? 'Mobile push' : m.kind.toUpperCase()} message`, run: () => { showMessage(m.kind, m.id, m.name); go('messages'); } })),
      { label: `Search email messages for \u201c${text}\u201d`, hint: 'Messages (one read)', run: () => { showMessage('email', null, text); go('messages'); } }];
    draw();
  };
  input.addEventListener('input', update);
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      selected = (selected + (e.key === 'ArrowDown' ? 1 : -1) + entries.length) % Math.max(1, entries.length);
      draw();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      run(selected);
    }
  });
  dialog('Palette', input, list, h('p', { class: 'muted small-print' }, '↑ ↓ to choose · Enter to go · Esc to close'));
  input.focus();
  update();
}

/**
 * The app-wide shortcuts.
 * @param {(area: string) => void} go
 */
export function installShortcuts(go) {
  document.addEventListener('keydown', (e) => {
    const mod = IS_MAC ? e.metaKey : e.ctrlKey;
    const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName));
    if (mod && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      if (overlay) close(); else showPalette(go);
    } else if ((mod && e.key === '/') || (e.key === '?' && !typing && !overlay)) {
      e.preventDefault();
      showShortcuts();
    } else if (mod && e.key.toLowerCase() === 'f') {
      const search = /** @type {HTMLElement | null} */ (document.querySelector('#view input[type="search"]'));
      if (search) { e.preventDefault(); search.focus(); }
    } else if (e.altKey && !mod && /^[1-9]$/.test(e.key)) {
      const area = AREAS.filter((a) => a.ready)[Number(e.key) - 1];
      if (area) { e.preventDefault(); go(area.id); }
    }
  });
}
