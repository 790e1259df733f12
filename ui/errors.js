// Shows an AppError the same way everywhere: a label, the code, the message, and the technical
// details behind a toggle. As an inline banner (in a screen) or as a toast (anything unexpected).

import { h } from './dom.js';
import { toAppError } from './ipc.js';

const LABELS = {
  validation: 'Check the input',
  network: 'Network problem',
  auth_required: 'Login needed',
  auth_expired: 'Login expired',
  forbidden: 'Not allowed',
  rate_limited: 'Too many requests',
  duplicate_request: 'Repeated request',
  keychain_unavailable: 'Keychain unavailable',
  not_found: 'Not found',
  cancelled: 'Cancelled',
  internal: 'Unexpected error',
};

const MAX_TOASTS = 4;

/**
 * An inline error block; `onRetry` adds a Retry button.
 * @param {unknown} error
 * @param {{onRetry?: () => void}} [options]
 */
export function errorBanner(error, { onRetry } = {}) {
  const err = toAppError(error);
  const details = err.details ? h('pre', { class: 'error-details', hidden: true }, err.details) : null;
  const toggle = details
    ? h('button', {
        type: 'button', class: 'link-button error-details-toggle', 'aria-expanded': 'false',
        onClick: (event) => {
          details.hidden = !details.hidden;
          event.currentTarget.setAttribute('aria-expanded', String(!details.hidden));
          event.currentTarget.textContent = details.hidden ? 'Show details' : 'Hide details';
        },
      }, 'Show details')
    : null;
  return h('div', { class: 'error-banner', role: 'alert', dataset: { errorCode: err.code } },
    h('div', { class: 'error-head' },
      h('strong', { class: 'error-label' }, LABELS[err.code]),
      h('code', { class: 'error-code' }, err.code)),
    h('p', { class: 'error-message' }, err.message),
    h('div', { class: 'error-actions' },
      toggle,
      onRetry ? h('button', { type: 'button', class: 'button small', onClick: onRetry }, 'Retry') : null),
    details);
}

/** A dismissable toast in the corner; errors stay until closed. */
export function showErrorToast(error) {
  const stack = document.getElementById('toasts');
  const banner = errorBanner(error);
  const toast = h('div', { class: 'toast' },
    banner,
    h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onClick: () => toast.remove() }, '×'));
  stack.append(toast);
  while (stack.children.length > MAX_TOASTS) stack.firstElementChild.remove();
  return toast;
}

/** Anything that escapes a screen's own handling still reaches the user. */
export function installGlobalErrorHandlers() {
  window.addEventListener('unhandledrejection', (event) => {
    event.preventDefault();
    showErrorToast(event.reason);
  });
  window.addEventListener('error', (event) => showErrorToast(event.error ?? event.message));
}
