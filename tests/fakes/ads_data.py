"""The fake ad platforms' data set (Google Ads, LinkedIn Ads), part of the fake CRM server's state:
seed_ads() builds it, update_ads() changes it. Metric days are the last ten UTC days, so that the
plugins' first syncs (a date range ending today) and look-back windows find them."""
import calendar
import time

DAY = 86400


def utc_day(offset=0):
    """'YYYY-MM-DD' of today (UTC) minus offset days."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() - offset * DAY))


def change_time(secs):
    """Google Ads' change_status time: 'YYYY-MM-DD HH:MM:SS.ffffff' (the fake account's zone is UTC)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(secs)) + ".%06d" % int((secs % 1) * 1e6)


def seed_ads(params):
    long_ago = time.time() - 200 * DAY
    gads_campaigns = {
        "111": {"name": "Brand Search", "status": "ENABLED", "advertising_channel_type": "SEARCH",
                "start": "2024-01-01", "end": None, "changed": long_ago},
        "222": {"name": "ABM Display", "status": "ENABLED", "advertising_channel_type": "DISPLAY",
                "start": "2024-02-01", "end": "2026-12-31", "changed": long_ago},
        "333": {"name": "Old test", "status": "REMOVED", "advertising_channel_type": "SEARCH",
                "start": "2023-05-01", "end": "2023-06-30", "changed": long_ago},
    }
    # (campaign, days back) -> metrics; Brand Search every day, ABM Display every other day.
    gads_metrics = {}
    for k in range(10):
        gads_metrics[("111", k)] = {"impressions": 100 * (k + 1), "clicks": k, "cost_micros": 1_500_000 * (k + 1)}
        if k % 2 == 0:
            gads_metrics[("222", k)] = {"impressions": 50, "clicks": 1, "cost_micros": 250_000}
    li_campaigns = {
        "601": {"name": "ABM LinkedIn Q4", "status": "ACTIVE", "start": 1_727_740_800_000, "end": None,
                "modified": long_ago * 1000},
        "602": {"name": "Retargeting", "status": "ACTIVE", "start": 1_730_419_200_000, "end": 1_767_139_200_000,
                "modified": long_ago * 1000},
        "603": {"name": "Thought leadership", "status": "PAUSED", "start": 1_704_067_200_000, "end": None,
                "modified": long_ago * 1000},
    }
    # (campaign, days back) -> daily statistics; costInLocalCurrency is a decimal in a string.
    li_campaign_stats = {}
    for k in range(10):
        li_campaign_stats[("601", k)] = {"impressions": 200 + k, "clicks": k % 4, "costInLocalCurrency": "%d.25" % (10 + k)}
        if k % 2 == 1:
            li_campaign_stats[("602", k)] = {"impressions": 40, "clicks": 1, "costInLocalCurrency": "3.5"}
    # (organization, days back) -> what its members did: Acme every day (clicks on even days), Globex
    # the last five days, Initech once.
    li_company_stats = {}
    for k in range(10):
        li_company_stats[("1001", k)] = {"impressions": 30, "clicks": 2 if k % 2 == 0 else 0}
        if k < 5:
            li_company_stats[("1002", k)] = {"impressions": 5, "clicks": 0}
    li_company_stats[("1003", 3)] = {"impressions": 12, "clicks": 1}
    li_organizations = {
        "1001": {"localizedName": "Acme Corp", "vanityName": "acme", "localizedWebsite": "https://www.acme.com"},
        "1002": {"localizedName": "Globex", "vanityName": "globex"},
        "1003": {"localizedName": "Initech", "vanityName": "initech", "localizedWebsite": "initech.io"},
    }
    return {"gads_campaigns": gads_campaigns, "gads_metrics": gads_metrics,
            "gads_page": params.get("gads_page", 4), "gads_customer": "1234567890", "gads_currency": "EUR",
            "li_account": "507404993", "li_currency": "USD", "li_campaigns": li_campaigns,
            "li_campaign_stats": li_campaign_stats, "li_company_stats": li_company_stats,
            "li_organizations": li_organizations, "li_page": params.get("li_page", 2),
            "li_cap": params.get("li_cap", 15000)}


def update_ads(state, req):
    """{"vendor": "google_ads", "object": "campaigns", "ids": [...], "set": {...}}: changes campaigns
    (and records the change in change_status); {"vendor": "google_ads", "object": "metrics",
    "campaign": "111", "days_back": 1, "set": {...}}: restates a day. LinkedIn: {"vendor": "linkedin_ads",
    "object": "campaigns", "ids": [...], "set": {...}} or "object": "campaign_stats" / "company_stats" with
    "pivot_value" (campaign or organization id), "days_back" and "set"."""
    if req["vendor"] == "google_ads":
        if req["object"] == "campaigns":
            for i in req["ids"]:
                c = state["gads_campaigns"].setdefault(i, {"name": "", "status": "ENABLED",
                                                           "advertising_channel_type": "SEARCH",
                                                           "start": utc_day(), "end": None})
                c.update(req.get("set", {}))
                c["changed"] = time.time()
        elif req["object"] == "metrics":
            key = (req["campaign"], req["days_back"])
            state["gads_metrics"].setdefault(key, {}).update(req["set"])
        return True
    if req["vendor"] == "linkedin_ads":
        if req["object"] == "campaigns":
            for i in req["ids"]:
                c = state["li_campaigns"].setdefault(i, {"name": "", "status": "ACTIVE", "start": 0, "end": None})
                c.update(req.get("set", {}))
                c["modified"] = int(time.time() * 1000)
        else:  # "campaign_stats" or "company_stats": restates a day
            key = (req["pivot_value"], req["days_back"])
            state["li_" + req["object"]].setdefault(key, {}).update(req["set"])
        return True
    return False


def parse_day(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%d"))
