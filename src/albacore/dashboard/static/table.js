// The trial table: only the rows in view exist in the page (virtual scrolling), rows come from the server
// a page at a time, already sorted and filtered there, so 100,000 trials scroll as smoothly as 100.
import { api, clear, el, formatDuration, formatTime, formatValue } from "./util.js";

const ROW_HEIGHT = 28;
const PAGE = 200;
const STATES = ["COMPLETE", "RUNNING", "PRUNED", "FAIL", "WAITING"];
const OPS = ["=", "!=", "<", "<=", ">", ">=", "contains", "exists", "missing"];

function columnsOf(study) {
  const values = study.directions.length === 1
    ? [{ id: "values.0", label: "value" }]
    : study.directions.map((_, i) => ({ id: `values.${i}`, label: (study.metric_names || [])[i] || `value ${i}` }));
  return [
    { id: "number", label: "#" },
    { id: "state", label: "state" },
    ...values,
    ...study.param_names.map((p) => ({ id: `params.${p}`, label: p })),
    ...study.user_attr_names.map((k) => ({ id: `user_attrs.${k}`, label: `attr: ${k}` })),
    { id: "datetime_start", label: "started" },
    { id: "duration", label: "duration" },
  ];
}

function cellText(row, id) {
  const [kind, ...rest] = id.split(".");
  const name = rest.join(".");
  if (kind === "values") return formatValue(row.values ? row.values[Number(name)] : null);
  if (kind === "params") return formatValue(row.params[name]);
  if (kind === "user_attrs") return formatValue(row.user_attrs[name]);
  if (id === "datetime_start") return formatTime(row.datetime_start);
  if (id === "duration") return formatDuration(row.duration);
  return formatValue(row[id]);
}

export class TrialTable {
  constructor(base, study, onOpen) {
    this.base = base;
    this.onOpen = onOpen;
    this.sort = "number";
    this.desc = false;
    this.filters = [];
    this.states = new Set(STATES);
    this.hiddenKey = `albacore-hidden:${base}`;
    this.hidden = new Set(JSON.parse(localStorage.getItem(this.hiddenKey) || "[]"));
    this.pages = new Map();
    this.painted = new Promise((resolve) => { this.firstPaint = resolve; });
    this.generation = 0;
    this.total = 0;
    this.spacer = el("div", { class: "spacer" });
    this.rows = el("div", { class: "rows" });
    this.viewport = el("div", { class: "viewport", onscroll: () => this.render() }, this.spacer, this.rows);
    this.head = el("div", { class: "trow thead" });
    this.count = el("span", { class: "muted" });
    this.controls = el("div", { class: "table-controls" });
    this.node = el("section", { class: "card trial-table" },
      el("h2", {}, "Trials ", this.count), this.controls, el("div", { class: "table-scroll" }, this.head, this.viewport));
    this.setStudy(study);
  }

  setStudy(study) {
    this.study = study;
    this.columns = columnsOf(study);
    this.drawControls();
    this.drawHead();
  }

  visibleColumns() {
    return this.columns.filter((c) => !this.hidden.has(c.id));
  }

  drawHead() {
    const cols = this.visibleColumns();
    const template = cols.map((c) => (c.id === "number" ? "70px" : "130px")).join(" ");
    this.template = template;
    this.head.style.gridTemplateColumns = template;
    clear(this.head, cols.map((c) => {
      const arrow = this.sort === c.id ? (this.desc ? " ▼" : " ▲") : "";
      return el("button", {
        class: "th", type: "button", title: `sort by ${c.label}`, dataset: { column: c.id },
        onclick: () => {
          if (this.sort === c.id) this.desc = !this.desc;
          else [this.sort, this.desc] = [c.id, false];
          this.drawHead();
          this.reload();
        },
      }, c.label + arrow);
    }));
    const width = cols.reduce((sum, c) => sum + (c.id === "number" ? 70 : 130), 0);
    this.head.style.width = this.rows.style.width = this.spacer.style.width = `${width}px`;
  }

  drawControls() {
    const stateBoxes = STATES.map((s) => el("label", { class: "chip" },
      el("input", { type: "checkbox", checked: this.states.has(s), name: `state-${s}`, onchange: (e) => {
        if (e.target.checked) this.states.add(s); else this.states.delete(s);
        this.reload();
      } }), ` ${s}`));
    const column = el("select", { name: "filter-column" }, this.columns.filter((c) => c.id !== "state")
      .map((c) => el("option", { value: c.id }, c.label)));
    const op = el("select", { name: "filter-op" }, OPS.map((o) => el("option", { value: o }, o)));
    const value = el("input", { name: "filter-value", placeholder: "value", size: 8 });
    const add = el("button", { type: "button", onclick: () => {
      this.filters.push({ column: column.value, op: op.value, value: value.value });
      value.value = "";
      this.drawControls();
      this.reload();
    } }, "Add filter");
    const chips = this.filters.map((f, i) => el("span", { class: "chip filter" },
      `${f.column} ${f.op} ${f.op === "exists" || f.op === "missing" ? "" : f.value} `,
      el("button", { type: "button", title: "remove filter", class: "link", onclick: () => {
        this.filters.splice(i, 1);
        this.drawControls();
        this.reload();
      } }, "×")));
    const menu = el("details", { class: "columns-menu" }, el("summary", {}, "Columns"),
      el("div", { class: "menu" }, this.columns.map((c) => el("label", {},
        el("input", { type: "checkbox", checked: !this.hidden.has(c.id), dataset: { column: c.id }, onchange: (e) => {
          if (e.target.checked) this.hidden.delete(c.id); else this.hidden.add(c.id);
          localStorage.setItem(this.hiddenKey, JSON.stringify([...this.hidden]));
          this.drawHead();
          this.render(true);
        } }), ` ${c.label}`))));
    clear(this.controls, el("div", { class: "row" }, stateBoxes, menu),
      el("div", { class: "row" }, column, op, value, add, chips));
  }

  query(offset) {
    const filters = [...this.filters];
    if (this.states.size < STATES.length) filters.push({ column: "state", op: "in", value: [...this.states] });
    const params = new URLSearchParams({ offset, limit: PAGE, sort: this.sort, desc: this.desc ? "1" : "0" });
    if (filters.length) params.set("filters", JSON.stringify(filters));
    return `${this.base}/trials?${params}`;
  }

  reload() {
    this.pages.clear();
    this.generation += 1;
    this.viewport.scrollTop = 0;
    this.render(true);
  }

  // Live update: the pages in view are fetched again; the scroll position stays.
  refresh() {
    this.pages.clear();
    this.generation += 1;
    this.render(true);
  }

  async fetchPage(index) {
    const generation = this.generation;
    if (this.pages.has(index)) return;
    this.pages.set(index, null);
    try {
      const data = await api.get(this.query(index * PAGE));
      if (generation !== this.generation) return;
      this.pages.set(index, data.rows);
      this.total = data.total;
      this.count.textContent = `${data.total.toLocaleString("en-US")} shown of ${data.n_trials.toLocaleString("en-US")}`;
      this.spacer.style.height = `${data.total * ROW_HEIGHT}px`;
      this.render();
      requestAnimationFrame(() => this.firstPaint());
    } catch (err) {
      if (generation === this.generation) {
        this.pages.delete(index);
        clear(this.rows, el("p", { class: "error" }, err.message));
      }
    }
  }

  render() {
    const first = Math.floor(this.viewport.scrollTop / ROW_HEIGHT);
    const count = Math.ceil((this.viewport.clientHeight || 480) / ROW_HEIGHT) + 2;
    const firstPage = Math.floor(first / PAGE);
    const lastPage = Math.floor((first + count) / PAGE);
    for (let p = firstPage; p <= lastPage; p++) if (!this.pages.has(p)) this.fetchPage(p);
    const cols = this.visibleColumns();
    const rows = [];
    for (let i = first; i < Math.min(first + count, this.pages.size ? this.total : first + count); i++) {
      const page = this.pages.get(Math.floor(i / PAGE));
      if (!page) break;
      const row = page[i % PAGE];
      if (!row) break;
      rows.push(el("div", {
        class: "trow", dataset: { number: row.number, state: row.state }, onclick: () => this.onOpen(row.number),
      }, cols.map((c) => el("span", {
        class: c.id === "state" ? `state-${row.state}` : c.id.startsWith("params") || c.id.startsWith("values") ? "num" : "",
        dataset: { column: c.id },
      }, cellText(row, c.id)))));
      rows[rows.length - 1].style.gridTemplateColumns = this.template;
    }
    this.rows.style.top = `${first * ROW_HEIGHT}px`;
    clear(this.rows, rows);
  }
}
