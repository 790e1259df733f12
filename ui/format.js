// How numbers, sizes, times and personal data are written on every screen.

const NUMBER = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function count(n) {
  return NUMBER.format(n ?? 0);
}

/** Bytes as B/KB/MB/GB (1 KB = 1024 bytes). */
export function bytes(n) {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = n ?? 0;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Seconds as "45 s", "3 min 05 s", "1 h 12 min". */
export function duration(seconds) {
  const s = Math.max(0, Math.round(seconds ?? 0));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** An RFC 3339 time in the user's locale. */
export function when(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleString();
}

/** A push token as the screens show it: the first and last 6 characters. */
export function maskToken(token) {
  const text = String(token ?? '');
  return text.length <= 14 ? text : `${text.slice(0, 6)}…${text.slice(-6)}`;
}

/** "1 row", "2 rows". */
export function plural(n, one, many = `${one}s`) {
  return `${count(n)} ${n === 1 ? one : many}`;
}
