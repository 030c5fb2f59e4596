// The account page (/accounts/{account_id}): the account's touchpoints across channels in the
// period (a chart by month and channel, and the latest touches), its stage history, its contacts by
// buying role and its opportunities.
"use strict";

Dash.run(async () => {
  const {period} = Dash.filters;
  const {fmt} = Dash;
  const id = decodeURIComponent(location.pathname.split("/").pop());
  const choices = await Dash.all("/api/v1/kpis?segment=all&metric=pipeline_created");
  Dash.header("", Dash.choicesFrom(choices.items));
  const account = await Dash.api("/api/v1/accounts/" + encodeURIComponent(id));
  document.title = "abmd · " + (account.name || account.domain || "account " + account.account_id);
  document.getElementById("account-name").textContent = account.name || account.domain || "Account " + account.account_id;
  Dash.asOf(account.engagement ? account.engagement.as_of : null);
  Dash.cards(document.getElementById("headline"), [
    {metric: "domain", label: "Domain", text: fmt.text(account.domain)},
    {metric: "target", label: "Target account", text: account.is_target ? "yes" : "no"},
    {metric: "tier", label: "Tier", text: fmt.text(account.tier)},
    {metric: "stage", label: "Stage", text: fmt.text(account.stage)},
    {metric: "score", label: "Engagement score", text: fmt.number(account.score, 1)},
    {metric: "touchpoints", label: "Touchpoints (all time)", text: fmt.number(account.touchpoints_total)},
  ]);

  // The period's bounds as the last KPI run wrote them; all time when it has not written that period.
  const bounds = choices.items.find((r) => r.period === period);
  let path = "/api/v1/accounts/" + encodeURIComponent(id) + "/touchpoints?limit=1000";
  if (bounds) path += "&since=" + encodeURIComponent(bounds.period_start) + "&until=" + encodeURIComponent(bounds.period_end);
  const touches = (await Dash.api(path)).items;
  const months = [...new Set(touches.map((t) => t.occurred_at.slice(0, 7)))].sort();
  const channels = [...new Set(touches.map((t) => t.channel))].sort();
  if (touches.length)
    Dash.chart(document.getElementById("timeline-chart"), {
      type: "bar",
      data: {
        labels: months,
        datasets: channels.map((c) => ({label: c, data: months.map((m) => touches.filter((t) => t.channel === c && t.occurred_at.startsWith(m)).length)})),
      },
      options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, ticks: {precision: 0}}}},
    });
  Dash.table(document.getElementById("timeline-table"), [
    {label: "When", value: (t) => String(t.occurred_at).replace("T", " ").replace("Z", "")},
    {label: "Channel", value: (t) => t.channel},
    {label: "Activity", value: (t) => t.activity},
    {label: "Contact", value: (t) => fmt.text(t.contact_email)},
    {label: "Campaign", value: (t) => fmt.text(t.campaign_name)},
  ], touches.slice(0, 50), bounds ? "No touchpoints in " + period + "." : "No touchpoints.");

  Dash.table(document.getElementById("stage-table"), [
    {label: "Stage", value: (s) => s.stage},
    {label: "Entered", value: (s) => fmt.date(s.entered_at)},
    {label: "Left", value: (s) => (s.exited_at ? fmt.date(s.exited_at) : "current")},
  ], account.stage_history, "No data yet: the metrics stage has not written this account's stages.");

  const role = (c) => c.buying_role || "unknown";
  const contacts = account.contacts.slice().sort((a, b) => role(a).localeCompare(role(b)));
  Dash.table(document.getElementById("contacts-table"), [
    {label: "Buying role", value: role},
    {label: "Name", value: (c) => [c.first_name, c.last_name].filter(Boolean).join(" ") || "—"},
    {label: "Title", value: (c) => fmt.text(c.title)},
    {label: "Email", value: (c) => fmt.text(c.email)},
  ], contacts, "No contacts.");
  const roles = [...new Set(contacts.map(role))];
  if (roles.length)
    Dash.chart(document.getElementById("roles-chart"), {
      type: "bar",
      data: {labels: roles, datasets: [{label: "Contacts", data: roles.map((r) => contacts.filter((c) => role(c) === r).length)}]},
      options: {plugins: {legend: {display: false}}, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}},
    });

  Dash.table(document.getElementById("opportunities-table"), [
    {label: "Opportunity", value: (o) => fmt.text(o.name)},
    {label: "Type", value: (o) => fmt.text(o.type)},
    {label: "Stage", value: (o) => fmt.text(o.stage)},
    {label: "Amount", numeric: true, value: (o) => fmt.money(o.amount)},
    {label: "Created", value: (o) => fmt.date(o.created_at)},
    {label: "Closed", value: (o) => (o.is_closed ? fmt.date(o.closed_at) + (o.is_won ? " (won)" : " (lost)") : "open")},
  ], account.opportunities, "No opportunities.");
});
