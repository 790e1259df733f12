// The product's areas, in sidebar order. `ready: false` shows the area disabled with
// "coming soon": an area is never shown as a screen until it really works.

export const AREAS = Object.freeze([
  { id: 'accounts', label: 'Accounts', icon: '👤', ready: false },
  { id: 'registration', label: 'Registration check', icon: '✔', ready: false },
  { id: 'contacts', label: 'Contacts', icon: '☰', ready: false },
  { id: 'segments', label: 'Segments', icon: '◔', ready: false },
  { id: 'messages', label: 'Messages', icon: '✉', ready: false },
  { id: 'token-import', label: 'Token import', icon: '⇪', ready: false },
  { id: 'settings', label: 'Settings', icon: '⚙', ready: false },
]);

export const FOOTER_AREAS = Object.freeze([
  { id: 'about', label: 'About & status', icon: 'ⓘ', ready: true },
]);

export const DEFAULT_AREA = 'about';
