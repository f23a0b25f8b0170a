// Interaction: header figures, zoom and pan (wheel, drag, keyboard), hover summary, click
// details, search, collapsing subtrees. Every string from the dataset goes in as text, never
// as markup.
const tooltip = document.getElementById("tooltip");
const details = document.getElementById("details");

function element(tag, content, className) {
  const e = document.createElement(tag);
  if (content !== undefined) e.textContent = content;
  if (className) e.className = className;
  return e;
}

function showHeader() {
  document.getElementById("title").textContent = data.title;
  const list = document.getElementById("figures");
  for (const [name, value, kind] of data.header) {
    const item = element("div", undefined, kind || "");
    item.append(element("dt", name), element("dd", value));
    item.title = `${name}: ${value}`;
    list.append(item);
  }
}

function formatSize(kib) {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = kib, unit = 0;
  while (value >= 1024 && unit + 1 < units.length) { value /= 1024; unit++; }
  return `${+value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

function field(name, i) {
  const column = exec.fields[name];
  return data.field_kinds[name] === "text" ? text(column[i]) : column[i];
}

function summaryOf(i) {
  const lines = [text(exec.cmdline[i]) ?? "(unknown)"];
  const ns = (name) => field(name, i) / 1000;
  lines.push(`start ${formatDuration(exec.start[i])}, duration ${formatDuration(ns("duration_ns"))}`);
  lines.push(`CPU ${formatDuration(ns("cpu_user_ns") + ns("cpu_sys_ns"))}, max RSS ${formatSize(field("max_rss_kb", i))}`);
  lines.push(`${field("status", i)}${exec.path[i] ? ", on the critical path" : ""}`);
  return lines.join("\n");
}

function setDetailsOpen(open) {
  details.hidden = !open;
  document.body.classList.toggle("details-open", open);
  if (!open) view.selected = -1;
  redraw();
}

function showDetails(i) {
  view.selected = i;
  setDetailsOpen(true);
  document.getElementById("details-title").textContent = text(exec.cmdline[i]) ?? "(unknown)";
  const list = document.getElementById("details-fields");
  list.replaceChildren();
  const put = (name, value) => list.append(element("dt", name), element("dd", value ?? "(null)"));
  const us = (name) => field(name, i) / 1000;
  put("status", `${field("status", i)} (${field("end_reason", i) ?? "?"})`);
  put("exec_id", field("exec_id", i));
  put("pid / ppid", `${field("pid", i)} / ${field("ppid", i)}`);
  put("filename", field("filename", i));
  put("cwd", field("cwd", i));
  put("start", `${formatDuration(exec.start[i])} after the run's start`);
  put("duration", formatDuration(us("duration_ns")));
  put("CPU user", formatDuration(us("cpu_user_ns")));
  put("CPU system", formatDuration(us("cpu_sys_ns")));
  put("max RSS", formatSize(field("max_rss_kb", i)));
  put("read / written", `${field("read_bytes", i)} B / ${field("write_bytes", i)} B`);
  put("critical path", exec.path[i] ? "yes" : "no");
  const argv = document.getElementById("details-argv");
  argv.replaceChildren(...exec.argv[i].map((k) => element("li", strings[k])));
  redraw();
}

// The execution under a point of the Gantt, or -1 (bars narrower than 3 px count as 3 px).
function executionAt(x, y) {
  if (x < GUTTER || y < AXIS_HEIGHT) return -1;
  const line = Math.floor((y - AXIS_HEIGHT + view.scrollY) / ROW_HEIGHT);
  if (line < 0 || line >= visibleRows.length) return -1;
  const t = timeAt(x), slack = ((view.to - view.from) / plotWidth()) * 1.5;
  for (const i of imagesOf(visibleRows[line])) {
    if (t >= exec.start[i] - slack && t <= exec.end[i] + slack) return i;
  }
  return -1;
}

function zoom(factor, atX) {
  const anchor = timeAt(atX), span = Math.max((view.to - view.from) * factor, 1);
  const whole = Math.max(data.wall, 1);
  const share = (anchor - view.from) / (view.to - view.from);
  view.from = anchor - share * span;
  view.to = view.from + span;
  if (span >= whole) { view.from = 0; view.to = whole; }
  redraw();
}

function pan(pixels) {
  const shift = (pixels / plotWidth()) * (view.to - view.from);
  view.from += shift;
  view.to += shift;
  redraw();
}

function onWheel(event) {
  event.preventDefault();
  const box = ganttCanvas.getBoundingClientRect();
  if (event.ctrlKey || event.metaKey) zoom(Math.exp(event.deltaY * 0.002), event.clientX - box.left);
  else if (event.shiftKey) pan(event.deltaY || event.deltaX);
  else if (Math.abs(event.deltaX) > Math.abs(event.deltaY)) pan(event.deltaX);
  else { view.scrollY += event.deltaY; redraw(); }
}

function toggleRow(r) {
  collapsed[r] = collapsed[r] ? 0 : 1;
  layoutRows();
  redraw();
}

function installPointer() {
  let drag = null;
  ganttCanvas.addEventListener("pointerdown", (event) => {
    const box = ganttCanvas.getBoundingClientRect();
    drag = { x: event.clientX, y: event.clientY, moved: false, box };
    ganttCanvas.setPointerCapture(event.pointerId);
  });
  ganttCanvas.addEventListener("pointermove", (event) => {
    const box = ganttCanvas.getBoundingClientRect();
    if (drag && (drag.moved || Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) > 3)) {
      drag.moved = true;
      ganttCanvas.classList.add("dragging");
      pan(drag.x - event.clientX);
      view.scrollY += drag.y - event.clientY;
      drag.x = event.clientX;
      drag.y = event.clientY;
      tooltip.hidden = true;
      return;
    }
    const i = executionAt(event.clientX - box.left, event.clientY - box.top);
    if (i !== view.hover) { view.hover = i; redraw(); }
    tooltip.hidden = i < 0;
    if (i >= 0) {
      tooltip.textContent = summaryOf(i);
      const area = ganttCanvas.parentElement.getBoundingClientRect();
      tooltip.style.left = `${Math.min(event.clientX - area.left + 14, area.width - 360)}px`;
      tooltip.style.top = `${event.clientY - area.top + 14}px`;
    }
  });
  ganttCanvas.addEventListener("pointerup", (event) => {
    const moved = drag && drag.moved;
    drag = null;
    ganttCanvas.classList.remove("dragging");
    if (moved) return;
    const box = ganttCanvas.getBoundingClientRect();
    const x = event.clientX - box.left, y = event.clientY - box.top;
    const line = Math.floor((y - AXIS_HEIGHT + view.scrollY) / ROW_HEIGHT);
    if (x < GUTTER && y >= AXIS_HEIGHT && line < visibleRows.length && hasChildren(visibleRows[line])) {
      toggleRow(visibleRows[line]);
      return;
    }
    const i = executionAt(x, y);
    if (i >= 0) showDetails(i);
  });
  ganttCanvas.addEventListener("pointerleave", () => { tooltip.hidden = true; view.hover = -1; redraw(); });
  ganttCanvas.addEventListener("wheel", onWheel, { passive: false });
  usageCanvas.addEventListener("wheel", onWheel, { passive: false });
}

function installKeys() {
  const keys = {
    w: () => zoom(0.8, GUTTER + plotWidth() / 2), "+": () => zoom(0.8, GUTTER + plotWidth() / 2),
    "=": () => zoom(0.8, GUTTER + plotWidth() / 2), s: () => zoom(1.25, GUTTER + plotWidth() / 2),
    "-": () => zoom(1.25, GUTTER + plotWidth() / 2), a: () => pan(-plotWidth() / 8),
    ArrowLeft: () => pan(-plotWidth() / 8), d: () => pan(plotWidth() / 8),
    ArrowRight: () => pan(plotWidth() / 8), ArrowUp: () => { view.scrollY -= ROW_HEIGHT * 3; redraw(); },
    ArrowDown: () => { view.scrollY += ROW_HEIGHT * 3; redraw(); },
    PageUp: () => { view.scrollY -= ganttCanvas.clientHeight * 0.9; redraw(); },
    PageDown: () => { view.scrollY += ganttCanvas.clientHeight * 0.9; redraw(); },
    0: () => { view.from = 0; view.to = Math.max(data.wall, 1); redraw(); },
    Escape: () => setDetailsOpen(false),
  };
  document.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement || event.ctrlKey || event.metaKey || event.altKey) return;
    const action = keys[event.key] ?? keys[event.key.toLowerCase()];
    if (action) { event.preventDefault(); action(); }
  });
}

// Scrolls execution i into view (expanding its ancestors) and returns the centre of its bar in
// page coordinates: for the search, and for tests that click a known execution.
function scrollToExecution(i) {
  const r = exec.row[i];
  reveal(r);
  const line = lineOfRow[r], visible = ganttCanvas.clientHeight - AXIS_HEIGHT;
  if (line * ROW_HEIGHT < view.scrollY || (line + 1) * ROW_HEIGHT > view.scrollY + visible) {
    view.scrollY = line * ROW_HEIGHT - visible / 3;
  }
  view.scrollY = Math.min(Math.max(view.scrollY, 0), maxScrollY());
  if (exec.end[i] < view.from || exec.start[i] > view.to) {
    const span = view.to - view.from;
    view.from = exec.start[i] - span / 4;
    view.to = view.from + span;
  }
  drawUsage();
  drawGantt();
  const box = ganttCanvas.getBoundingClientRect();
  const x1 = Math.max(xOf(exec.start[i]), GUTTER), x2 = Math.min(xOf(exec.end[i]), GUTTER + plotWidth());
  return { x: box.left + (x1 + Math.max(x2, x1 + 1)) / 2, y: box.top + AXIS_HEIGHT + line * ROW_HEIGHT - view.scrollY + ROW_HEIGHT / 2 };
}

function installSearch() {
  const input = document.getElementById("search"), label = document.getElementById("matches");
  let next = 0;
  input.addEventListener("input", () => {
    const count = search(input.value.trim());
    next = 0;
    label.textContent = input.value.trim() ? `${count} match${count === 1 ? "" : "es"}` : "";
    redraw();
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || matchList.length === 0) return;
    const i = matchList[next++ % matchList.length];
    scrollToExecution(i);
    showDetails(i);
  });
}

function start() {
  showHeader();
  layoutRows();
  installPointer();
  installKeys();
  installSearch();
  document.getElementById("close-details").addEventListener("click", () => setDetailsOpen(false));
  window.addEventListener("resize", redraw);
  drawUsage();
  drawGantt();
  window.pipetraceTimeline = {
    firstRenderMs: performance.now(),
    executions: execCount,
    indexOfExecId: (id) => exec.fields.exec_id.indexOf(id),
    scrollToExecution,
    view: () => ({ from: view.from, to: view.to, scrollY: view.scrollY, rows: visibleRows.length }),
  };
  document.body.dataset.rendered = "true";
}

start();
