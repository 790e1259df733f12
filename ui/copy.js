// Copy buttons: a value shown with a small button that puts it on the clipboard, and says so.

import { h } from './dom.js';

async function copy(text, button) {
  const label = button.textContent;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Copied';
  } catch {
    button.textContent = 'Select and press Ctrl+C';
  }
  setTimeout(() => { button.textContent = label; }, 1500);
}

/** A small Copy button for `text` (what is copied may be more than what is shown). */
export function copyButton(text, what = 'value') {
  const button = h('button', {
    type: 'button', class: 'copy-button', title: `Copy the ${what}`, 'aria-label': `Copy the ${what}`,
    onClick: (event) => { event.stopPropagation(); copy(String(text), button); },
  }, 'Copy');
  return button;
}

/** A value in a box with a Copy button beside it. */
export function copyable(text, field) {
  const value = h('code', { class: 'copy-value', dataset: { field } }, text);
  return h('div', { class: 'copy-row' }, value, h('button', {
    type: 'button', class: 'button secondary small', onClick: (event) => copy(text, /** @type {HTMLElement} */ (event.currentTarget)),
  }, 'Copy'));
}
