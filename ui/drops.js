// Files dragged over the window: Rust forwards the window's drag-and-drop events (paths, never
// contents) over a Channel; the page shows an overlay while dragging and hands dropped paths on.

import { invoke } from './ipc.js';

/** @param {HTMLElement} overlay  @param {(paths: string[]) => void} onDrop */
export function watchDrops(overlay, onDrop) {
  const Channel = window.__TAURI__?.core?.Channel;
  if (!Channel) return Promise.resolve();
  const channel = new Channel();
  channel.onmessage = (event) => {
    overlay.hidden = event.kind !== 'enter';
    if (event.kind === 'drop' && event.paths.length) onDrop(event.paths);
  };
  return invoke('drops_watch', { onDrop: channel });
}
