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
    return {"gads_campaigns": gads_campaigns, "gads_metrics": gads_metrics,
            "gads_page": params.get("gads_page", 4), "gads_customer": "1234567890", "gads_currency": "EUR"}


def update_ads(state, req):
    """{"vendor": "google_ads", "object": "campaigns", "ids": [...], "set": {...}}: changes campaigns
    (and records the change in change_status); {"vendor": "google_ads", "object": "metrics",
    "campaign": "111", "days_back": 1, "set": {...}}: restates a day."""
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
    return False


def parse_day(text):
    return calendar.timegm(time.strptime(text, "%Y-%m-%d"))
