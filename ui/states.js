// How a screen says it is waiting, that there is nothing to show, or asks before something that
// cannot be undone: one look on every screen (errors have theirs in errors.js).

import { h } from './dom.js';

/** A line saying what is being waited for ("Asking Yespo…"), with a spinner. */
export function loadingLine(text = 'Loading…') {
  return h('p', { class: 'muted loading-line', role: 'status', 'aria-busy': 'true' }, text);
}

/**
 * Nothing to show: what is empty, what to do about it, and optionally a button or link.
 * @param {string} title @param {string} [hint] @param {Node | null} [action]
 */
export function emptyState(title, hint, action = null) {
  return h('div', { class: 'empty-state', role: 'status' },
    h('p', { class: 'empty-title' }, title),
    hint ? h('p', { class: 'muted' }, hint) : null,
    action);
}

/**
 * Asks before a destructive action: the question, what it means, a danger button and a way out
 * (which gets the focus, so Enter does not destroy by accident).
 * @param {string} question
 * @param {{detail?: string, confirmLabel: string, busyLabel?: string, keepLabel?: string,
 *   onConfirm: () => Promise<void> | void, onCancel: () => void}} options
 */
export function confirmBox(question, { detail, confirmLabel, busyLabel, keepLabel = 'Cancel', onConfirm, onCancel }) {
  const yes = h('button', { type: 'button', class: 'button danger small', dataset: { action: 'confirm' } }, confirmLabel);
  const no = h('button', { type: 'button', class: 'button secondary small', dataset: { action: 'keep' }, onClick: () => onCancel() }, keepLabel);
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    no.disabled = true;
    if (busyLabel) yes.textContent = busyLabel;
    try {
      await onConfirm();
    } finally {
      yes.disabled = false;
      no.disabled = false;
      yes.textContent = confirmLabel;
    }
  });
  const box = h('div', { class: 'confirm-box', role: 'group', 'aria-label': question },
    h('p', {}, h('strong', {}, question)),
    detail ? h('p', { class: 'small-print' }, detail) : null,
    h('div', { class: 'actions' }, yes, no));
  requestAnimationFrame(() => { if (box.isConnected) no.focus(); });
  return box;
}
