// Small charts drawn with SVG elements we create ourselves (no library, no CDN). Labels are set
// with textContent like everything else.
import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// Bars over time: points = [{t: ms, v: count}], bucketMs the width of one bar.
export function timeBars(points, opts = {}) {
  const W = 800, H = 220, L = 44, B = 24, T = 10, R = 10;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.label || '' });
  const max = Math.max(1, ...points.map((p) => p.v));
  const n = Math.max(1, points.length);
  const bw = (W - L - R) / n;
  svg.appendChild(s('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  for (const frac of [0, 0.5, 1]) {
    const y = H - B - frac * (H - B - T);
    svg.appendChild(s('line', { class: 'axis', x1: L, y1: y, x2: W - R, y2: y }));
    svg.appendChild(s('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, String(Math.round(max * frac))));
  }
  points.forEach((p, i) => {
    const bh = (p.v / max) * (H - B - T);
    const rect = s('rect', { class: 'bar', x: L + i * bw + 1, y: H - B - bh, width: Math.max(1, bw - 2), height: bh });
    rect.appendChild(s('title', {}, `${new Date(p.t).toLocaleString()}: ${p.v}`));
    if (opts.onclick) { rect.style.cursor = 'pointer'; rect.addEventListener('click', () => opts.onclick(p)); }
    svg.appendChild(rect);
  });
  const ticks = Math.min(6, n);
  for (let k = 0; k < ticks; k++) {
    const i = Math.floor((k * (n - 1)) / Math.max(1, ticks - 1));
    if (!points[i]) continue;
    const d = new Date(points[i].t);
    const label = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    svg.appendChild(s('text', { x: L + i * bw + bw / 2, y: H - 6, 'text-anchor': 'middle' }, label));
  }
  return svg;
}

// CSP allows no inline style attributes; CSSOM properties are fine.
function fill(pct) {
  const d = h('div', { class: 'fill' });
  d.style.width = Math.max(2, pct) + '%';
  return d;
}

// Horizontal bars: rows = [{label, value, onclick?}]
export function barList(rows, opts = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h('div', { class: 'barlist', id: opts.id },
    rows.map((r) => h('div', { class: 'row' },
      r.onclick ? h('span', { class: 'pivot', onclick: r.onclick, title: r.label }, r.label) : h('span', { title: r.label }, r.label),
      h('div', null, fill((100 * r.value) / max)),
      h('span', { class: 'num' }, String(r.value)))));
}
