// The campaign page (/campaigns): spend, reach, engagement, attributed pipeline and revenue, ROAS and
// ROI per campaign and per channel for the period (campaign_performance), the chosen segment's
// headline beside them, and the attribution of every conversion under a model picked on the page.
"use strict";

const kRuleModels = ["first_touch", "last_touch", "linear", "time_decay", "position_based", "u_shaped",
                     "w_shaped", "full_path", "j_shaped", "inverse_j"];

Dash.run(async () => {
  const {period, segment} = Dash.filters;
  const {fmt} = Dash;
  const choices = await Dash.all("/api/v1/kpis?metric=pipeline_created");
  Dash.header("/campaigns", Dash.choicesFrom(choices.items));
  const performance = await Dash.all("/api/v1/campaign-performance?period=" + encodeURIComponent(period));
  Dash.asOf(performance.as_of || choices.as_of);
  const campaigns = performance.items.filter((r) => r.campaign_id !== null);
  const channels = performance.items.filter((r) => r.campaign_id === null);

  const v = Dash.kpiLookup((await Dash.all("/api/v1/kpis?period=" + encodeURIComponent(period) +
                                           "&segment=" + encodeURIComponent(segment))).items);
  const cac = Dash.kpiLookup((await Dash.all("/api/v1/kpis?period=" + encodeURIComponent(period) + "&segment=all&metric=cac")).items);
  const total = (key) => channels.reduce((s, r) => s + (r[key] || 0), 0);
  Dash.cards(document.getElementById("headline"), [
    {metric: "spend", label: "Spend (all channels)", text: channels.length ? fmt.money(total("spend")) : "—"},
    {metric: "attributed_revenue", label: "Attributed revenue", text: channels.length ? fmt.money(total("attributed_revenue")) : "—"},
    {metric: "pipeline_created", label: "Pipeline created (" + segment + ")", text: fmt.money(v(segment, "pipeline_created"))},
    {metric: "won_revenue", label: "Won revenue (" + segment + ")", text: fmt.money(v(segment, "won_revenue"))},
    {metric: "cac", label: "CAC (all accounts)", text: fmt.money(cac("all", "cac"))},
  ]);

  const figures = [
    {label: "Spend", numeric: true, value: (r) => fmt.money(r.spend)},
    {label: "Impressions", numeric: true, value: (r) => fmt.number(r.impressions)},
    {label: "Clicks", numeric: true, value: (r) => fmt.number(r.clicks)},
    {label: "CTR", numeric: true, value: (r) => fmt.percent(r.ctr)},
    {label: "CPC", numeric: true, value: (r) => fmt.number(r.cpc, 2)},
    {label: "Reached", numeric: true, value: (r) => fmt.number(r.accounts_reached)},
    {label: "Engaged", numeric: true, value: (r) => fmt.number(r.accounts_engaged)},
    {label: "Influenced pipeline", numeric: true, value: (r) => fmt.money(r.influenced_pipeline)},
    {label: "Sourced pipeline", numeric: true, value: (r) => fmt.money(r.sourced_pipeline)},
    {label: "Attributed pipeline", numeric: true, value: (r) => fmt.money(r.attributed_pipeline)},
    {label: "Attributed revenue", numeric: true, value: (r) => fmt.money(r.attributed_revenue)},
    {label: "ROAS", numeric: true, value: (r) => fmt.ratio(r.roas)},
    {label: "ROI", numeric: true, value: (r) => fmt.percent(r.roi)},
    {label: "CAC", numeric: true, value: (r) => fmt.money(r.cac)},
  ];
  Dash.table(document.getElementById("campaign-table"),
             [{label: "Campaign", value: (r) => r.campaign_name || "campaign " + r.campaign_id},
              {label: "Channel", value: (r) => fmt.text(r.channel)}, ...figures], campaigns);
  Dash.table(document.getElementById("channel-table"), [{label: "Channel", value: (r) => fmt.text(r.channel)}, ...figures], channels);

  const top = campaigns.slice(0, 15);
  if (top.length)
    Dash.chart(document.getElementById("campaign-chart"), {
      type: "bar",
      data: {
        labels: top.map((r) => r.campaign_name || "campaign " + r.campaign_id),
        datasets: [{label: "Spend", data: top.map((r) => r.spend)},
                   {label: "Attributed revenue", data: top.map((r) => r.attributed_revenue)}],
      },
    });
  if (channels.length)
    Dash.chart(document.getElementById("channel-chart"), {
      type: "bar",
      data: {
        labels: channels.map((r) => r.channel),
        datasets: [{label: "ROAS", data: channels.map((r) => r.roas)}, {label: "ROI", data: channels.map((r) => r.roi)}],
      },
    });

  // Attribution under the model picked here (the KPI tables use metrics.kpi_model).
  const model = document.getElementById("model");
  for (const m of [...kRuleModels, "markov", "shapley"]) model.append(Dash.el("option", {value: m, text: m}));
  // The model and conversion start from the address (?model=, ?conversion=) and are kept there.
  const query = new URLSearchParams(location.search);
  model.value = kRuleModels.concat(["markov", "shapley"]).includes(query.get("model")) ? query.get("model") : "w_shaped";
  const conversion = document.getElementById("conversion");
  conversion.value = query.get("conversion") === "pipeline" ? "pipeline" : "revenue";
  const showModel = async () => {
    query.set("model", model.value);
    query.set("conversion", conversion.value);
    history.replaceState(null, "", "?" + query.toString());
    const byChannel = await Dash.all("/api/v1/attribution?by=channel&model=" + model.value + "&conversion=" + conversion.value);
    const byCampaign = kRuleModels.includes(model.value)
      ? (await Dash.all("/api/v1/attribution?by=campaign&model=" + model.value + "&conversion=" + conversion.value)).items
      : [];
    const rows = byChannel.items.map((r) => ({what: "channel " + r.channel, conversions: r.conversions, value: r.value}))
      .concat(byCampaign.map((r) => ({what: r.campaign_name || (r.campaign_id === null ? "no campaign" : "campaign " + r.campaign_id),
                                      conversions: r.conversions, value: r.value})));
    Dash.table(document.getElementById("model-table"), [
      {label: "Channel or campaign", value: (r) => r.what},
      {label: "Conversions credited", numeric: true, value: (r) => fmt.number(r.conversions, 2)},
      {label: "Value credited", numeric: true, value: (r) => fmt.money(r.value)},
    ], rows);
    if (byChannel.items.length)
      Dash.chart(document.getElementById("model-chart"), {
        type: "doughnut",
        data: {labels: byChannel.items.map((r) => r.channel),
               datasets: [{label: "Value credited", data: byChannel.items.map((r) => r.value), colors: Dash.palette}]},
      });
    else document.getElementById("model-chart").replaceChildren();
  };
  model.addEventListener("change", () => Dash.run(showModel));
  conversion.addEventListener("change", () => Dash.run(showModel));
  await showModel();
});
