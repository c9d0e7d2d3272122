// A row of heatmaps with a number in every cell (Streamlit custom component v2).
//
// Python computes everything: the numbers as text, each cell's background and text colour,
// the frames. This file only lays them out. Streamlit calls the default export again whenever
// `data` changes and the DOM persists, so a map that keeps its shape is updated in place (a
// cell's text and colours), which is what makes a click on the drawing cheap to show.
//
// data (from Python, see __init__.py), as UTF-8 JSON bytes:
//   heading : null or {title, about}, a line above the row
//   panels  : [{key, title, title_px, width, height, margin: {l, r, t, b}, cell, font_px,
//               tick_px, rows, cols, row_ticks, col_ticks, text, bg, fg, frames,
//               caption_html}]
//     rows / cols       : the row and column labels (the deck counts from 1)
//     row_ticks / ...   : which labels are written (every other one on large maps)
//     text / bg / fg    : H×W strings: the number, the cell colour, the number's colour
//     frames            : [[top, left, h, w, color, line_px]] in cells, drawn over the cells
//     caption_html      : null or a short caption, trusted HTML written by the page

function el(tag, className, parent) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (parent) parent.appendChild(node);
  return node;
}

function shapeOf(p) {
  // What forces a rebuild; anything else is updated in place.
  return JSON.stringify([p.rows, p.cols, p.row_ticks, p.col_ticks, p.cell, p.font_px,
    p.tick_px, p.title_px, p.width, p.height, p.margin]);
}

function build(panel, p) {
  panel.replaceChildren();
  panel.style.width = `${p.width}px`;
  const hm = el("div", "hm", panel);
  hm.setAttribute("role", "figure"); // named after its title in update()
  hm.style.width = `${p.width}px`;
  hm.style.height = `${p.height}px`;
  const title = el("div", "hm-title", hm);
  title.style.fontSize = `${p.title_px}px`;
  title.style.height = `${p.margin.t}px`;

  const body = el("div", "hm-body", hm);
  const ylab = el("div", "hm-ylab", body);
  ylab.style.width = `${p.margin.l - 4}px`;
  ylab.style.marginRight = "4px";
  ylab.style.gridAutoRows = `${p.cell}px`;
  ylab.style.fontSize = `${p.tick_px}px`;
  p.rows.forEach((label, r) => {
    el("span", "", ylab).textContent = p.row_ticks[r] ? String(label) : "";
  });

  const cells = el("div", "hm-cells", body);
  const inner = `${p.cell - 1}px`; // 1-px gaps: the cell pitch stays p.cell
  cells.style.gridTemplateColumns = `repeat(${p.cols.length}, ${inner})`;
  cells.style.gridAutoRows = inner;
  cells.style.fontSize = `${p.font_px}px`;
  for (let r = 0; r < p.rows.length; r++) {
    for (let c = 0; c < p.cols.length; c++) el("span", "", cells);
  }

  const xlab = el("div", "hm-xlab", hm);
  xlab.style.marginLeft = `${p.margin.l}px`;
  xlab.style.gridTemplateColumns = `repeat(${p.cols.length}, ${p.cell}px)`;
  xlab.style.height = `${p.margin.b}px`;
  xlab.style.fontSize = `${p.tick_px}px`;
  p.cols.forEach((label, c) => {
    el("span", "", xlab).textContent = p.col_ticks[c] ? String(label) : "";
  });
  el("div", "hm-caption", panel).hidden = true;
}

// Writes only what changed: a write of the same text still makes the browser lay out again.
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function update(panel, p) {
  if (panel.dataset.mapKey !== p.key) panel.dataset.mapKey = p.key;
  setText(panel.querySelector(".hm-title"), p.title);
  const hm = panel.querySelector(".hm");
  if (hm.getAttribute("aria-label") !== p.title) hm.setAttribute("aria-label", p.title);
  const cells = panel.querySelector(".hm-cells");
  const spans = cells.children;
  const w = p.cols.length;
  for (let r = 0; r < p.rows.length; r++) {
    for (let c = 0; c < w; c++) {
      const span = spans[r * w + c];
      const text = p.text[r][c];
      setText(span, text);
      const style = `background:${p.bg[r][c]};color:${p.fg[r][c]}`;
      if (span.getAttribute("style") !== style) span.setAttribute("style", style);
      const tip = `row ${p.rows[r]}, column ${p.cols[c]}: ${text}`;
      if (span.title !== tip) span.title = tip;
    }
  }
  const frames = JSON.stringify(p.frames);
  if (cells.dataset.frames !== frames) {
    cells.dataset.frames = frames;
    drawFrames(cells, p);
  }
  updateCaption(panel, p);
}

function drawFrames(cells, p) {
  cells.querySelectorAll(".hm-frame").forEach((frame) => frame.remove());
  for (const [top, left, h, fw, color, line] of p.frames) {
    const frame = el("div", "hm-frame", cells);
    frame.dataset.rect = `${top},${left},${h},${fw}`;
    frame.dataset.color = color;
    const half = line / 2; // the line straddles the cell borders, as plotly draws it
    Object.assign(frame.style, {
      borderWidth: `${line}px`,
      borderColor: color,
      left: `${left * p.cell - half}px`,
      top: `${top * p.cell - half}px`,
      width: `${fw * p.cell + 2 * half - 1}px`,
      height: `${h * p.cell + 2 * half - 1}px`,
    });
  }
}

function updateCaption(panel, p) {
  const caption = panel.querySelector(".hm-caption");
  const html = p.caption_html || "";
  if (caption.dataset.html === html) return;
  caption.innerHTML = html;
  caption.dataset.html = html;
  caption.hidden = !html;
}

function parse(data) {
  // Python sends the data as JSON bytes (a Uint8Array); anything else is taken as it is.
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return JSON.parse(new TextDecoder().decode(data));
  }
  return data;
}

export default function drawMaps({ data: raw, parentElement }) {
  const data = parse(raw);
  const root = parentElement.querySelector(".cnn-maps");
  if (!root || !data || !Array.isArray(data.panels)) return;

  let heading = root.querySelector(".cnn-maps-heading");
  let row = root.querySelector(".cnn-maps-row");
  if (!row) {
    heading = el("div", "cnn-maps-heading", root);
    row = el("div", "cnn-maps-row", root);
  }
  const headingKey = JSON.stringify(data.heading);
  if (heading.dataset.heading !== headingKey) {
    heading.dataset.heading = headingKey;
    heading.hidden = !data.heading;
    heading.replaceChildren();
  }
  if (data.heading && !heading.firstChild) {
    el("strong", "", heading).textContent = data.heading.title;
    if (data.heading.about) {
      heading.append(" · ");
      el("span", "cnn-maps-about", heading).textContent = data.heading.about;
    }
  }

  while (row.children.length > data.panels.length) row.lastElementChild.remove();
  data.panels.forEach((p, i) => {
    let panel = row.children[i];
    if (!panel) panel = el("div", "hm-panel", row);
    const shape = shapeOf(p);
    if (panel.dataset.shape !== shape) {
      build(panel, p);
      panel.dataset.shape = shape;
    }
    update(panel, p);
  });
}
