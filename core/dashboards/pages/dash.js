// What every dashboard page shares: reading the read API (the browser sends the token cookie),
// the period and segment filter kept in the page's address, number formats, tables that say "no data
// yet" when the metrics stage has not written anything, and charts drawn by Chart.js when the daemon
// could serve it. Data only ever reaches the page through textContent, never as HTML.
"use strict";

const Dash = (() => {
  const errors = [];

  // Anything that goes wrong on the page is shown on it (and counted for the browser tests).
  function report(message) {
    errors.push(message);
    document.body.dataset.errors = String(errors.length);
    const box = document.getElementById("errors");
    if (!box) return;
    box.hidden = false;
    const line = document.createElement("div");
    line.textContent = message;
    box.appendChild(line);
  }
  window.addEventListener("error", (e) => report(e.message || "an error on the page"));
  window.addEventListener("unhandledrejection", (e) => report(String(e.reason && e.reason.message || e.reason)));

  const query = new URLSearchParams(location.search);
  const filters = {period: query.get("period") || "last_90d", segment: query.get("segment") || "all"};

  // A path with the current filters, for links between the pages.
  function link(path) {
    const q = new URLSearchParams({period: filters.period, segment: filters.segment});
    return path + "?" + q.toString();
  }

  async function api(path) {
    const response = await fetch(path, {credentials: "same-origin", headers: {Accept: "application/json"}});
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = null;
    }
    if (!response.ok) {
      const why = body && body.error ? body.error.message : response.statusText;
      if (response.status === 401) throw new Error("not signed in: open this page with ?token=<token> (" + why + ")");
      throw new Error(path + ": " + response.status + " " + why);
    }
    return body;
  }

  // Every page of a list: {as_of, items}.
  async function all(path) {
    const items = [];
    let asOf = null;
    let cursor = null;
    do {
      const sep = path.includes("?") ? "&" : "?";
      const page = await api(path + (cursor ? sep + "cursor=" + encodeURIComponent(cursor) : ""));
      if (page.as_of !== undefined) asOf = page.as_of;
      items.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return {as_of: asOf, items};
  }

  const isNum = (v) => typeof v === "number" && isFinite(v);
  const fmt = {
    number: (v, digits = 0) =>
      isNum(v) ? v.toLocaleString("en-US", {maximumFractionDigits: digits, minimumFractionDigits: 0}) : "—",
    money: (v) => (isNum(v) ? v.toLocaleString("en-US", {maximumFractionDigits: 0}) : "—"),
    percent: (v) => (isNum(v) ? (v * 100).toFixed(1) + "%" : "—"),
    ratio: (v) => (isNum(v) ? v.toFixed(2) + "×" : "—"),
    days: (v) => (isNum(v) ? v.toFixed(1) + " d" : "—"),
    lift: (a, b) => (isNum(a) && isNum(b) && b !== 0 ? ((a / b - 1) * 100 >= 0 ? "+" : "") + ((a / b - 1) * 100).toFixed(0) + "%" : "—"),
    date: (v) => (v ? String(v).slice(0, 10) : "—"),
    text: (v) => (v === null || v === undefined || v === "" ? "—" : String(v)),
  };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "text") node.textContent = v;
      else if (k === "className") node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  // A table of `rows` under `columns` [{label, value(row) -> text, numeric?, href?(row)}], or a "no
  // data yet" line when there are no rows.
  function table(holder, columns, rows, empty) {
    holder.replaceChildren();
    if (!rows.length) {
      holder.append(el("p", {className: "nodata", text: empty || "No data yet: the metrics stage has not written these figures."}));
      return;
    }
    const head = el("tr", {}, ...columns.map((c) => el("th", {className: c.numeric ? "num" : "", text: c.label})));
    const body = rows.map((r) =>
      el("tr", {}, ...columns.map((c) => {
        const cell = el("td", {className: c.numeric ? "num" : ""});
        const text = c.value(r);
        if (c.href && c.href(r)) cell.append(el("a", {href: c.href(r), text}));
        else cell.textContent = text;
        return cell;
      })));
    holder.append(el("table", {}, el("thead", {}, head), el("tbody", {}, ...body)));
  }

  // Figure cards: [{metric, label, text}] into `holder`.
  function cards(holder, list) {
    holder.replaceChildren(...list.map((c) =>
      el("div", {className: "card", "data-metric": c.metric},
         el("div", {className: "label", text: c.label}), el("div", {className: "value", text: c.text}))));
  }

  const palette = ["#2563eb", "#f97316", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#64748b"];
  let chartNoticeShown = false;

  // A chart into `holder` (a .chart box), or a note that charts are unavailable when Chart.js is not.
  function chart(holder, config) {
    holder.replaceChildren();
    if (typeof window.Chart !== "function") {
      holder.classList.add("nochart");
      holder.append(el("p", {className: "nodata", text: "Chart unavailable (see the table)."}));
      if (!chartNoticeShown) {
        chartNoticeShown = true;
        const notice = document.getElementById("chart-notice");
        if (notice) notice.hidden = false;
      }
      return null;
    }
    // Chart.js draws text in pixels: follow the page's type, which grows on wide screens.
    window.Chart.defaults.font.size = Math.round(0.8 * parseFloat(getComputedStyle(document.documentElement).fontSize));
    const canvas = el("canvas");
    holder.append(canvas);
    config.options = Object.assign({animation: false, responsive: true, maintainAspectRatio: false}, config.options || {});
    (config.data.datasets || []).forEach((d, i) => {
      if (!d.backgroundColor) d.backgroundColor = d.colors || palette[i % palette.length];
      if (!d.borderColor) d.borderColor = palette[i % palette.length];
      delete d.colors;
    });
    return new window.Chart(canvas, config);
  }

  // The KPI rows of a period as a lookup: value(segment, metric) is the number, or null.
  function kpiLookup(items) {
    const map = new Map(items.map((r) => [r.segment + "|" + r.metric, r.value]));
    return (segment, metric) => (map.has(segment + "|" + metric) ? map.get(segment + "|" + metric) : null);
  }

  // The nav bar and the period and segment pickers; choosing one reloads the page with it.
  function header(current, choices) {
    const nav = document.getElementById("nav");
    const pages = [["/", "Executive"], ["/campaigns", "Campaigns"], ["/performance", "Performance"]];
    nav.replaceChildren(el("span", {className: "brand", text: "abmd"}),
      ...pages.map(([p, label]) => el("a", {href: link(p), className: p === current ? "current" : "", text: label})));
    const form = document.getElementById("filters");
    form.replaceChildren();
    const pick = (name, label, values) => {
      const select = el("select", {name, id: "filter-" + name});
      const options = values.includes(filters[name]) ? values : [filters[name], ...values];
      for (const v of options) {
        const option = el("option", {value: v, text: v});
        if (v === filters[name]) option.selected = true;
        select.append(option);
      }
      select.addEventListener("change", () => {
        filters[name] = select.value;
        location.search = new URLSearchParams({period: filters.period, segment: filters.segment}).toString();
      });
      form.append(el("label", {text: label + " "}, select));
    };
    pick("period", "Period", choices.periods);
    pick("segment", "Segment", choices.segments);
  }

  // The periods and segments the last KPI run wrote, for the pickers (sensible defaults before any).
  function choicesFrom(kpiItems) {
    const periods = [...new Set(kpiItems.map((r) => r.period))];
    const order = (p) => (p === "last_90d" ? 0 : p === "last_365d" ? 1 : p === "qtd" ? 2 : 3);
    periods.sort((a, b) => order(a) - order(b) || b.localeCompare(a));
    const segments = [...new Set(kpiItems.map((r) => r.segment))].sort((a, b) =>
      (a === "all" ? -2 : a === "target" ? -1 : 0) - (b === "all" ? -2 : b === "target" ? -1 : 0) || a.localeCompare(b));
    return {
      periods: periods.length ? periods : ["last_90d", "last_365d", "qtd"],
      segments: segments.length ? segments : ["all", "target", "non_target"],
    };
  }

  function asOf(text) {
    const node = document.getElementById("as-of");
    if (node) node.textContent = text ? "as of " + String(text).replace("T", " ").replace("Z", " UTC") : "no metrics run yet";
  }

  // Runs the page's loader; whatever happens the page ends in a settled state the tests can see.
  async function run(main) {
    try {
      await main();
    } catch (e) {
      report(e.message || String(e));
    } finally {
      document.body.dataset.state = "ready";
    }
  }

  return {filters, link, api, all, fmt, el, table, cards, chart, kpiLookup, header, choicesFrom, asOf, run, palette, isNum};
})();
