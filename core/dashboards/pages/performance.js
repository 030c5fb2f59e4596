// The performance page (/performance): the journey funnel with its drop-off and days between
// stages, the period's stage conversions, the engagement trend month by month, the top and rising
// accounts, committee coverage and NPS.
"use strict";

Dash.run(async () => {
  const {period, segment} = Dash.filters;
  const {fmt} = Dash;
  const choices = await Dash.all("/api/v1/kpis?metric=committee_coverage");
  Dash.header("/performance", Dash.choicesFrom(choices.items));
  const kpis = await Dash.all("/api/v1/kpis?period=" + encodeURIComponent(period) + "&segment=" + encodeURIComponent(segment));
  Dash.asOf(kpis.as_of || choices.as_of);
  const v = Dash.kpiLookup(kpis.items);

  Dash.cards(document.getElementById("headline"), [
    {metric: "committee_coverage", label: "Committee coverage (roles)", text: fmt.number(v(segment, "committee_coverage"), 2)},
    {metric: "engaged_contacts", label: "Engaged contacts", text: fmt.number(v(segment, "engaged_contacts"))},
    {metric: "nps", label: "NPS", text: fmt.number(v(segment, "nps"), 1)},
    {metric: "survey_responses", label: "Survey responses", text: fmt.number(v(segment, "survey_responses"))},
  ]);

  const funnel = await Dash.api("/api/v1/funnel");
  Dash.table(document.getElementById("funnel-table"), [
    {label: "Stage", value: (r) => r.stage},
    {label: "Accounts", numeric: true, value: (r) => fmt.number(r.accounts_entered)},
    {label: "Went further", numeric: true, value: (r) => fmt.number(r.accounts_reached_next)},
    {label: "Drop-off", numeric: true, value: (r) => fmt.percent(Dash.isNum(r.conversion_rate) ? 1 - r.conversion_rate : null)},
    {label: "Median days to next", numeric: true, value: (r) => fmt.days(r.median_days_to_next)},
  ], funnel.items);
  if (funnel.items.length)
    Dash.chart(document.getElementById("funnel-chart"), {
      type: "bar",
      data: {
        labels: funnel.items.map((r) => r.stage),
        datasets: [{label: "Entered", data: funnel.items.map((r) => r.accounts_entered)},
                   {label: "Went further", data: funnel.items.map((r) => r.accounts_reached_next)}],
      },
    });

  const conversions = [
    ["conv_aware_to_engaged", "Aware → engaged"],
    ["conv_engaged_to_mqa", "Engaged → MQA"],
    ["conv_mqa_to_opportunity", "MQA → opportunity"],
    ["conv_opportunity_to_customer", "Opportunity → customer"],
    ["conv_target_to_customer", "Target → customer"],
  ].filter(([m]) => kpis.items.some((r) => r.metric === m));
  Dash.table(document.getElementById("conversion-table"), [
    {label: "Of the accounts entering", value: (r) => r[1]},
    {label: "Reached the next by now", numeric: true, value: (r) => fmt.percent(v(segment, r[0]))},
  ], conversions);

  // Engagement month by month: the months of the last run for the chosen segment.
  const monthly = async (metric) => (await Dash.all("/api/v1/kpis?segment=" + encodeURIComponent(segment) + "&metric=" + metric))
    .items.filter((r) => /^\d{4}-\d{2}$/.test(r.period)).sort((a, b) => a.period.localeCompare(b.period));
  const engaged = await monthly("engaged_contacts");
  const coverage = new Map((await monthly("committee_coverage")).map((r) => [r.period, r.value]));
  Dash.table(document.getElementById("trend-table"), [
    {label: "Month", value: (r) => r.period},
    {label: "Engaged contacts", numeric: true, value: (r) => fmt.number(r.value)},
    {label: "Committee coverage", numeric: true, value: (r) => fmt.number(coverage.get(r.period), 2)},
  ], engaged);
  if (engaged.length)
    Dash.chart(document.getElementById("trend-chart"), {
      type: "line",
      data: {
        labels: engaged.map((r) => r.period),
        datasets: [{label: "Engaged contacts", data: engaged.map((r) => r.value), yAxisID: "y"},
                   {label: "Committee coverage", data: engaged.map((r) => coverage.get(r.period)), yAxisID: "y1"}],
      },
      options: {scales: {y: {beginAtZero: true}, y1: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false}}}},
    });

  // Top and rising accounts; the engagement list filters by target and tier, not by saved segment.
  let filter = "";
  if (segment === "target") filter = "&is_target=true";
  else if (segment === "non_target") filter = "&is_target=false";
  else if (segment.startsWith("tier:")) filter = "&tier=" + encodeURIComponent(segment.slice(5));
  const accountColumns = (extra) => [
    {label: "Account", value: (r) => r.name || r.domain || "account " + r.account_id, href: (r) => Dash.link("/accounts/" + r.account_id)},
    {label: "Stage", value: (r) => fmt.text(r.stage)},
    {label: "Score", numeric: true, value: (r) => fmt.number(r.score, 1)},
    extra,
  ];
  const scope = segment.startsWith("segment:") ? "All accounts (the lists filter by target and tier only)." : undefined;
  const top = (await Dash.api("/api/v1/engagement?sort=-score&limit=10" + filter)).items;
  Dash.table(document.getElementById("top-table"),
             accountColumns({label: "Engaged contacts", numeric: true, value: (r) => fmt.number(r.engaged_contacts)}), top,
             "No engagement scores yet.");
  const rising = (await Dash.api("/api/v1/engagement?sort=-score_change&limit=10" + filter)).items.filter((r) => r.score_change > 0);
  Dash.table(document.getElementById("rising-table"),
             accountColumns({label: "Change", numeric: true, value: (r) => "+" + fmt.number(r.score_change, 1)}), rising,
             "No account's score rose over the last window.");
  if (scope) for (const id of ["top-table", "rising-table"]) document.getElementById(id).prepend(Dash.el("p", {className: "hint", text: scope}));
});
