-- Known rows for the dashboards' browser test (tests/dashboards/dashboards_browser_test.cpp): what
-- the metrics stage would have written on 2026-06-15, inserted directly so the pages can be checked
-- against figures fixed here. Flags are TRUE/FALSE and times ISO text, which both stores accept.

INSERT INTO accounts(account_id, name, domain, registrable_domain, industry, country, is_target, tier, created_at, updated_at)
VALUES (1, 'Acme Corp', 'acme.example', 'acme.example', 'Software', 'US', TRUE, '1', '2026-01-05T00:00:00Z', '2026-06-01T00:00:00Z'),
       (2, 'Globex', 'globex.example', 'globex.example', 'Retail', 'DE', FALSE, NULL, '2026-01-07T00:00:00Z', '2026-06-01T00:00:00Z'),
       (3, 'Initech', 'initech.example', 'initech.example', 'Fintech', 'US', TRUE, '2', '2026-01-09T00:00:00Z', '2026-06-01T00:00:00Z');

INSERT INTO contacts(contact_id, account_id, source, external_id, email, first_name, last_name, title, buying_role, created_at, updated_at)
VALUES (1, 1, 'crm', 'c1', 'jane.roe@acme.example', 'Jane', 'Roe', 'CFO', 'decision_maker', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
       (2, 1, 'crm', 'c2', 'john.doe@acme.example', 'John', 'Doe', 'Head of Ops', 'champion', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
       (3, 1, 'crm', 'c3', 'ann.lee@acme.example', 'Ann', 'Lee', 'Analyst', 'champion', '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z'),
       (4, 1, 'crm', 'c4', 'sam.poe@acme.example', 'Sam', 'Poe', NULL, NULL, '2026-01-05T00:00:00Z', '2026-01-05T00:00:00Z');

INSERT INTO opportunities(opportunity_id, account_id, source, external_id, name, stage, type, amount, currency, probability, is_closed, is_won, created_at, closed_at, updated_at)
VALUES (1, 1, 'crm', 'o1', 'Acme pilot', 'Closed Won', 'new_business', 30000, 'USD', 1, TRUE, TRUE, '2026-02-10T00:00:00Z', '2026-03-30T00:00:00Z', '2026-03-30T00:00:00Z'),
       (2, 1, 'crm', 'o2', 'Acme platform deal', 'Negotiation', 'expansion', 125000, 'USD', 0.6, FALSE, FALSE, '2026-04-20T00:00:00Z', NULL, '2026-04-20T00:00:00Z');

INSERT INTO campaigns(campaign_id, source, external_id, name, channel, started_at)
VALUES (1, 'crm', 'k1', 'Spring Webinar Series', 'event', '2026-03-01T00:00:00Z'),
       (2, 'linkedin', 'k2', 'LinkedIn ABM Q2', 'ads', '2026-04-01T00:00:00Z');

INSERT INTO touchpoints(touchpoint_id, account_id, contact_id, campaign_id, source, external_id, channel, activity, occurred_at)
VALUES (1, 1, 1, NULL, 'crm', 't1', 'email', 'email_open', '2026-04-02T09:00:00Z'),
       (2, 1, 2, 2, 'linkedin', 't2', 'ads', 'ad_click', '2026-04-15T10:00:00Z'),
       (3, 1, 2, NULL, 'web', 't3', 'web', 'page_view', '2026-05-03T11:00:00Z'),
       (4, 1, 3, 1, 'crm', 't4', 'event', 'webinar_attend', '2026-05-20T15:00:00Z'),
       (5, 1, 1, NULL, 'crm', 't5', 'sales', 'meeting', '2026-06-10T14:00:00Z'),
       (6, 1, 1, NULL, 'crm', 't6', 'email', 'email_open', '2025-11-02T09:00:00Z');

INSERT INTO account_engagement(account_id, as_of, score, touchpoints, engaged_contacts, channels, score_prev_window)
VALUES (1, '2026-06-15T00:00:00Z', 82.5, 5, 3, 5, 40),
       (2, '2026-06-15T00:00:00Z', 20, 2, 1, 1, 35),
       (3, '2026-06-15T00:00:00Z', 55, 4, 2, 2, 10);
INSERT INTO account_stages(account_id, stage, since)
VALUES (1, 'mqa', '2026-05-02T00:00:00Z'), (2, 'engaged', '2026-04-01T00:00:00Z'), (3, 'engaged', '2026-05-11T00:00:00Z');
INSERT INTO account_stage_history(account_id, stage, entered_at, exited_at)
VALUES (1, 'target', '2026-01-05T00:00:00Z', '2026-02-01T00:00:00Z'),
       (1, 'aware', '2026-02-01T00:00:00Z', '2026-03-10T00:00:00Z'),
       (1, 'engaged', '2026-03-10T00:00:00Z', '2026-05-02T00:00:00Z'),
       (1, 'mqa', '2026-05-02T00:00:00Z', NULL);

INSERT INTO journey_funnel(stage, position, accounts_entered, accounts_reached_next, conversion_rate, median_days_to_next)
VALUES ('target', 1, 40, 30, 0.75, 12.5), ('aware', 2, 30, 18, 0.6, 20), ('engaged', 3, 18, 9, 0.5, 15),
       ('mqa', 4, 9, 5, 0.5555555555555556, 21), ('opportunity', 5, 5, 2, 0.4, 30), ('customer', 6, 2, 0, NULL, NULL);
INSERT INTO metrics_runs(run_id, as_of, started_at, finished_at, mode, settings, accounts, accounts_recomputed, touchpoints, conversions, unattributed, seconds)
VALUES (1, '2026-06-15T00:00:00Z', '2026-06-15T00:00:01Z', '2026-06-15T00:00:02Z', 'full', '{}', 3, 3, 6, 2, 0, 1);

INSERT INTO attribution_channels(model, conversion, channel, conversions, value)
VALUES ('w_shaped', 'revenue', 'ads', 3.5, 210000), ('w_shaped', 'revenue', 'event', 2, 120000), ('w_shaped', 'revenue', 'email', 1, 50000),
       ('first_touch', 'revenue', 'email', 4, 230000), ('first_touch', 'revenue', 'ads', 2.5, 150000);
INSERT INTO attribution_campaigns(model, conversion, campaign_id, conversions, value)
VALUES ('w_shaped', 'revenue', 2, 3.5, 210000), ('w_shaped', 'revenue', 1, 2, 120000), ('w_shaped', 'revenue', NULL, 1, 50000);

-- The KPIs of the run of 2026-06-15: last_90d, qtd and two months, for all, target, non_target and tier:1.
INSERT INTO kpis(as_of, period, period_start, period_end, segment, metric, value) VALUES
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'pipeline_created', 1250000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'opportunities_created', 20),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'won_revenue', 480000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'won_deals', 8),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'win_rate', 0.4),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'avg_deal_size', 60000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'sales_cycle_days_mean', 42.5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'weighted_pipeline', 310000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'pipeline_velocity', 2258.8),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'new_customers', 6),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'ad_spend', 90000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'cac', 15000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'committee_coverage', 2.75),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'engaged_contacts', 37),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'nps', 31.5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'survey_responses', 19),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'conv_aware_to_engaged', 0.5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'conv_engaged_to_mqa', 0.25),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'conv_mqa_to_opportunity', NULL),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'pipeline_created', 900000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'opportunities_created', 12),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'won_revenue', 360000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'won_deals', 5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'win_rate', 0.5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'avg_deal_size', 72000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'sales_cycle_days_mean', 38),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'target', 'new_customers', 5),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'pipeline_created', 350000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'opportunities_created', 8),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'won_revenue', 120000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'won_deals', 3),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'win_rate', 0.25),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'avg_deal_size', 40000),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'sales_cycle_days_mean', 51),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'non_target', 'new_customers', 1),
 ('2026-06-15T00:00:00Z', 'last_90d', '2026-03-17T00:00:00Z', '2026-06-15T00:00:00Z', 'tier:1', 'won_deals', 2),
 ('2026-06-15T00:00:00Z', 'qtd', '2026-04-01T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'forecast_quarter', 720000),
 ('2026-06-15T00:00:00Z', 'qtd', '2026-04-01T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'run_rate_quarter', 650000),
 ('2026-06-15T00:00:00Z', 'qtd', '2026-04-01T00:00:00Z', '2026-06-15T00:00:00Z', 'all', 'won_revenue', 400000),
 ('2026-06-15T00:00:00Z', '2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', 'all', 'pipeline_created', 450000),
 ('2026-06-15T00:00:00Z', '2026-05', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'all', 'pipeline_created', 520000),
 ('2026-06-15T00:00:00Z', '2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', 'target', 'pipeline_created', 300000),
 ('2026-06-15T00:00:00Z', '2026-05', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'target', 'pipeline_created', 400000),
 ('2026-06-15T00:00:00Z', '2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', 'target', 'won_revenue', 100000),
 ('2026-06-15T00:00:00Z', '2026-05', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'target', 'won_revenue', 200000),
 ('2026-06-15T00:00:00Z', '2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', 'all', 'engaged_contacts', 20),
 ('2026-06-15T00:00:00Z', '2026-05', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'all', 'engaged_contacts', 25),
 ('2026-06-15T00:00:00Z', '2026-04', '2026-04-01T00:00:00Z', '2026-05-01T00:00:00Z', 'all', 'committee_coverage', 2.1),
 ('2026-06-15T00:00:00Z', '2026-05', '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z', 'all', 'committee_coverage', 2.4),
 -- Left behind by an older run (its period has rolled off): no page may show it.
 ('2026-05-15T00:00:00Z', '2025-05', '2025-05-01T00:00:00Z', '2025-06-01T00:00:00Z', 'all', 'pipeline_created', 987654);

INSERT INTO campaign_performance(as_of, period, campaign_id, channel, spend, impressions, clicks, ctr, cpc, cpm, accounts_reached, accounts_engaged, influenced_pipeline, sourced_pipeline, attributed_pipeline, attributed_revenue, roas, roi, cac) VALUES
 ('2026-06-15T00:00:00Z', 'last_90d', 1, 'event', 20000, 0, 0, NULL, NULL, NULL, 14, 9, 500000, 200000, 300000, 120000, 6, 5, NULL),
 ('2026-06-15T00:00:00Z', 'last_90d', 2, 'ads', 70000, 1000000, 5000, 0.005, 14, 70, 30, 12, 800000, 250000, 450000, 210000, 3, 2, NULL),
 ('2026-06-15T00:00:00Z', 'last_90d', NULL, 'event', 20000, 0, 0, NULL, NULL, NULL, 14, 9, 500000, 200000, 300000, 120000, 6, 5, 10000),
 ('2026-06-15T00:00:00Z', 'last_90d', NULL, 'ads', 70000, 1000000, 5000, 0.005, 14, 70, 30, 12, 800000, 250000, 450000, 210000, 3, 2, 17500),
 ('2026-05-15T00:00:00Z', 'last_90d', 2, 'ads', 55555, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, NULL);
