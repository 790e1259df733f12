// The product's areas, in sidebar order. `ready: false` shows the area disabled with
// "coming soon": an area is never shown as a screen until it really works.

export const AREAS = Object.freeze([
  { id: 'accounts', label: 'Accounts', ready: true },
  { id: 'registration', label: 'Registration check', ready: true },
  { id: 'contacts', label: 'Contacts', ready: true },
  { id: 'segments', label: 'Segments', ready: true },
  { id: 'messages', label: 'Messages', ready: true },
  { id: 'account', label: 'Account', ready: true },
  { id: 'token-import', label: 'Token import', ready: true },
  { id: 'settings', label: 'Settings', ready: true },
]);

export const FOOTER_AREAS = Object.freeze([
  { id: 'about', label: 'About & status', ready: true },
]);

export const DEFAULT_AREA = 'accounts';
