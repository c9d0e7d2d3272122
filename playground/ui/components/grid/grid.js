// The drawing grid (Streamlit custom component v2).
//
// Streamlit calls the default export once when the component mounts and again whenever `data`
// changes. The DOM persists between calls, so event handlers are assigned as properties
// (`el.onpointerdown = ...`: a later call replaces them instead of stacking a second copy) and
// each instance keeps its state in a WeakMap keyed by its root element.
//
// data (from Python, as JSON bytes):
//   grid      : H×W array of 0/1 (Python owns the grid)
//   rev       : int, bumped by Python whenever it replaces the grid (Clear, preset, resize...)
//   ack       : int, the stroke number of the last edit Python has seen (0 if none)
//   readonly  : bool
//   cell_px   : int, the side of one cell in CSS pixels
//   highlight : null or [top, left, h, w], a rectangle to outline (clipped to the grid)
//   label     : null or str, shown above the grid and used as its accessible name
//   key       : str, the component's key, written to data-grid-key for tests
//
// State sent back (once per stroke, on pointer-up; once per keyboard toggle):
//   grid = {rev, seq, cells}: the edited grid, the revision it was drawn on, and a stroke
//   number that only grows. Python ignores edits drawn on an older revision.

const INSTANCES = new WeakMap();

function parse(data) {
  // Python sends the data as JSON bytes (a Uint8Array); anything else is taken as it is.
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    return JSON.parse(new TextDecoder().decode(data));
  }
  return data;
}

export default function drawGrid({ data: raw, parentElement, setStateValue }) {
  const data = parse(raw);
  const root = parentElement.querySelector(".cnn-grid-root");
  if (!root || !data || !Array.isArray(data.grid)) return;

  let s = INSTANCES.get(root);
  const first = s === undefined;
  if (first) {
    s = {
      rows: 0, cols: 0, // grid size
      cells: [], // rows × cols of 0/1, what the browser shows
      cellEls: [], // the gridcell elements, same layout
      rev: null, // the revision `cells` was based on
      seq: 0, // number of the last edit sent to Python
      stroke: null, // the stroke in progress: {id, value, x, y, cell}
      focus: [0, 0], // the cell in the tab order (roving tabindex)
    };
    INSTANCES.set(root, s);
  }
  s.send = setStateValue;

  const rows = data.grid.length;
  const cols = rows ? data.grid[0].length : 0;
  const ack = Number.isInteger(data.ack) ? data.ack : 0;
  // After a remount Python may already have seen strokes numbered up to `ack`:
  // new strokes must be numbered after them.
  s.seq = Math.max(s.seq, ack);

  const gridEl = root.querySelector('[role="grid"]');
  const shapeChanged = rows !== s.rows || cols !== s.cols;
  const revChanged = data.rev !== s.rev;
  if ((revChanged || shapeChanged) && s.stroke) cancelStroke(s, gridEl);

  // Whose grid is shown: Python's when it replaced the grid (new revision or size), when the
  // grid is read-only, or when Python has seen every stroke already sent. Otherwise a stroke
  // is in flight (drawn here, not yet acknowledged): keep the local copy so the drawing does
  // not flicker back to an older grid while Python catches up.
  const inSync = s.stroke === null && ack >= s.seq;
  if (first || shapeChanged || revChanged || data.readonly || inSync) {
    s.cells = data.grid.map((row) => row.map((v) => (v ? 1 : 0)));
    s.rev = data.rev;
  }
  s.readonly = Boolean(data.readonly);

  // Each write below happens only on a change: rewriting the same text or style still makes
  // the browser lay the page out again, on every stroke.
  const cell = `${Number(data.cell_px) || 36}px`;
  if (root.style.getPropertyValue("--cell") !== cell) root.style.setProperty("--cell", cell);
  setAttr(gridEl, "data-grid-key", data.key || "");
  const label = root.querySelector(".cnn-grid-label");
  if (label.textContent !== (data.label || "")) label.textContent = data.label || "";
  if (label.hidden !== !data.label) label.hidden = !data.label;
  const name = data.label || (s.readonly ? "Grid" : "Drawing grid");
  setAttr(gridEl, "aria-label", `${name}, ${rows} by ${cols}`);
  setAttr(gridEl, "aria-readonly", String(s.readonly));
  setAttr(gridEl, "aria-rowcount", String(rows));
  setAttr(gridEl, "aria-colcount", String(cols));

  if (shapeChanged) buildCells(s, gridEl, rows, cols);
  paint(s);
  drawHighlight(root, data.highlight, rows, cols);
  attachHandlers(s, gridEl);
}

// ---------------------------------------------------------------------------------------------
// DOM

function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function buildCells(s, gridEl, rows, cols) {
  gridEl.replaceChildren();
  s.rows = rows;
  s.cols = cols;
  s.cellEls = [];
  s.focus = [Math.min(s.focus[0], rows - 1), Math.min(s.focus[1], cols - 1)];
  for (let r = 0; r < rows; r++) {
    const rowEl = document.createElement("div");
    rowEl.className = "cnn-grid-row";
    rowEl.setAttribute("role", "row");
    rowEl.setAttribute("aria-rowindex", String(r + 1));
    const rowCells = [];
    for (let c = 0; c < cols; c++) {
      const cell = document.createElement("div");
      cell.className = "cnn-grid-cell";
      cell.setAttribute("role", "gridcell");
      cell.setAttribute("aria-label", `row ${r + 1}, column ${c + 1}`);
      cell.setAttribute("aria-colindex", String(c + 1));
      cell.dataset.r = String(r);
      cell.dataset.c = String(c);
      // Roving tabindex: one cell is in the tab order, arrow keys move it.
      cell.tabIndex = r === s.focus[0] && c === s.focus[1] ? 0 : -1;
      rowEl.appendChild(cell);
      rowCells.push(cell);
    }
    gridEl.appendChild(rowEl);
    s.cellEls.push(rowCells);
  }
}

function paint(s) {
  for (let r = 0; r < s.rows; r++) {
    for (let c = 0; c < s.cols; c++) paintCell(s, r, c);
  }
}

function paintCell(s, r, c) {
  const want = s.cells[r][c] ? "true" : "false";
  const el = s.cellEls[r][c];
  if (el.getAttribute("aria-selected") !== want) el.setAttribute("aria-selected", want);
}

function drawHighlight(root, highlight, rows, cols) {
  const box = root.querySelector(".cnn-grid-highlight");
  if (!Array.isArray(highlight) || highlight.length !== 4) {
    if (!box.hidden) box.hidden = true;
    return;
  }
  const [top, left, h, w] = highlight.map(Number);
  // Clip to the grid: with padding the window hangs over the edge.
  const r0 = Math.max(top, 0);
  const c0 = Math.max(left, 0);
  const r1 = Math.min(top + h, rows);
  const c1 = Math.min(left + w, cols);
  if (!(r1 > r0 && c1 > c0)) {
    box.hidden = true;
    return;
  }
  // The 4px border straddles the grid lines (2px each side) so the cells inside stay visible.
  box.style.top = `calc(var(--cell) * ${r0} - 2px)`;
  box.style.left = `calc(var(--cell) * ${c0} - 2px)`;
  box.style.height = `calc(var(--cell) * ${r1 - r0} + 4px)`;
  box.style.width = `calc(var(--cell) * ${c1 - c0} + 4px)`;
  box.dataset.rect = `${r0},${c0},${r1 - r0},${c1 - c0}`;
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Drawing with a pointer (mouse, pen, touch)

function attachHandlers(s, gridEl) {
  gridEl.onpointerdown = (e) => {
    if (s.readonly || s.stroke || !e.isPrimary || e.button !== 0) return;
    const rc = cellAt(s, gridEl, e.clientX, e.clientY);
    if (!rc) return;
    // No preventDefault: the browser's own mousedown focuses the cell, so a mouse click shows
    // no keyboard focus ring while the keyboard carries on from the clicked cell.
    // user-select and touch-action in grid.css stop text selection and scrolling.
    gridEl.setPointerCapture(e.pointerId);
    // The first cell's new state decides the whole stroke: paint if it was empty, erase if not.
    const value = s.cells[rc[0]][rc[1]] ? 0 : 1;
    s.stroke = { id: e.pointerId, value, x: e.clientX, y: e.clientY, cell: rc };
    setCell(s, rc[0], rc[1], value);
    moveFocus(s, rc[0], rc[1], false);
  };

  gridEl.onpointermove = (e) => {
    if (!s.stroke || e.pointerId !== s.stroke.id) return;
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const ev of events.length ? events : [e]) {
      paintSegment(s, gridEl, s.stroke.x, s.stroke.y, ev.clientX, ev.clientY);
      s.stroke.x = ev.clientX;
      s.stroke.y = ev.clientY;
    }
  };

  const end = (e) => {
    if (!s.stroke || e.pointerId !== s.stroke.id) return;
    s.stroke = null;
    if (gridEl.hasPointerCapture(e.pointerId)) gridEl.releasePointerCapture(e.pointerId);
    sendGrid(s); // once per stroke, never per cell: per-cell sends interrupt reruns
  };
  gridEl.onpointerup = end;
  gridEl.onpointercancel = end;
  gridEl.onlostpointercapture = end;

  gridEl.onkeydown = (e) => onKey(s, e);
}

function cancelStroke(s, gridEl) {
  // Python replaced the grid mid-stroke: the stroke was drawn on a grid that no longer exists,
  // so it is dropped (Python would ignore it anyway: it carries the old revision).
  const id = s.stroke.id;
  s.stroke = null;
  if (gridEl.hasPointerCapture(id)) gridEl.releasePointerCapture(id);
}

// The cell under a point in viewport coordinates, or null outside the grid.
function cellAt(s, gridEl, x, y) {
  const box = gridEl.getBoundingClientRect();
  if (!s.rows || !s.cols || box.width === 0 || box.height === 0) return null;
  const c = Math.floor(((x - box.left) / box.width) * s.cols);
  const r = Math.floor(((y - box.top) / box.height) * s.rows);
  if (r < 0 || c < 0 || r >= s.rows || c >= s.cols) return null;
  return [r, c];
}

// Join the cell of the last pointer event to this one's with an 8-connected line, as pixel
// editors do: a diagonal stroke is one cell thick in both directions. (Sampling the segment
// instead picked a third cell whenever a sample fell exactly on a corner, so centre-to-centre
// moves along the anti-diagonal painted a staircase.) A fast stroke still paints every cell
// between its events. Outside the grid nothing is painted, and the line ends where the
// segment leaves the grid and starts where it comes back, so no chord is drawn across it.
function paintSegment(s, gridEl, x0, y0, x1, y1) {
  // An event exactly on a cell corner (centre-to-centre moves in half cells land there) is
  // in none of the four cells more than another: count it in the cell the pointer comes
  // from, by looking a hundredth of a pixel back along the move.
  const length = Math.hypot(x1 - x0, y1 - y0) || 1;
  const back = 0.01 / length;
  const to = cellAt(s, gridEl, x1 - (x1 - x0) * back, y1 - (y1 - y0) * back);
  const from = s.stroke.cell || edgeCell(s, gridEl, x1, y1, x0, y0); // coming back in
  const end = to || edgeCell(s, gridEl, x0, y0, x1, y1); // leaving
  if (from && end) paintLine(s, from, end, s.stroke.value);
  s.stroke.cell = to;
}

// The last cell inside the grid on the way from (x0, y0) towards (x1, y1), or null.
function edgeCell(s, gridEl, x0, y0, x1, y1) {
  const box = gridEl.getBoundingClientRect();
  const pitch = Math.max(1, box.width / Math.max(1, s.cols));
  const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / (pitch / 4)));
  let last = null;
  for (let i = 0; i <= steps; i++) {
    const rc = cellAt(s, gridEl, x0 + ((x1 - x0) * i) / steps, y0 + ((y1 - y0) * i) / steps);
    if (!rc) break;
    last = rc;
  }
  return last;
}

// Bresenham's line from cell [r0, c0] to [r1, c1]: each step moves to one of the 8 neighbours.
function paintLine(s, [r0, c0], [r1, c1], value) {
  const dr = Math.abs(r1 - r0);
  const dc = Math.abs(c1 - c0);
  const stepR = r0 < r1 ? 1 : -1;
  const stepC = c0 < c1 ? 1 : -1;
  let err = dc - dr;
  let [r, c] = [r0, c0];
  for (;;) {
    setCell(s, r, c, value);
    if (r === r1 && c === c1) return;
    const twice = 2 * err;
    if (twice > -dr) {
      err -= dr;
      c += stepC;
    }
    if (twice < dc) {
      err += dc;
      r += stepR;
    }
  }
}

function setCell(s, r, c, value) {
  if (s.cells[r][c] === value) return;
  s.cells[r][c] = value;
  paintCell(s, r, c);
}

function sendGrid(s) {
  s.seq += 1;
  s.send("grid", { rev: s.rev, seq: s.seq, cells: s.cells.map((row) => row.slice()) });
}

// ---------------------------------------------------------------------------------------------
// Keyboard: arrows move the focus ring, Space or Enter toggles the focused cell.

function moveFocus(s, r, c, focus) {
  const [fr, fc] = s.focus;
  if (s.cellEls[fr] && s.cellEls[fr][fc]) s.cellEls[fr][fc].tabIndex = -1;
  s.focus = [r, c];
  const el = s.cellEls[r][c];
  el.tabIndex = 0;
  if (focus) el.focus();
}

function onKey(s, e) {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const cell = e.target.closest ? e.target.closest('[role="gridcell"]') : null;
  const r = cell ? Number(cell.dataset.r) : s.focus[0];
  const c = cell ? Number(cell.dataset.c) : s.focus[1];
  const moves = {
    ArrowUp: [r - 1, c],
    ArrowDown: [r + 1, c],
    ArrowLeft: [r, c - 1],
    ArrowRight: [r, c + 1],
    Home: [r, 0],
    End: [r, s.cols - 1],
  };
  if (e.key in moves) {
    e.preventDefault();
    const [nr, nc] = moves[e.key];
    moveFocus(s, clamp(nr, 0, s.rows - 1), clamp(nc, 0, s.cols - 1), true);
  } else if (e.key === " " || e.key === "Enter") {
    e.preventDefault(); // Space would scroll the page
    if (s.readonly || s.stroke || e.repeat) return;
    setCell(s, r, c, s.cells[r][c] ? 0 : 1);
    sendGrid(s);
  }
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}
