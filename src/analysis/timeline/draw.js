// Drawing on two canvases: the utilisation chart (executions running, CPU cores in use) and
// the Gantt below it, over the same time axis. Only what is on screen is drawn, so the cost
// does not grow with the number of executions.
const ROW_HEIGHT = 18;
const GUTTER = 300; // the names column, left of the time axis
const AXIS_HEIGHT = 20;
const COLORS = {
  normal: "#5b8ff9", normalAlt: "#3d6fd9", path: "#f08c00", pathAlt: "#c96f00",
  failed: "#e03131", match: "#fab005", running: "rgba(91, 143, 249, 0.35)",
  runningLine: "#3d6fd9", cores: "#2f9e44", grid: "#eaeef2", text: "#1f2328",
  muted: "#656d76", selected: "#1f2328",
};

const view = { from: 0, to: Math.max(data.wall, 1), scrollY: 0, selected: -1, hover: -1 };
const usageCanvas = document.getElementById("usage");
const ganttCanvas = document.getElementById("gantt");

function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const g = canvas.getContext("2d");
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { g, width, height };
}

function plotWidth() {
  return Math.max(ganttCanvas.clientWidth - GUTTER, 10);
}

function xOf(t) {
  return GUTTER + ((t - view.from) / (view.to - view.from)) * plotWidth();
}

function timeAt(x) {
  return view.from + ((x - GUTTER) / plotWidth()) * (view.to - view.from);
}

function formatDuration(us) {
  const abs = Math.abs(us);
  if (us === 0) return "0 s";
  if (abs < 1000) return `${+us.toFixed(1)} µs`;
  if (abs < 1e6) return `${+(us / 1e3).toFixed(abs < 1e4 ? 2 : 1)} ms`;
  if (abs < 60e6) return `${+(us / 1e6).toFixed(abs < 1e7 ? 2 : 1)} s`;
  const s = Math.round(us / 1e6);
  if (abs < 3600e6) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, "0")} m`;
}

// A tick step of 1, 2 or 5 times a power of ten, at least 90 px apart.
function tickStep() {
  const raw = ((view.to - view.from) * 90) / plotWidth();
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-3))));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

function drawGrid(g, top, bottom, labels) {
  const step = tickStep();
  g.font = "11px system-ui, sans-serif";
  g.textBaseline = "middle";
  for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
    const x = Math.round(xOf(t)) + 0.5;
    g.fillStyle = COLORS.grid;
    g.fillRect(x, top, 1, bottom - top);
    if (labels) {
      g.fillStyle = COLORS.muted;
      g.fillText(formatDuration(t), x + 3, AXIS_HEIGHT / 2);
    }
  }
}

function drawSeries(g, series, top, height, scale, fill, stroke) {
  const width = plotWidth();
  g.beginPath();
  g.moveTo(GUTTER, top + height);
  const perPixel = (view.to - view.from) / width;
  for (let px = 0; px < width; px++) {
    const from = view.from + px * perPixel;
    const y = top + height - (seriesMax(series, from, from + perPixel) / scale) * height;
    g.lineTo(GUTTER + px, y);
    g.lineTo(GUTTER + px + 1, y);
  }
  g.lineTo(GUTTER + width, top + height);
  if (fill) { g.fillStyle = fill; g.fill(); }
  g.strokeStyle = stroke;
  g.lineWidth = 1.25;
  g.stroke();
}

function drawUsage() {
  const { g, width, height } = fitCanvas(usageCanvas);
  g.clearRect(0, 0, width, height);
  const top = 8, plot = height - top - 4;
  // Each series to its own peak: a few cores would vanish under thousands of executions.
  const peakRunning = peakOf(running), peakCores = peakOf(cores);
  drawGrid(g, 0, height, false);
  drawSeries(g, running, top, plot, Math.max(peakRunning, 1) * 1.05, COLORS.running, COLORS.runningLine);
  if (hasSamples) drawSeries(g, cores, top, plot, Math.max(peakCores, 1e-3) * 1.05, null, COLORS.cores);
  g.fillStyle = COLORS.text;
  g.font = "12px system-ui, sans-serif";
  g.textBaseline = "top";
  g.fillText("Utilisation", 10, 8);
  g.fillStyle = COLORS.runningLine;
  g.fillText(`■ executions running (peak ${peakRunning})`, 10, 28);
  g.fillStyle = COLORS.cores;
  g.fillText(hasSamples ? `— CPU cores in use (peak ${peakCores.toFixed(2)})` : "— CPU cores: no cpu_samples", 10, 46);
  g.fillStyle = COLORS.muted;
  g.fillText("each to its own peak", 10, 64);
}

function barColor(i, alternate) {
  if (exec.failed[i]) return COLORS.failed;
  if (exec.path[i]) return alternate ? COLORS.pathAlt : COLORS.path;
  return alternate ? COLORS.normalAlt : COLORS.normal;
}

function drawLabel(g, r, y) {
  const indent = 8 + Math.min(rows.depth[r], 40) * 10;
  const head = rows.images[rows.first[r]];
  g.fillStyle = COLORS.muted;
  if (hasChildren(r)) g.fillText(collapsed[r] ? "▸" : "▾", indent - 2, y);
  g.fillStyle = exec.path[head] ? COLORS.pathAlt : COLORS.text;
  const hidden = collapsed[r] ? `  (+${rows.end[r] - r - 1})` : "";
  g.fillText(`${labelOf(head)}${hidden}`, indent + 10, y);
}

function labelOf(i) {
  const s = text(exec.cmdline[i]) ?? "(unknown)";
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

function drawBars(g, r, y) {
  const images = imagesOf(r), searching = matchList.length > 0;
  images.forEach((i, k) => {
    const x1 = Math.max(xOf(exec.start[i]), GUTTER - 2), x2 = Math.min(xOf(exec.end[i]), GUTTER + plotWidth() + 2);
    if (x2 < GUTTER || x1 > GUTTER + plotWidth()) return;
    const w = Math.max(x2 - x1, 1);
    g.globalAlpha = searching && !matches[i] ? 0.3 : 1;
    g.fillStyle = searching && matches[i] ? COLORS.match : barColor(i, k % 2 === 1);
    g.fillRect(x1, y + 2, w, ROW_HEIGHT - 4);
    if (exec.path[i] && !(searching && matches[i])) {
      g.fillStyle = COLORS.pathAlt;
      g.fillRect(x1, y + ROW_HEIGHT - 4, w, 2);
    }
    if (exec.failed[i]) {
      g.fillStyle = COLORS.failed;
      g.fillText("✕", x2 + 2, y + ROW_HEIGHT / 2);
    }
    if (i === view.selected || i === view.hover) {
      g.strokeStyle = COLORS.selected;
      g.lineWidth = i === view.selected ? 2 : 1;
      g.strokeRect(x1 + 0.5, y + 1.5, w - 1, ROW_HEIGHT - 3);
    }
    if (w > 50) {
      g.save();
      g.beginPath();
      g.rect(x1, y, w, ROW_HEIGHT);
      g.clip();
      g.fillStyle = searching && matches[i] ? COLORS.text : "#fff";
      g.fillText(labelOf(i), x1 + 4, y + ROW_HEIGHT / 2);
      g.restore();
    }
    g.globalAlpha = 1;
  });
}

function maxScrollY() {
  return Math.max(0, visibleRows.length * ROW_HEIGHT - (ganttCanvas.clientHeight - AXIS_HEIGHT) + ROW_HEIGHT);
}

function drawGantt() {
  const { g, width, height } = fitCanvas(ganttCanvas);
  view.scrollY = Math.min(Math.max(view.scrollY, 0), maxScrollY());
  g.clearRect(0, 0, width, height);
  drawGrid(g, 0, height, true);
  g.font = "12px system-ui, sans-serif";
  g.textBaseline = "middle";
  const first = Math.floor(view.scrollY / ROW_HEIGHT);
  const last = Math.min(visibleRows.length, Math.ceil((view.scrollY + height - AXIS_HEIGHT) / ROW_HEIGHT));
  for (let line = first; line < last; line++) {
    const r = visibleRows[line], y = AXIS_HEIGHT + line * ROW_HEIGHT - view.scrollY;
    if (line % 2) { g.fillStyle = "rgba(0, 0, 0, 0.025)"; g.fillRect(0, y, width, ROW_HEIGHT); }
    g.save();
    g.beginPath();
    g.rect(GUTTER, AXIS_HEIGHT, width - GUTTER, height - AXIS_HEIGHT);
    g.clip();
    drawBars(g, r, y);
    g.restore();
    g.save();
    g.beginPath();
    g.rect(0, AXIS_HEIGHT, GUTTER - 6, height - AXIS_HEIGHT);
    g.clip();
    drawLabel(g, r, y + ROW_HEIGHT / 2);
    g.restore();
  }
  g.fillStyle = COLORS.grid;
  g.fillRect(GUTTER - 1, 0, 1, height);
  g.fillRect(0, AXIS_HEIGHT - 1, width, 1);
}

let drawPending = false;
function redraw() {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    drawUsage();
    drawGantt();
  });
}
