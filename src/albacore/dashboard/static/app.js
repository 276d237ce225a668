// The dashboard's pages: study list, study (plots, trial table, note), trial, and comparison of studies.
// Routing is by the URL fragment (#/s/STORAGE/STUDY/t/NUMBER), so the server serves one page.
import { TrialTable } from "./table.js";
import { ApiError, api, clear, el, formatDuration, formatTime, formatValue, loadPlotly, throttle, token } from "./util.js";

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const live = document.getElementById("live");
let info = { read_only: true, storages: [] };
let stream = null; // the open EventSource of the page shown
let leave = () => {}; // undoes what the page shown set up

const PLOT_TITLES = {
  history: "History", intermediate: "Intermediate values", parallel: "Parallel coordinates", contour: "Contour",
  slice: "Slice", rank: "Rank", edf: "EDF", timeline: "Timeline", importances: "Importances",
  pareto: "Pareto front", hypervolume: "Hypervolume",
};
const PARAM_PLOTS = new Set(["parallel", "contour", "slice", "rank", "importances"]);
const TOP_PLOTS = new Set(["parallel", "contour", "slice", "rank"]);

function listen(path, onChange) {
  if (stream) stream.close();
  stream = new EventSource(path);
  stream.addEventListener("change", (event) => onChange(JSON.parse(event.data)));
  stream.addEventListener("open", () => { live.textContent = "● live"; live.className = "on"; });
  stream.addEventListener("error", () => { live.textContent = "○ reconnecting"; live.className = ""; });
}

function showError(err) {
  clear(main, el("div", { class: "card error" }, el("h2", {}, err.status === 404 ? "Not found" : "Error"), err.message));
}

function setCrumbs(...parts) {
  clear(crumbs, parts.flatMap((p, i) => [i ? " / " : "", p.href ? el("a", { href: p.href }, p.text) : p.text]));
}

function notice(node, message, kind = "ok") {
  const line = el("p", { class: kind }, message);
  node.prepend(line);
  setTimeout(() => line.remove(), 6000);
}

async function write(action, onError) {
  try {
    return await action();
  } catch (err) {
    if (err instanceof ApiError && err.status === 403) updateUnlock(true);
    onError(err);
    return null;
  }
}

function updateUnlock(force = false) {
  const button = document.getElementById("unlock");
  button.hidden = info.read_only || (!force && !!token.get());
}

// --- study list ---------------------------------------------------------------------------------------------

function bestText(best) {
  if (!best) return "";
  if (best.pareto_numbers) return `${best.pareto_numbers.length} on Pareto front`;
  return best.value === null ? "" : formatValue(best.value);
}

async function studyList() {
  setCrumbs({ text: "Studies" });
  const state = { rows: [], sort: "last_activity", desc: true, filter: "", selected: new Set() };
  const body = el("tbody");
  const filter = el("input", { type: "search", placeholder: "Filter by name", name: "study-filter", oninput: () => {
    state.filter = filter.value.toLowerCase();
    draw();
  } });
  const compare = el("button", { type: "button", disabled: true, onclick: () => {
    location.hash = `#/compare?studies=${[...state.selected].join(",")}`;
  } }, "Compare selected");
  const columns = [
    ["name", "Study"], ["storage", "Storage"], ["directions", "Directions"], ["n_trials", "Trials"],
    ["COMPLETE", "Complete"], ["RUNNING", "Running"], ["PRUNED", "Pruned"], ["FAIL", "Failed"],
    ["best", "Best value"], ["last_activity", "Last activity"],
  ];
  const key = (row, column) => {
    if (column in row.counts) return row.counts[column];
    if (column === "best") return row.best.value ?? (row.best.pareto_numbers ? row.best.pareto_numbers.length : null);
    if (column === "directions") return row.directions.join(",");
    return row[column];
  };
  const head = el("tr", {}, el("th", {}, ""), columns.map(([id, label]) => el("th", {},
    el("button", { type: "button", class: "th", dataset: { column: id }, onclick: () => {
      state.desc = state.sort === id ? !state.desc : false;
      state.sort = id;
      draw();
    } }, label))));
  const errors = info.storages.filter((s) => s.error).map((s) => el("p", { class: "error" }, `${s.label}: ${s.error}`));
  clear(main, el("section", { class: "card" }, el("h1", {}, "Studies"), errors,
    el("div", { class: "row" }, filter, compare),
    el("table", { class: "studies" }, el("thead", {}, head), body)));

  function draw() {
    const rows = state.rows.filter((r) => r.name.toLowerCase().includes(state.filter));
    rows.sort((a, b) => {
      const [x, y] = [key(a, state.sort), key(b, state.sort)];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
      return state.desc ? -order : order;
    });
    const label = (i) => (info.storages[i] ? info.storages[i].label : String(i));
    clear(body, rows.map((r) => {
      const id = `${r.storage}:${r.study_id}`;
      return el("tr", { dataset: { study: r.name } },
        el("td", {}, el("input", { type: "checkbox", checked: state.selected.has(id), title: "select to compare",
          onchange: (e) => {
            if (e.target.checked) state.selected.add(id); else state.selected.delete(id);
            compare.disabled = state.selected.size < 2;
          } })),
        el("td", {}, el("a", { href: `#/s/${r.storage}/${r.study_id}` }, r.name)),
        el("td", { class: "muted" }, label(r.storage)),
        el("td", {}, r.directions.join(", ")),
        el("td", { class: "num" }, formatValue(r.n_trials)),
        ["COMPLETE", "RUNNING", "PRUNED", "FAIL"].map((s) => el("td", { class: "num", dataset: { count: s } }, formatValue(r.counts[s]))),
        el("td", { class: "num best" }, bestText(r.best)),
        el("td", {}, formatTime(r.last_activity)));
    }));
    if (!rows.length) body.append(el("tr", {}, el("td", { colspan: 11, class: "muted" }, "No studies.")));
  }

  async function load() {
    state.rows = (await api.get("/api/studies")).studies;
    draw();
  }
  await load();
  const reload = throttle(() => load().catch(() => {}), () => 1000);
  listen("/api/events", reload);
}

// --- study page ---------------------------------------------------------------------------------------------

function noteEditor(getNote, save) {
  const node = el("section", { class: "card note" });
  let editing = false;
  function draw() {
    const note = getNote();
    if (editing) {
      const text = el("textarea", { rows: 8, name: "note-body" });
      text.value = note.body;
      clear(node, el("h2", {}, "Note"), text, el("div", { class: "row" },
        el("button", { type: "button", onclick: async () => {
          const saved = await write(() => save(text.value, note.version), (err) => notice(node, err.message, "error"));
          if (saved) { editing = false; draw(); }
        } }, "Save"),
        el("button", { type: "button", onclick: () => { editing = false; draw(); } }, "Cancel"),
        el("span", { class: "muted" }, "Markdown; HTML is shown as text.")));
      return;
    }
    const rendered = el("div", { class: "markdown" });
    // The server renders Markdown with every piece of raw HTML escaped, so this HTML holds no user markup.
    rendered.innerHTML = note.html || "";
    clear(node, el("h2", {}, "Note"), note.body ? rendered : el("p", { class: "muted" }, "No note yet."),
      info.read_only ? null : el("button", { type: "button", onclick: () => { editing = true; draw(); } }, "Edit note"));
  }
  draw();
  return { node, draw };
}

function summaryCard(study) {
  const counts = Object.entries(study.counts).filter(([, n]) => n > 0)
    .map(([s, n]) => el("span", { class: `chip state-${s}`, dataset: { count: s } }, `${s.toLowerCase()} ${formatValue(n)}`));
  const best = study.best.pareto_numbers
    ? `${study.best.pareto_numbers.length} trials on the Pareto front`
    : study.best.number === null ? "none yet" : `${formatValue(study.best.value)} (trial ${study.best.number})`;
  return el("section", { class: "card summary" },
    el("h1", {}, study.name),
    el("p", {}, `${study.directions.join(", ")} · ${formatValue(study.n_trials)} trials · last activity ${formatTime(study.last_activity)}`),
    el("p", {}, counts),
    el("p", { class: "best" }, "Best: ", best),
    Object.keys(study.user_attrs).length
      ? el("p", { class: "muted" }, "Attributes: ", JSON.stringify(study.user_attrs)) : null);
}

// `ready` resolves once the trial table has painted: plotly.js takes long to start, and must not hold it up.
function plotPanel(base, study, ready) {
  const state = { name: study.plots[0], objective: "", params: [], top: "", logValue: false, logY: false, start: "" };
  const area = el("div", { class: "plot", id: "plot" });
  const note = el("p", { class: "muted plot-note" });
  const options = el("div", { class: "row plot-options" });
  const tabs = el("div", { class: "tabs" });
  let lastDuration = 0;
  let seq = 0;

  function drawTabs() {
    clear(tabs, study.plots.map((name) => el("button", {
      type: "button", class: name === state.name ? "tab active" : "tab", dataset: { plot: name },
      onclick: () => { state.name = name; state.start = ""; drawTabs(); drawOptions(); load(); },
    }, PLOT_TITLES[name] || name)));
  }

  function drawOptions() {
    const parts = [];
    if (study.directions.length > 1 && !["pareto", "hypervolume", "intermediate", "timeline"].includes(state.name)) {
      const select = el("select", { name: "objective", onchange: () => { state.objective = select.value; load(); } },
        el("option", { value: "" }, "all objectives / first"),
        study.directions.map((_, i) => el("option", { value: String(i), selected: state.objective === String(i) },
          (study.metric_names || [])[i] || `Objective ${i}`)));
      parts.push(el("label", {}, "Objective ", select));
    }
    if (PARAM_PLOTS.has(state.name) && study.param_names.length) {
      const select = el("select", { multiple: true, name: "params", size: Math.min(4, study.param_names.length),
        onchange: () => { state.params = [...select.selectedOptions].map((o) => o.value); load(); } },
      study.param_names.map((p) => el("option", { value: p, selected: state.params.includes(p) }, p)));
      parts.push(el("label", { title: "none selected: all (contour: first four)" }, "Parameters ", select));
    }
    if (TOP_PLOTS.has(state.name)) {
      const top = el("input", { type: "number", min: 1, max: 100, step: "any", name: "top", value: state.top, size: 4,
        placeholder: "all", onchange: () => { state.top = top.value; load(); } });
      parts.push(el("label", {}, "Top ", top, " %"));
    }
    if (state.name === "parallel") {
      parts.push(el("label", {}, el("input", { type: "checkbox", name: "log-value", checked: state.logValue,
        onchange: (e) => { state.logValue = e.target.checked; load(); } }), " log objective axis"));
    }
    if (["history", "intermediate"].includes(state.name)) {
      parts.push(el("label", {}, el("input", { type: "checkbox", name: "log-y", checked: state.logY,
        onchange: (e) => { state.logY = e.target.checked; relayoutY(); } }), " log y axis"));
    }
    if (state.name === "timeline") {
      const step = (delta) => () => {
        const current = state.start === "" ? Math.max(0, study.n_trials - 1000) : Number(state.start);
        state.start = String(Math.max(0, Math.min(study.n_trials - 1, current + delta)));
        load();
      };
      parts.push(el("button", { type: "button", onclick: step(-1000) }, "◀ earlier"),
        el("button", { type: "button", onclick: step(1000) }, "later ▶"),
        el("button", { type: "button", onclick: () => { state.start = ""; load(); } }, "latest"));
    }
    clear(options, parts);
  }

  function query() {
    const q = new URLSearchParams();
    if (state.objective !== "") q.set("objective", state.objective);
    let params = state.params;
    if (state.name === "contour" && !params.length) params = study.param_names.slice(0, 4);
    if (PARAM_PLOTS.has(state.name) && params.length) q.set("params", params.join(","));
    if (TOP_PLOTS.has(state.name) && state.top) q.set("top", state.top);
    if (state.name === "parallel" && state.logValue) q.set("log_value", "1");
    if (state.name === "timeline" && state.start !== "") q.set("start", state.start);
    return q;
  }

  async function relayoutY() {
    const Plotly = await loadPlotly();
    if (area.data) Plotly.relayout(area, { "yaxis.type": state.logY ? "log" : "linear" });
  }

  async function load(quiet = false) {
    const mine = ++seq;
    const started = performance.now();
    if (!quiet) {
      area.classList.add("loading");
      note.textContent = `Drawing ${PLOT_TITLES[state.name]} of ${formatValue(study.n_trials)} trials…`;
    }
    try {
      const data = await api.get(`${base}/plots/${state.name}?${query()}`);
      await ready;
      const Plotly = await loadPlotly();
      if (mine !== seq) return;
      const layout = { ...data.figure.layout, autosize: true, margin: { t: 50, r: 20, b: 50, l: 60 } };
      if (state.logY && ["history", "intermediate"].includes(state.name)) layout.yaxis = { ...layout.yaxis, type: "log" };
      await Plotly.react(area, data.figure.data, layout, { responsive: true, displaylogo: false });
      note.textContent = data.note;
    } catch (err) {
      if (mine === seq) note.textContent = `Could not draw: ${err.message}`;
    } finally {
      if (mine === seq) area.classList.remove("loading");
      lastDuration = performance.now() - started;
    }
  }

  drawTabs();
  drawOptions();
  load();
  const node = el("section", { class: "card plots" }, tabs, options, note, area);
  // A plot that took long to draw is redrawn less often, so a big busy study stays responsive.
  const refresh = throttle(() => load(true), () => Math.max(1000, 4 * lastDuration));
  return { node, refresh, update: (s) => { study = s; } };
}

async function studyPage(storage, studyId) {
  const base = `/api/s/${storage}/studies/${studyId}`;
  let study = await api.get(base);
  setCrumbs({ text: "Studies", href: "#/" }, { text: study.name });
  let summary = summaryCard(study);
  const note = noteEditor(() => study.note, async (body, version) => {
    study.note = await api.post(`${base}/note`, { body, version });
    return study.note;
  });
  const table = new TrialTable(base, study, (n) => { location.hash = `#/s/${storage}/${studyId}/t/${n}`; });
  const plots = plotPanel(base, study, Promise.race([table.painted, new Promise((r) => setTimeout(r, 3000))]));
  const danger = info.read_only ? null : el("section", { class: "card" }, el("button", { type: "button", class: "danger",
    onclick: async () => {
      const typed = prompt(`Delete study "${study.name}" and all its trials? Type its name to confirm.`);
      if (typed !== study.name) return;
      const done = await write(() => api.delete(`${base}?confirm=${encodeURIComponent(study.name)}`),
        (err) => notice(main, err.message, "error"));
      if (done) location.hash = "#/";
    } }, "Delete study"));
  clear(main, summary, plots.node, table.node, note.node, artifactCard(base, study.artifacts, null), danger);
  table.render();

  let knownColumns = JSON.stringify([study.param_names, study.user_attr_names]);
  listen(`${base}/events`, async (message) => {
    if (message.version === study.version) return;
    const fresh = await api.get(base).catch(() => null);
    if (!fresh) return;
    study = fresh;
    const next = summaryCard(study);
    summary.replaceWith(next);
    summary = next;
    plots.update(study);
    plots.refresh();
    const columns = JSON.stringify([study.param_names, study.user_attr_names]);
    if (columns !== knownColumns) { knownColumns = columns; table.setStudy(study); }
    table.refresh();
  });
}

function artifactCard(base, artifacts, trialNumber) {
  const prefix = trialNumber === null ? base : `${base}/trials/${trialNumber}`;
  const node = el("section", { class: "card artifacts" }, el("h2", {}, "Artifacts"));
  if (!info.artifacts) {
    node.append(el("p", { class: "muted" }, "Start the dashboard with --artifact-dir to list and upload artifacts."));
    return node;
  }
  const list = el("ul", {}, artifacts.map((a) => el("li", {},
    el("a", { href: `${prefix}/artifacts/${encodeURIComponent(a.artifact_id)}` }, a.filename),
    el("span", { class: "muted" }, ` ${a.mimetype}`),
    a.mimetype.startsWith("image/") && a.mimetype !== "image/svg+xml"
      ? el("img", { src: `${prefix}/artifacts/${encodeURIComponent(a.artifact_id)}`, alt: a.filename, class: "thumb" }) : null)));
  node.append(artifacts.length ? list : el("p", { class: "muted" }, "None."));
  if (!info.read_only) {
    const file = el("input", { type: "file", name: "artifact" });
    node.append(el("div", { class: "row" }, file, el("button", { type: "button", onclick: async () => {
      if (!file.files.length) return;
      const chosen = file.files[0];
      const done = await write(() => api.put(`${prefix}/artifacts?filename=${encodeURIComponent(chosen.name)}`, chosen),
        (err) => notice(node, err.message, "error"));
      if (done) route();
    } }, "Upload")));
  }
  return node;
}

// --- trial page ---------------------------------------------------------------------------------------------

function keyValues(title, object) {
  const entries = Object.entries(object || {});
  return el("section", { class: "card" }, el("h2", {}, title), entries.length
    ? el("table", { class: "kv" }, el("tbody", {}, entries.map(([k, v]) => el("tr", {}, el("th", {}, k), el("td", {}, formatValue(v))))))
    : el("p", { class: "muted" }, "None."));
}

async function trialPage(storage, studyId, number) {
  const base = `/api/s/${storage}/studies/${studyId}`;
  const [study, trial] = await Promise.all([api.get(base), api.get(`${base}/trials/${number}`)]);
  setCrumbs({ text: "Studies", href: "#/" }, { text: study.name, href: `#/s/${storage}/${studyId}` }, { text: `Trial ${number}` });
  const prev = number > 0 ? el("a", { href: `#/s/${storage}/${studyId}/t/${number - 1}` }, "◀ previous") : null;
  const next = number + 1 < study.n_trials ? el("a", { href: `#/s/${storage}/${studyId}/t/${number + 1}` }, "next ▶") : null;
  const head = el("section", { class: "card summary" }, el("h1", {}, `Trial ${number} `, el("span", { class: `chip state-${trial.state}` }, trial.state)),
    el("p", {}, "Values: ", trial.values ? trial.values.map(formatValue).join(", ") : "none"),
    el("p", {}, `Started ${formatTime(trial.datetime_start)}`, trial.datetime_complete ? ` · finished ${formatTime(trial.datetime_complete)}` : "",
      trial.duration !== null ? ` · ${formatDuration(trial.duration)}` : ""),
    trial.heartbeat ? el("p", {}, `Last heartbeat ${formatTime(trial.heartbeat)}`) : null,
    el("p", { class: "row" }, prev, next));
  const curve = el("div", { class: "plot small" });
  const steps = el("section", { class: "card" }, el("h2", {}, "Intermediate values"),
    trial.intermediate_values.length ? curve : el("p", { class: "muted" }, "None reported."));
  const notes = noteEditor(() => trial.note, async (body, version) => {
    trial.note = await api.post(`${base}/trials/${number}/note`, { body, version });
    return trial.note;
  });
  const parts = [head];
  if (trial.state === "RUNNING" && !info.read_only) parts.push(tellCard(base, number, study.directions.length));
  parts.push(keyValues("Parameters", trial.params), steps, keyValues("User attributes", trial.user_attrs),
    keyValues("System attributes", trial.system_attrs), keyValues("Distributions", trial.distributions),
    notes.node, artifactCard(base, trial.artifacts, number));
  clear(main, parts);
  if (trial.intermediate_values.length) {
    const Plotly = await loadPlotly();
    Plotly.react(curve, [{ type: "scatter", mode: "lines+markers", x: trial.intermediate_values.map((s) => s[0]),
      y: trial.intermediate_values.map((s) => s[1]) }],
    { margin: { t: 20, r: 20, b: 40, l: 60 }, xaxis: { title: { text: "Step" } }, yaxis: { title: { text: "Intermediate value" } } },
    { responsive: true, displaylogo: false });
  }
  // A running trial is shown again when its study changes, unless the user is typing values to end it.
  listen(`${base}/events`, (message) => {
    const typing = document.querySelector('input[name="tell-values"]');
    if (message.version === study.version || (typing && typing.value)) return;
    if (trial.state === "RUNNING" || trial.state === "WAITING") route();
  });
}

function tellCard(base, number, nObjectives) {
  const node = el("section", { class: "card" }, el("h2", {}, "End this running trial"));
  const values = el("input", { name: "tell-values", placeholder: nObjectives > 1 ? "v1, v2, …" : "value", size: 16 });
  const send = (state) => async () => {
    const body = { state };
    if (state === "COMPLETE") {
      body.values = values.value.split(",").map((v) => (v.trim() === "" ? NaN : Number(v)));
      if (body.values.some((v) => !Number.isFinite(v))) {
        notice(node, "Enter one number per objective, separated by commas.", "error");
        return;
      }
    }
    const done = await write(() => api.post(`${base}/trials/${number}/tell`, body), (err) => notice(node, err.message, "error"));
    if (done) route();
  };
  node.append(el("div", { class: "row" }, values, el("button", { type: "button", onclick: send("COMPLETE") }, "Complete"),
    el("button", { type: "button", onclick: send("PRUNED") }, "Prune"),
    el("button", { type: "button", class: "danger", onclick: send("FAIL") }, "Fail")));
  return node;
}

// --- compare ------------------------------------------------------------------------------------------------

async function comparePage(ids) {
  setCrumbs({ text: "Studies", href: "#/" }, { text: "Compare" });
  const history = el("div", { class: "plot" });
  const edf = el("div", { class: "plot" });
  clear(main, el("section", { class: "card" }, el("h1", {}, "Compare studies"), history), el("section", { class: "card" }, edf));
  const [Plotly, h, e] = await Promise.all([loadPlotly(), api.get(`/api/compare/history?studies=${ids}`), api.get(`/api/compare/edf?studies=${ids}`)]);
  Plotly.react(history, h.data, { ...h.layout, autosize: true }, { responsive: true, displaylogo: false });
  Plotly.react(edf, e.data, { ...e.layout, autosize: true }, { responsive: true, displaylogo: false });
}

// --- router -------------------------------------------------------------------------------------------------

async function route() {
  if (stream) { stream.close(); stream = null; }
  leave();
  leave = () => {};
  live.textContent = "";
  const hash = location.hash || "#/";
  if (hash.startsWith("#token=")) {
    token.set(decodeURIComponent(hash.slice(7)));
    history.replaceState(null, "", `${location.pathname}#/`);
    updateUnlock();
    return route();
  }
  const [path, search] = hash.slice(1).split("?");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts[0] === "s" && parts.length === 3) await studyPage(Number(parts[1]), Number(parts[2]));
    else if (parts[0] === "s" && parts[3] === "t") await trialPage(Number(parts[1]), Number(parts[2]), Number(parts[4]));
    else if (parts[0] === "compare") await comparePage(new URLSearchParams(search).get("studies") || "");
    else await studyList();
  } catch (err) {
    showError(err);
  }
}

async function start() {
  document.getElementById("unlock").addEventListener("click", () => {
    const value = prompt("Write token (printed by `albacore dashboard` when it started):");
    if (value !== null) token.set(value.trim());
    updateUnlock();
  });
  try {
    info = await api.get("/api/info");
  } catch (err) {
    showError(err);
    return;
  }
  updateUnlock();
  window.addEventListener("hashchange", route);
  await route();
}

start();
