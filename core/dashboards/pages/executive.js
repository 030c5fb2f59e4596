// The executive page (/): the period's headline KPIs of the chosen segment, target against
// non-target accounts with the lift, pipeline and revenue from target accounts month by month, the
// funnel of target accounts, the quarter's forecast and the customer acquisition cost.
"use strict";

Dash.run(async () => {
  const {period, segment} = Dash.filters;
  const {fmt} = Dash;
  const everyPeriod = await Dash.all("/api/v1/kpis?segment=all&metric=pipeline_created");
  const kpis = await Dash.all("/api/v1/kpis?period=" + encodeURIComponent(period));
  const allSegments = await Dash.all("/api/v1/kpis?period=" + encodeURIComponent(period) + "&metric=won_deals");
  Dash.header("/", Dash.choicesFrom(everyPeriod.items.concat(allSegments.items)));
  Dash.asOf(kpis.as_of || everyPeriod.as_of);
  const v = Dash.kpiLookup(kpis.items);

  Dash.cards(document.getElementById("headline"), [
    {metric: "pipeline_created", label: "Pipeline created", text: fmt.money(v(segment, "pipeline_created"))},
    {metric: "won_revenue", label: "Won revenue", text: fmt.money(v(segment, "won_revenue"))},
    {metric: "win_rate", label: "Win rate", text: fmt.percent(v(segment, "win_rate"))},
    {metric: "avg_deal_size", label: "Average deal size", text: fmt.money(v(segment, "avg_deal_size"))},
    {metric: "sales_cycle_days_mean", label: "Sales cycle (mean)", text: fmt.days(v(segment, "sales_cycle_days_mean"))},
    {metric: "weighted_pipeline", label: "Weighted pipeline", text: fmt.money(v(segment, "weighted_pipeline"))},
    {metric: "pipeline_velocity", label: "Pipeline velocity / day", text: fmt.money(v(segment, "pipeline_velocity"))},
    {metric: "new_customers", label: "New customers", text: fmt.number(v(segment, "new_customers"))},
  ]);

  // Target against non-target, side by side, with the lift of targets over the rest.
  const compared = [
    ["win_rate", "Win rate", fmt.percent],
    ["avg_deal_size", "Average deal size", fmt.money],
    ["sales_cycle_days_mean", "Sales cycle (mean)", fmt.days],
    ["opportunities_created", "Opportunities created", fmt.number],
    ["pipeline_created", "Pipeline created", fmt.money],
    ["won_revenue", "Won revenue", fmt.money],
  ];
  const splitRows = compared.filter(([m]) => v("target", m) !== null || v("non_target", m) !== null);
  Dash.table(document.getElementById("split-table"), [
    {label: "Metric", value: (r) => r[1]},
    {label: "Target", numeric: true, value: (r) => r[2](v("target", r[0]))},
    {label: "Non-target", numeric: true, value: (r) => r[2](v("non_target", r[0]))},
    {label: "Lift", numeric: true, value: (r) => fmt.lift(v("target", r[0]), v("non_target", r[0]))},
  ], splitRows);
  const sideBySide = (holder, metric, label, scale) =>
    Dash.chart(document.getElementById(holder), {
      type: "bar",
      data: {labels: ["Target", "Non-target"],
             datasets: [{label, data: [v("target", metric), v("non_target", metric)].map((x) => (Dash.isNum(x) ? x * scale : null)),
                         colors: [Dash.palette[0], Dash.palette[1]]}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}, title: {display: true, text: label}}, scales: {x: {beginAtZero: true}}},
    });
  if (splitRows.length) {
    sideBySide("split-rate-chart", "win_rate", "Win rate (%)", 100);
    sideBySide("split-size-chart", "avg_deal_size", "Average deal size", 1);
  }

  // Pipeline and revenue from target accounts: the period's share, and the months before it.
  const share = (m) => (Dash.isNum(v("target", m)) && v("all", m) ? v("target", m) / v("all", m) : null);
  const targetRows = [["pipeline_created", "Pipeline created"], ["won_revenue", "Won revenue"], ["new_customers", "New customers"]]
    .filter(([m]) => v("target", m) !== null || v("all", m) !== null);
  Dash.table(document.getElementById("target-table"), [
    {label: "", value: (r) => r[1]},
    {label: "Target accounts", numeric: true, value: (r) => fmt.money(v("target", r[0]))},
    {label: "All accounts", numeric: true, value: (r) => fmt.money(v("all", r[0]))},
    {label: "Target share", numeric: true, value: (r) => fmt.percent(share(r[0]))},
  ], targetRows);
  const monthly = async (metric) =>
    (await Dash.all("/api/v1/kpis?segment=target&metric=" + metric)).items.filter((r) => /^\d{4}-\d{2}$/.test(r.period));
  const pipelineByMonth = await monthly("pipeline_created");
  const revenueByMonth = new Map((await monthly("won_revenue")).map((r) => [r.period, r.value]));
  pipelineByMonth.sort((a, b) => a.period.localeCompare(b.period));
  if (pipelineByMonth.length)
    Dash.chart(document.getElementById("target-chart"), {
      type: "bar",
      data: {
        labels: pipelineByMonth.map((r) => r.period),
        datasets: [
          {label: "Pipeline created (target)", data: pipelineByMonth.map((r) => r.value || 0)},
          {label: "Won revenue (target)", data: pipelineByMonth.map((r) => revenueByMonth.get(r.period) || 0)},
        ],
      },
    });

  // The journey funnel of target accounts (all time, as of the last run).
  const funnel = await Dash.api("/api/v1/funnel");
  Dash.table(document.getElementById("funnel-table"), [
    {label: "Stage", value: (r) => r.stage},
    {label: "Accounts", numeric: true, value: (r) => fmt.number(r.accounts_entered)},
    {label: "Went further", numeric: true, value: (r) => fmt.number(r.accounts_reached_next)},
    {label: "Conversion", numeric: true, value: (r) => fmt.percent(r.conversion_rate)},
  ], funnel.items);
  if (funnel.items.length)
    Dash.chart(document.getElementById("funnel-chart"), {
      type: "bar",
      data: {labels: funnel.items.map((r) => r.stage), datasets: [{label: "Accounts", data: funnel.items.map((r) => r.accounts_entered)}]},
      options: {indexAxis: "y", plugins: {legend: {display: false}}},
    });

  // The quarter so far (period qtd) for the chosen segment.
  const quarter = Dash.kpiLookup((await Dash.all("/api/v1/kpis?period=qtd&segment=" + encodeURIComponent(segment))).items);
  const forecastRows = [
    ["forecast_quarter", "Forecast for the quarter"],
    ["run_rate_quarter", "Run rate for the quarter"],
    ["won_revenue", "Won so far"],
    ["weighted_pipeline", "Weighted open pipeline"],
  ].filter(([m]) => quarter(segment, m) !== null);
  Dash.table(document.getElementById("forecast"), [
    {label: "", value: (r) => r[1]},
    {label: segment, numeric: true, value: (r) => fmt.money(quarter(segment, r[0]))},
  ], forecastRows, "No quarter figures yet.");

  // CAC is computed over every account (segment all).
  const cacRows = [
    ["ad_spend", "Ad spend", fmt.money],
    ["new_customers", "New customers", fmt.number],
    ["cac", "Customer acquisition cost", fmt.money],
  ].filter(([m]) => v("all", m) !== null || m === "cac");
  Dash.table(document.getElementById("cac"), [
    {label: "", value: (r) => r[1]},
    {label: "All accounts", numeric: true, value: (r) => r[2](v("all", r[0]))},
  ], kpis.items.length ? cacRows : []);
});
