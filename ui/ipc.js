// The one way the UI calls Rust. Every failure becomes an AppError with a known `code`, whatever
// shape it arrived in (our `{code, message, details}`, or a plain string from Tauri itself, e.g.
// when a command is not allowed).

export const ERROR_CODES = Object.freeze([
  'validation', 'network', 'auth_required', 'auth_expired', 'forbidden',
  'rate_limited', 'duplicate_request', 'keychain_unavailable', 'not_found', 'cancelled', 'internal',
]);

export class AppError extends Error {
  /** @param {{code: string, message: string, details?: string | null, retryAfterSecs?: number | null, missingRight?: string | null}} init */
  constructor({ code, message, details, retryAfterSecs, missingRight }) {
    super(message);
    this.name = 'AppError';
    this.code = ERROR_CODES.includes(code) ? code : 'internal';
    this.details = details ?? (ERROR_CODES.includes(code) ? undefined : `code: ${code}`);
    this.retryAfterSecs = retryAfterSecs;
    /** For `forbidden`: the Yespo right that would allow it. */
    this.missingRight = missingRight;
  }
}

export function toAppError(raw) {
  if (raw instanceof AppError) return raw;
  if (raw && typeof raw === 'object' && typeof raw.code === 'string' && typeof raw.message === 'string') {
    return new AppError(raw);
  }
  if (typeof raw === 'string') return new AppError({ code: 'internal', message: raw });
  if (raw instanceof Error) return new AppError({ code: 'internal', message: raw.message, details: raw.stack });
  return new AppError({ code: 'internal', message: 'Something went wrong', details: safeJson(raw) });
}

function safeJson(value) {
  try { return JSON.stringify(value); } catch { return String(value); }
}

export async function invoke(command, args = {}) {
  const core = window.__TAURI__?.core;
  if (!core) {
    throw new AppError({ code: 'internal', message: 'This page only works inside the Yespo Admin app.' });
  }
  try {
    return await core.invoke(command, args);
  } catch (raw) {
    throw toAppError(raw);
  }
}
