// Line icons as inline SVG built in code: no icon font, no emoji font needed on the machine.

const SVG_NS = 'http://www.w3.org/2000/svg';

// Each icon: a list of [element, attributes] on a 24×24 grid, drawn with the current colour.
const SHAPES = {
  accounts: [['circle', { cx: 12, cy: 8, r: 4 }], ['path', { d: 'M4 20c0-4 3.6-6 8-6s8 2 8 6' }]],
  registration: [['path', { d: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z' }], ['path', { d: 'M8.5 12l2.5 2.5 4.5-5' }]],
  contacts: [['rect', { x: 4, y: 3, width: 16, height: 18, rx: 2 }], ['circle', { cx: 12, cy: 10, r: 3 }],
    ['path', { d: 'M7.5 17.5c1-2 2.6-3 4.5-3s3.5 1 4.5 3' }]],
  segments: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M12 3v9h9' }]],
  messages: [['rect', { x: 3, y: 5, width: 18, height: 14, rx: 2 }], ['path', { d: 'M3.5 7l8.5 6 8.5-6' }]],
  account: [['rect', { x: 3, y: 7, width: 18, height: 13, rx: 2 }], ['path', { d: 'M8 7V5a2 2 0 0 1 2-2h4a2 2 0 0 1 2 2v2' }],
    ['path', { d: 'M3 13h18' }]],
  'token-import': [['path', { d: 'M12 15V4M7 9l5-5 5 5' }], ['path', { d: 'M4 15v4a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-4' }]],
  settings: [['path', { d: 'M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1' }], ['circle', { cx: 15, cy: 6, r: 2 }],
    ['circle', { cx: 9, cy: 12, r: 2 }], ['circle', { cx: 17, cy: 18, r: 2 }]],
  about: [['circle', { cx: 12, cy: 12, r: 9 }], ['path', { d: 'M12 11v6M12 7v1' }]],
};

export function icon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  for (const [key, value] of Object.entries({
    viewBox: '0 0 24 24', width: 18, height: 18, fill: 'none', stroke: 'currentColor',
    'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', class: 'icon',
  })) svg.setAttribute(key, String(value));
  for (const [tag, attrs] of SHAPES[name] ?? []) {
    const shape = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs)) shape.setAttribute(key, String(value));
    svg.append(shape);
  }
  return svg;
}
