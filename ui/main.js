// The app shell: sidebar, the current screen, the status bar. Screens are ES modules with
// `render(container)`; areas not built yet are listed but disabled.

// First: the theme is on the root before anything is drawn.
import { setTheme } from './theme.js';
import { AREAS, FOOTER_AREAS, DEFAULT_AREA } from './areas.js';
import { h, replaceChildren } from './dom.js';
import { icon } from './icons.js';
import { installGlobalErrorHandlers, errorBanner } from './errors.js';
import * as statusBar from './statusbar.js';
import { invoke } from './ipc.js';
import { getAppInfo } from './app-state.js';
import { watchDrops } from './drops.js';
import { showResumeBanner } from './resume-banner.js';
import { installShortcuts } from './palette.js';

// Each screen's module loads when the screen is first shown: the start reads and compiles only
// the shell and the first screen (index.html preloads both; tests/ui_modules.rs).
const SCREENS = {
  about: () => import('./screens/about.js'),
  accounts: () => import('./screens/accounts.js'),
  account: () => import('./screens/account.js'),
  contacts: () => import('./screens/contacts.js'),
  segments: () => import('./screens/segments.js'),
  messages: () => import('./screens/messages.js'),
  registration: () => import('./screens/registration.js'),
  settings: () => import('./screens/settings.js'),
  'token-import': () => import('./screens/token-import.js'),
};

function navItem(area) {
  if (!area.ready) {
    return h('span', {
      class: 'nav-item disabled', 'aria-disabled': 'true', title: `${area.label}: coming soon`,
      dataset: { area: area.id },
    }, icon(area.id),
      h('span', { class: 'nav-label' }, area.label),
      h('span', { class: 'badge' }, 'coming soon'));
  }
  return h('a', { class: 'nav-item', href: `#/${area.id}`, dataset: { area: area.id } },
    icon(area.id),
    h('span', { class: 'nav-label' }, area.label));
}

function currentArea() {
  const id = location.hash.replace(/^#\/?/, '');
  return SCREENS[id] ? id : DEFAULT_AREA;
}

async function show(areaId) {
  for (const item of document.querySelectorAll(/** @type {'a'} */ ('.nav-item'))) {
    item.classList.toggle('active', item.dataset.area === areaId);
    if (item.dataset.area === areaId) item.setAttribute('aria-current', 'page');
    else item.removeAttribute('aria-current');
  }
  const view = document.getElementById('view');
  const dropHint = document.querySelector('.drop-overlay-box');
  if (dropHint) dropHint.textContent = areaId === 'registration' ? 'Drop to check the logo' : 'Drop to check the token files';
  try {
    const screen = await SCREENS[areaId]();
    await screen.render(view);
  } catch (error) {
    replaceChildren(view, errorBanner(error, { onRetry: () => show(areaId) }));
  }
}

/** In demo mode, the sidebar says so on every screen. */
async function showDemoBadge() {
  const info = await getAppInfo();
  const badge = document.getElementById('demo-badge');
  badge.hidden = !info.demo;
  if (info.demo) badge.title = `Demo mode: the embedded Yespo sandbox at ${info.demo.sandboxUrl}`;
}

/** Runs `then` once the frame after next has begun: what the DOM held before is on the screen. */
function afterTwoFrames(then) {
  requestAnimationFrame(() => requestAnimationFrame(then));
}

async function start() {
  // The start-up's steps in ms since the page began loading, for the log (see `ui_painted`).
  const marks = { modules: performance.now() };
  installGlobalErrorHandlers();
  // Nothing waits for the settings: the theme they name is applied long before the first frame.
  const theme = invoke('settings_get').then((view) => setTheme(view.settings.theme), () => {})
    .finally(() => { marks.settings = performance.now(); });
  replaceChildren(document.getElementById('nav'), AREAS.map(navItem));
  replaceChildren(document.getElementById('nav-footer'), FOOTER_AREAS.map(navItem));
  window.addEventListener('hashchange', () => show(currentArea()));
  // A jump to the screen already shown draws it again (the palette's choice applies).
  installShortcuts((area) => { if (currentArea() === area) show(area); else location.hash = `#/${area}`; });
  // Files dropped anywhere on the window go to Token import (on the Registration check, the
  // logo to check); so does a resumed upload.
  const toImport = () => { if (currentArea() !== 'token-import') location.hash = '#/token-import'; };
  const dropped = async (paths) => {
    if (currentArea() === 'registration') (await SCREENS.registration()).openPaths(paths);
    else { toImport(); (await SCREENS['token-import']()).openPaths(paths); }
  };
  // The first screen draws its frame at once (its title, what it is waiting for) and fills in
  // when its data comes: "painted" is that first content on the screen, "complete" the screen
  // with its data, the status bar and the banners.
  const firstScreen = show(currentArea()).finally(() => { marks.screen = performance.now(); });
  afterTwoFrames(() => { marks.painted = performance.now(); });
  await Promise.allSettled([
    theme, statusBar.mount(document.getElementById('statusbar')), firstScreen, showDemoBadge(),
    watchDrops(document.getElementById('drop-overlay'), dropped),
    showResumeBanner(document.getElementById('banners'), async (job) => {
      toImport();
      const { resume } = await import('./token-import/state.js');
      await resume(job);
    }),
  ]);
  document.getElementById('app').dataset.ready = 'true';
  marks.ready = performance.now();
  afterTwoFrames(() => {
    marks.complete = performance.now();
    // Wall-clock times, so the report's own IPC delay is not counted.
    invoke('ui_painted', { marks, origin: performance.timeOrigin }).catch(() => {});
  });
}

start();
