// A table of any number of rows at a fixed row height. Only the rows in view (plus a few) are
// in the DOM: a pool of row nodes re-filled as it scrolls, in requestAnimationFrame. Rows are
// fetched a page at a time by index. Past the browser's maximum element height (a million rows
// of 32 px are 32 M px) the spacer stays at MAX_SCROLL_HEIGHT and the scroll position is
// scaled to the row it stands for.

import { h } from './dom.js';

/** Below every engine's cap on an element's height (WebKit ~33.5 M px, Firefox ~17.9 M px). */
export const MAX_SCROLL_HEIGHT = 8_000_000;
const PAGE = 100;
const OVERSCAN = 4;
const MAX_PAGES_KEPT = 40;

/**
 * Which rows to draw and where, for a scroll position.
 * @param {{total: number, rowHeight: number, viewportHeight: number, scrollTop: number}} at
 * @returns {{spacerHeight: number, first: number, count: number, offset: number}}
 *   `offset`: where row `first` goes in the scrolled content (pixels from its top).
 */
export function layout({ total, rowHeight, viewportHeight, scrollTop }) {
  const full = total * rowHeight;
  const spacerHeight = Math.min(full, MAX_SCROLL_HEIGHT);
  const scrollable = Math.max(0, spacerHeight - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  const virtualTop = scrollable > 0 ? top * (Math.max(0, full - viewportHeight) / scrollable) : 0;
  const first = Math.max(0, Math.floor(virtualTop / rowHeight) - OVERSCAN);
  const count = Math.max(0, Math.min(total - first, Math.ceil(viewportHeight / rowHeight) + 2 * OVERSCAN + 1));
  return { spacerHeight, first, count, offset: top + first * rowHeight - virtualTop };
}

export class VirtualTable {
  /**
   * @param {object} options
   * @param {{key: string, label: string, width: number}[]} options.columns  widths in px: every row
   *   lines up with the header, and wide tables scroll sideways
   * @param {number} [options.rowHeight]
   * @param {string} options.label  what the table holds, for screen readers
   * @param {(start: number, count: number) => Promise<{total: number, rows: any[]}>} options.fetchRows
   * @param {(cells: HTMLElement[], row: any, index: number) => void} options.renderRow
   * @param {(index: number, row: any) => void} [options.onActivate]  click or Enter on a row
   */
  constructor({ columns, rowHeight = 32, label, fetchRows, renderRow, onActivate }) {
    this.columns = columns;
    this.rowHeight = rowHeight;
    this.fetchRows = fetchRows;
    this.renderRow = renderRow;
    this.onActivate = onActivate;
    this.total = 0;
    this.selected = -1;
    this.pages = new Map();
    this.pending = new Set();
    this.generation = 0;
    this.frame = 0;
    /** @type {HTMLElement[]} */
    this.pool = [];
    this.head = h('div', { class: 'vt-row vt-head', role: 'row' },
      columns.map((c) => h('div', { class: 'vt-cell', role: 'columnheader', title: c.label }, c.label)));
    // The scroller holds the keyboard focus and is the grid's group of rows; the layer that
    // positions the rows and the spacer that sizes the scroll are not in the accessibility tree.
    this.spacer = h('div', { class: 'vt-spacer', 'aria-hidden': 'true' });
    this.layer = h('div', { class: 'vt-layer', role: 'none' });
    this.viewport = h('div', { class: 'vt-viewport', tabindex: '0', role: 'rowgroup' }, this.spacer, this.layer);
    this.root = h('div', { class: 'vt', role: 'grid', 'aria-label': label, 'aria-rowcount': '0' }, this.head, this.viewport);
    this.root.style.setProperty('--vt-columns', columns.map((c) => `${c.width}px`).join(' '));
    this.root.style.setProperty('--vt-width', `${columns.reduce((sum, c) => sum + c.width, 0)}px`);
    this.root.style.setProperty('--vt-row-height', `${rowHeight}px`);
    this.viewport.addEventListener('scroll', () => {
      this.head.style.transform = `translateX(${-this.viewport.scrollLeft}px)`;
      this.schedule();
    }, { passive: true });
    this.viewport.addEventListener('keydown', (event) => this.key(event));
    this.layer.addEventListener('click', (event) => {
      const node = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (event.target).closest('.vt-row'));
      if (node?.dataset.index) this.activate(Number(node.dataset.index));
    });
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Starts over with `total` rows (a new filter or a new check): back to the top. */
  reset(total) {
    this.generation += 1;
    this.total = total;
    this.pages.clear();
    this.pending.clear();
    this.selected = -1;
    this.viewport.scrollTop = 0;
    this.root.setAttribute('aria-rowcount', String(total));
    // Drawn now, not at the next frame: the old rows must not stay clickable meanwhile.
    this.render();
  }

  /** The list turned out longer or shorter: the rows fetched and the scroll position stay. */
  setTotal(total) {
    this.total = total;
    if (this.selected >= total) this.selected = total - 1;
    this.root.setAttribute('aria-rowcount', String(total));
    this.schedule();
  }

  schedule() {
    if (!this.frame) this.frame = requestAnimationFrame(() => { this.frame = 0; this.render(); });
  }

  /** The row at `index`, if its page was fetched. */
  rowAt(index) {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  render() {
    const at = layout({
      total: this.total, rowHeight: this.rowHeight,
      viewportHeight: this.viewport.clientHeight, scrollTop: this.viewport.scrollTop,
    });
    this.spacer.style.height = `${at.spacerHeight}px`;
    this.layer.style.transform = `translateY(${at.offset}px)`;
    while (this.pool.length < at.count) {
      const cells = this.columns.map(() => h('div', { class: 'vt-cell', role: 'gridcell' }));
      this.pool.push(h('div', { class: 'vt-row', role: 'row' }, cells));
    }
    while (this.layer.children.length > at.count) this.layer.lastElementChild.remove();
    for (let i = 0; i < at.count; i += 1) {
      const node = this.pool[i];
      if (node.parentNode !== this.layer) this.layer.append(node);
      const index = at.first + i;
      const row = this.rowAt(index);
      node.dataset.index = String(index);
      node.setAttribute('aria-rowindex', String(index + 1));
      node.classList.toggle('selected', index === this.selected);
      node.classList.toggle('loading', !row);
      const cells = /** @type {HTMLElement[]} */ ([...node.children]);
      if (row) this.renderRow(cells, row, index);
      else for (const cell of cells) { cell.textContent = ''; cell.className = 'vt-cell'; cell.removeAttribute('title'); }
    }
    if (at.count > 0) this.fetch(at.first, at.first + at.count - 1);
  }

  fetch(firstIndex, lastIndex) {
    for (let page = Math.floor(firstIndex / PAGE); page <= Math.floor(lastIndex / PAGE); page += 1) {
      if (this.pages.has(page) || this.pending.has(page)) continue;
      this.pending.add(page);
      const generation = this.generation;
      this.fetchRows(page * PAGE, PAGE).then(({ total, rows }) => {
        if (generation !== this.generation) return;
        this.pending.delete(page);
        if (this.pages.size >= MAX_PAGES_KEPT) this.pages.delete(this.pages.keys().next().value);
        this.pages.set(page, rows);
        if (total !== this.total) this.setTotal(total);
        this.schedule();
      }, (error) => {
        this.pending.delete(page);
        this.root.dispatchEvent(new CustomEvent('vt-error', { detail: error }));
      });
    }
  }

  activate(index) {
    this.selected = index;
    this.schedule();
    const row = this.rowAt(index);
    if (row && this.onActivate) this.onActivate(index, row);
  }

  /** Shows row `index` (scrolling as little as needed). */
  scrollToIndex(index) {
    const full = this.total * this.rowHeight;
    const viewportHeight = this.viewport.clientHeight;
    const at = layout({ total: this.total, rowHeight: this.rowHeight, viewportHeight, scrollTop: this.viewport.scrollTop });
    const scale = full > at.spacerHeight ? (full - viewportHeight) / Math.max(1, at.spacerHeight - viewportHeight) : 1;
    const rowTop = index * this.rowHeight;
    const virtualTop = this.viewport.scrollTop * scale;
    if (rowTop < virtualTop) this.viewport.scrollTop = rowTop / scale;
    else if (rowTop + this.rowHeight > virtualTop + viewportHeight) {
      this.viewport.scrollTop = (rowTop + this.rowHeight - viewportHeight) / scale;
    }
    this.schedule();
  }

  key(event) {
    const visible = Math.max(1, Math.floor(this.viewport.clientHeight / this.rowHeight) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: visible, PageUp: -visible };
    if (event.key in moves || event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      let next = this.selected < 0 ? 0 : this.selected + (moves[event.key] ?? 0);
      if (event.key === 'Home') next = 0;
      if (event.key === 'End') next = this.total - 1;
      this.selected = Math.min(Math.max(0, next), this.total - 1);
      this.scrollToIndex(this.selected);
    } else if (event.key === 'Enter' && this.selected >= 0) {
      event.preventDefault();
      event.stopPropagation();
      this.activate(this.selected);
    }
  }
}
