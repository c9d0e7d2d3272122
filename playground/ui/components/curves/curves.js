// Learning curves, loss and accuracy side by side (Streamlit custom component v2).
//
// Redrawn several times a second while a network trains. A plotly chart of the same curves
// cost the browser about 250 ms per redraw on a 2-core laptop; this writes two small SVGs
// (a few polylines, the ticks) and costs about a millisecond.
//
// data (from Python, see __init__.py), as UTF-8 JSON bytes:
//   height  : each panel's height in px (the legend's line sits above the panels)
//   font_px : the size of every label (larger in presenter mode); the margins follow it
//   x_max   : the x axes run over [0, x_max], fixed, so the curves grow across a still frame
//   x_title : the x axes' title ("epoch")
//   legend  : [{name, colour, dash}]
//   panels  : [{title, percent, y_range, series: [{name, colour, dash, x, y}]}]
//     y_range : [low, high], or null: from 0 to a little above the largest value
//     percent : the y ticks and the hover read 0.9 as "90%"
// The root carries data-points: the number of points of the first curve (for the benchmark).

const SVG_NS = "http://www.w3.org/2000/svg";
const DASH = "8 5";

function el(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

function svgEl(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

// A round step (1, 2, 2.5 or 5 times a power of ten) that cuts `span` into about `count`.
function niceStep(span, count) {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5]) if (m * power >= raw * 0.999) return m * power;
  return 10 * power;
}

function ticks(low, high, count) {
  const step = niceStep(high - low, count);
  const out = [];
  for (let i = Math.ceil(low / step - 1e-9); i * step <= high + 1e-9 * step; i++) {
    out.push(Number((i * step).toFixed(10)));
  }
  return out;
}

function number(value, percent) {
  if (value === null) return "–"; // a diverged loss (non-finite, sent as null)
  if (percent) return `${Number((value * 100).toFixed(1))}%`;
  return String(Number(value.toFixed(3)));
}

function yRange(p) {
  if (p.y_range) return p.y_range;
  let top = 0;
  for (const s of p.series) for (const y of s.y) if (Number.isFinite(y)) top = Math.max(top, y);
  return [0, top > 0 ? top * 1.05 : 1];
}

// Room for the tick labels ("0.75", "100%") and the axis titles, in the labels' size.
function margins(font) {
  return { l: 4 * font, r: 12, t: 10, b: 3 * font };
}

function drawPanel(panel, p, data) {
  const font = data.font_px;
  const m = margins(font);
  const width = Math.max(panel.clientWidth, 120);
  const height = data.height;
  const inner = { w: width - m.l - m.r, h: height - m.t - m.b };
  const [low, high] = yRange(p);
  const xMax = Math.max(data.x_max, 1e-9);
  const sx = (x) => m.l + (x / xMax) * inner.w;
  const sy = (y) => m.t + (1 - (y - low) / (high - low)) * inner.h;
  panel._view = { p, sx, xMax, inner, margin: m };

  const svg = svgEl("svg", { width, height, role: "img" });
  const grid = svgEl("g", { class: "grid" }, svg);
  const axis = svgEl("g", { class: "axis" }, svg);
  for (const y of ticks(low, high, 4)) {
    svgEl("line", { x1: m.l, x2: m.l + inner.w, y1: sy(y), y2: sy(y) }, grid);
    const t = svgEl("text", {
      x: m.l - 6, y: sy(y) + 0.35 * font, "text-anchor": "end",
    }, axis);
    t.textContent = number(y, p.percent);
  }
  for (const x of ticks(0, xMax, 5)) {
    svgEl("line", { x1: sx(x), x2: sx(x), y1: m.t, y2: m.t + inner.h }, grid);
    const t = svgEl("text", {
      x: sx(x), y: m.t + inner.h + font + 4, "text-anchor": "middle",
    }, axis);
    t.textContent = number(x, false);
  }
  const xTitle = svgEl("text", {
    class: "title", x: m.l + inner.w / 2, y: height - 4, "text-anchor": "middle",
  }, svg);
  xTitle.textContent = data.x_title;
  const yTitle = svgEl("text", {
    class: "title", x: 0, y: 0, "text-anchor": "middle",
    transform: `translate(${font} ${m.t + inner.h / 2}) rotate(-90)`,
  }, svg);
  yTitle.textContent = p.title;

  const described = [];
  for (const s of p.series) {
    const points = [];
    s.x.forEach((x, i) => {
      if (Number.isFinite(s.y[i])) points.push(`${sx(x).toFixed(1)},${sy(s.y[i]).toFixed(1)}`);
    });
    svgEl("polyline", {
      points: points.join(" "), fill: "none", stroke: s.colour, "stroke-width": 3,
      "stroke-linejoin": "round", "stroke-dasharray": s.dash ? DASH : "none",
    }, svg);
    if (s.y.length) described.push(`${s.name} ${number(s.y[s.y.length - 1], p.percent)}`);
  }
  svg.setAttribute("aria-label", `${p.title} over ${data.x_title}s` +
    (described.length ? `; now ${described.join(", ")}` : "; no points yet"));
  svgEl("g", { class: "hover" }, svg);
  panel.querySelector("svg")?.remove();
  panel.prepend(svg);
}

// Hovering a panel reads every curve at the nearest report, as plotly's hover did.
function hover(panel, event) {
  const view = panel._view;
  const m = view && view.margin;
  const svg = panel.querySelector("svg");
  const tip = panel.querySelector(".cnn-curves-tip");
  const marks = svg && svg.querySelector(".hover");
  if (!view || !marks) return;
  marks.replaceChildren();
  const px = event.clientX - svg.getBoundingClientRect().left;
  const x = ((px - m.l) / view.inner.w) * view.xMax;
  const lines = [];
  let at = null;
  for (const s of view.p.series) {
    if (!s.x.length) continue;
    let best = 0;
    s.x.forEach((v, i) => { if (Math.abs(v - x) < Math.abs(s.x[best] - x)) best = i; });
    at = s.x[best];
    lines.push(`${s.name} ${number(s.y[best], view.p.percent)}`);
  }
  if (at === null || px < m.l - 8 || px > m.l + view.inner.w + 8) {
    tip.hidden = true;
    return;
  }
  svgEl("line", { x1: view.sx(at), x2: view.sx(at), y1: m.t, y2: m.t + view.inner.h },
    marks);
  tip.textContent = [`${view.p.title}, epoch ${at.toFixed(2)}`, ...lines].join("\n");
  tip.hidden = false;
  // Beside the line, on its right unless that runs past the panel.
  const right = view.sx(at) + 10;
  const fits = right + tip.offsetWidth < panel.clientWidth;
  tip.style.left = fits ? `${right}px` : "";
  tip.style.right = fits ? "" : `${panel.clientWidth - view.sx(at) + 10}px`;
}

function drawLegend(legend, items) {
  const key = JSON.stringify(items);
  if (legend.dataset.items === key) return;
  legend.dataset.items = key;
  legend.replaceChildren();
  for (const item of items) {
    const entry = el("span", "", legend);
    const sample = svgEl("svg", { width: 28, height: 10, "aria-hidden": "true" }, entry);
    svgEl("line", {
      x1: 0, x2: 28, y1: 5, y2: 5, stroke: item.colour, "stroke-width": 3,
      "stroke-dasharray": item.dash ? DASH : "none",
    }, sample);
    entry.append(item.name);
  }
}

function draw(root) {
  const data = root._data;
  const row = root.querySelector(".cnn-curves-row");
  while (row.children.length > data.panels.length) row.lastElementChild.remove();
  // Every panel first, then the drawing: a panel's width (its share of the row) is known
  // only once all of them are in the row.
  while (row.children.length < data.panels.length) {
    const panel = el("div", "cnn-curves-panel", row);
    el("div", "cnn-curves-tip", panel).hidden = true;
    panel.addEventListener("pointermove", (event) => hover(panel, event));
    panel.addEventListener("pointerleave", () => {
      panel.querySelector(".cnn-curves-tip").hidden = true;
      panel.querySelector("svg .hover")?.replaceChildren();
    });
  }
  data.panels.forEach((p, i) => {
    const panel = row.children[i];
    panel.style.height = `${data.height}px`;
    drawPanel(panel, p, data);
  });
  const first = data.panels[0]?.series[0];
  root.dataset.points = String(first ? first.x.length : 0);
}

function parse(data) {
  // Python sends the data as JSON bytes (a Uint8Array); anything else is taken as it is.
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return JSON.parse(new TextDecoder().decode(data));
  }
  return data;
}

export default function drawCurves({ data: raw, parentElement }) {
  const data = parse(raw);
  const root = parentElement.querySelector(".cnn-curves");
  if (!root || !data || !Array.isArray(data.panels)) return;
  if (!root.querySelector(".cnn-curves-row")) {
    el("div", "cnn-curves-legend", root);
    el("div", "cnn-curves-row", root);
    // Redraw at the new width when the column changes (sidebar opened, window resized).
    let width = root.clientWidth;
    new ResizeObserver(() => {
      if (root.clientWidth !== width && root._data) {
        width = root.clientWidth;
        draw(root);
      }
    }).observe(root);
  }
  root._data = data;
  root.style.fontSize = `${data.font_px}px`;
  drawLegend(root.querySelector(".cnn-curves-legend"), data.legend);
  draw(root);
}
