"""Google Analytics 4's side of the fake vendor server: the Data API v1beta as Google documents it
(https://developers.google.com/analytics/devguides/reporting/data/v1/rest/v1beta/properties/runReport):
  POST /v1beta/properties/{id}:runReport   dimensions and metrics over dateRanges, dimensionFilter
                                            inListFilter, orderBys, offset/limit paging; rowCount is the
                                            total and, like rows, is left out when there are none
  GET  /v1beta/properties/{id}/metadata    the dimensions and metrics the property knows
  POST /token                              Google's OAuth token endpoint (refresh_token grant)
Errors are {"error": {"code", "message", "status"}}; a spent quota is 429 RESOURCE_EXHAUSTED with no
Retry-After, and propertyQuota in each report says what is left."""
import json
import time
from urllib.parse import parse_qs

from crm_data import state

PROPERTY = "123456789"
DIMENSIONS = ["date", "eventName", "pagePath", "country", "customUser:company_domain"]
METRICS = ["eventCount", "screenPageViews", "totalUsers"]


def day_text(days_ago):
    """YYYYMMDD of today (UTC) minus days_ago, as GA4's date dimension gives it."""
    return time.strftime("%Y%m%d", time.gmtime(time.time() - days_ago * 86400))


def ga4_event(days_ago, name, path, company, count, users=1):
    return {"date": day_text(days_ago), "eventName": name, "pagePath": path, "country": "United States",
            "customUser:company_domain": company, "eventCount": count,
            "screenPageViews": count if name == "page_view" else 0, "totalUsers": users}


def ga4_seed(params):
    """A week of events ending today: acme.com (a HubSpot company's domain) reads /pricing every day
    and submits the contact form every other day; anonymous visitors read the blog; scrolls are
    events nobody maps."""
    rows = []
    for k in range(6, -1, -1):
        rows.append(ga4_event(k, "page_view", "/pricing", "acme.com", 10 + k, 2))
        rows.append(ga4_event(k, "page_view", "/blog", "(not set)", 100 + k, 40))
        rows.append(ga4_event(k, "scroll", "/blog", "(not set)", 50, 30))
        if k % 2 == 0:
            rows.append(ga4_event(k, "form_submit", "/contact", "acme.com", 1))
    rows.append(ga4_event(3, "form_submit", "/contact", "company1.com", 2, 2))
    state.update({"ga4": rows, "ga4_tokens_per_day": params.get("ga4_tokens_per_day", 200000),
                  "ga4_tokens_per_hour": params.get("ga4_tokens_per_hour", 40000)})


def ga4_update(req):
    """{"remove": {dimension: value, ...}} drops the matching events; {"add": [event, ...]} adds some,
    each given as ga4_event's arguments {"days_ago", "name", "path", "company", "count"}."""
    if "remove" in req:
        state["ga4"] = [r for r in state["ga4"] if any(r[k] != v for k, v in req["remove"].items())]
    for e in req.get("add", []):
        state["ga4"].append(ga4_event(e["days_ago"], e["name"], e["path"], e["company"], e["count"]))


def google_error(code, status, message):
    return {"error": {"code": code, "message": message, "status": status}}


class Ga4Api:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def g_error(self, code, status, message):
        return self.send_json(code, google_error(code, status, message))

    def google_token(self, body):
        f = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if f.get("grant_type") != "refresh_token" or f.get("client_id") != "g-cid" \
                or f.get("client_secret") != "g-secret" or f.get("refresh_token") != "g-rt":
            return self.send_json(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        state["issued"] += 1
        token = "ya29.g-at-%d" % state["issued"]
        state["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer",
                                    "scope": "https://www.googleapis.com/auth/analytics.readonly"})

    def ga4_unauthenticated(self):
        return self.g_error(401, "UNAUTHENTICATED",
                            "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                            "cookie or other valid authentication credential.")

    def ga4(self, method, p, body):
        prefix = "/v1beta/properties/"
        rest = p[len(prefix):]
        prop, _, action = rest.replace(":", "/", 1).partition("/")
        if prop != PROPERTY:
            return self.g_error(403, "PERMISSION_DENIED",
                                "User does not have sufficient permissions for this property. To learn more about "
                                "Property ID, see https://developers.google.com/analytics/devguides/reporting/data/v1/property-id.")
        if method == "GET" and action == "metadata":
            return self.send_json(200, {"name": "properties/%s/metadata" % prop,
                                        "dimensions": [{"apiName": d, "uiName": d} for d in DIMENSIONS],
                                        "metrics": [{"apiName": m, "uiName": m, "type": "TYPE_INTEGER"} for m in METRICS]})
        if method == "POST" and action == "runReport":
            return self.ga4_report(body)
        return self.g_error(404, "NOT_FOUND", "Method not found.")

    def ga4_report(self, raw):
        try:
            req = json.loads(raw)
        except ValueError:
            return self.g_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        dims = [d["name"] for d in req.get("dimensions", [])]
        mets = [m["name"] for m in req.get("metrics", [])]
        for d in dims:
            if d not in DIMENSIONS:
                return self.g_error(400, "INVALID_ARGUMENT", "Field %s is not a valid dimension. For a list of valid "
                                    "dimensions and metrics, see https://developers.google.com/analytics/devguides/"
                                    "reporting/data/v1/api-schema" % d)
        for m in mets:
            if m not in METRICS:
                return self.g_error(400, "INVALID_ARGUMENT", "Field %s is not a valid metric." % m)
        ranges = req.get("dateRanges", [])
        if len(ranges) != 1:
            return self.g_error(400, "INVALID_ARGUMENT", "A date range is required.")
        start, end = ranges[0]["startDate"].replace("-", ""), ranges[0]["endDate"].replace("-", "")
        if start > end:
            return self.g_error(400, "INVALID_ARGUMENT", "Invalid dateRange. startDate must not be after endDate.")
        # Tokens: every report costs some; a spent quota answers 429 until it refreshes.
        for kind in ("day", "hour"):
            if state["ga4_tokens_per_" + kind] <= 0:
                return self.g_error(429, "RESOURCE_EXHAUSTED",
                                    "Exhausted property tokens per %s. Wait for the quota to refresh." % kind)
        state["ga4_tokens_per_day"] -= 5
        state["ga4_tokens_per_hour"] -= 5
        keep = None
        f = req.get("dimensionFilter", {}).get("filter")
        if f:
            keep = (f["fieldName"], set(f["inListFilter"]["values"]))
        groups = {}
        for r in state["ga4"]:
            if not start <= r["date"] <= end or (keep and r[keep[0]] not in keep[1]):
                continue
            key = tuple(r[d] for d in dims)
            sums = groups.setdefault(key, [0] * len(mets))
            for i, m in enumerate(mets):
                sums[i] += r[m]
        rows = [(k, v) for k, v in groups.items() if any(v)]  # keepEmptyRows is false
        order = [o["dimension"]["dimensionName"] for o in req.get("orderBys", []) if "dimension" in o]
        rows.sort(key=lambda kv: tuple(kv[0][dims.index(d)] for d in order))
        offset, limit = int(req.get("offset", 0)), int(req.get("limit", 10000))
        out = {"dimensionHeaders": [{"name": d} for d in dims],
               "metricHeaders": [{"name": m, "type": "TYPE_INTEGER"} for m in mets],
               "metadata": {"currencyCode": "USD", "timeZone": "Etc/UTC"}, "kind": "analyticsData#runReport"}
        page = rows[offset:offset + limit]
        if page:
            out["rows"] = [{"dimensionValues": [{"value": v} for v in k],
                            "metricValues": [{"value": str(x)} for x in m]} for k, m in page]
        if rows:
            out["rowCount"] = len(rows)
        if req.get("returnPropertyQuota"):
            out["propertyQuota"] = {
                "tokensPerDay": {"consumed": 5, "remaining": max(0, state["ga4_tokens_per_day"])},
                "tokensPerHour": {"consumed": 5, "remaining": max(0, state["ga4_tokens_per_hour"])},
                "concurrentRequests": {"consumed": 0, "remaining": 10},
                "serverErrorsPerProjectPerHour": {"consumed": 0, "remaining": 10},
                "potentiallyThresholdedRequestsPerHour": {"consumed": 0, "remaining": 120},
                "tokensPerProjectPerHour": {"consumed": 5, "remaining": 14000}}
        return self.send_json(200, out)
