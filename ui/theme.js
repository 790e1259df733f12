// The theme: Settings says system, light or dark; "system" follows the OS and its changes. The
// root's `data-theme` is what the CSS keys its colours on.

const dark = window.matchMedia('(prefers-color-scheme: dark)');
let chosen = 'system';

function apply() {
  const theme = chosen === 'system' ? (dark.matches ? 'dark' : 'light') : chosen;
  document.documentElement.dataset.theme = theme;
}

dark.addEventListener('change', apply);
apply();

/** @param {'system' | 'light' | 'dark'} theme */
export function setTheme(theme) {
  chosen = theme;
  apply();
}
