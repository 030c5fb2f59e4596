"""Google Ads' side of the fake server: GoogleAdsService.Search over REST
(POST /v{N}/customers/{id}/googleAds:search, GAQL in, pages of 'results' with nextPageToken out, none
on the last page), Google's error envelope with GoogleAdsFailure details (429 RESOURCE_EXHAUSTED
names its wait in quotaErrorDetails.retryDelay, not in a header), and Google's OAuth token endpoint."""
import base64
import json
import re

from ads_data import change_time, parse_day, utc_day

VERSIONS = range(17, 27)
CAMPAIGN_FIELDS = ["campaign.id", "campaign.name", "campaign.status", "campaign.advertising_channel_type"]
METRIC_FIELDS = ["metrics.impressions", "metrics.clicks", "metrics.cost_micros"]


def camel(name):
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def date_fields(version):
    # v23 replaced campaign.start_date / end_date (YYYY-MM-DD) by start_date_time / end_date_time.
    return ["campaign.start_date_time", "campaign.end_date_time"] if version >= 23 else \
        ["campaign.start_date", "campaign.end_date"]


def quota_fault(delay, code):
    """A 429 RESOURCE_EXHAUSTED whose wait is in the error details, as Google Ads sends it."""
    def answer(handler):
        handler.gads_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", [{
            "errorCode": {"quotaError": code}, "message": "Too many requests. Retry in %s." % delay,
            "details": {"quotaErrorDetails": {"rateScope": "DEVELOPER", "rateName": "Number of operations for basic access",
                                              "retryDelay": delay}}}])
    return answer


# Failure kinds for POST /__control/fault: a short quota wait, and a day's (an hour here).
FAULTS = {"gads-429": quota_fault("1s", "RESOURCE_TEMPORARILY_EXHAUSTED"),
          "gads-429-day": quota_fault("3600s", "RESOURCE_EXHAUSTED")}


class GoogleAdsApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def gads_error(self, status, code, message, failures=(), headers=None):
        body = {"error": {"code": status, "message": message, "status": code}}
        if failures:
            body["error"]["details"] = [{
                "@type": "type.googleapis.com/google.ads.googleads.v26.errors.GoogleAdsFailure",
                "errors": list(failures), "requestId": "gF3ZlWm1a9cTq"}]
        return self.send_json(status, body, headers)

    def gads_query_error(self, code, message):
        return self.gads_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                               [{"errorCode": {"queryError": code}, "message": message}])

    def gads_token(self, body, state):
        f = self.form(body)
        if f.get("grant_type") != "refresh_token" or f.get("client_id") != "cid" \
                or f.get("client_secret") != "csecret-XYZ":
            return self.send_json(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        if f.get("refresh_token") != "g-rt":
            return self.send_json(400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."})
        state["issued"] += 1
        token = "ya29.g-at-%d" % state["issued"]
        state["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "expires_in": 3599,
                                    "scope": "https://www.googleapis.com/auth/adwords", "token_type": "Bearer"})

    def google_ads(self, method, p, body, state):
        m = re.fullmatch(r"/v(\d+)/customers/(\d+)/googleAds:search", p)
        if not m or method != "POST":
            return self.gads_error(404, "NOT_FOUND", "The requested URL %s was not found on this server." % p)
        version, customer = int(m.group(1)), m.group(2)
        if version not in VERSIONS:
            return self.gads_error(404, "NOT_FOUND", "The requested URL %s was not found on this server." % p)
        if self.headers.get("Authorization", "")[len("Bearer "):] not in state["tokens"]:
            return self.gads_error(401, "UNAUTHENTICATED",
                                   "Request had invalid authentication credentials. Expected OAuth 2 access token,"
                                   " login cookie or other valid authentication credential.",
                                   [{"errorCode": {"authenticationError": "OAUTH_TOKEN_INVALID"},
                                     "message": "Oauth token in the header is not valid."}])
        if self.headers.get("developer-token") != "dev-token-good":
            return self.gads_error(401, "UNAUTHENTICATED", "Request is missing required authentication credential.",
                                   [{"errorCode": {"authenticationError": "DEVELOPER_TOKEN_INVALID"},
                                     "message": "The developer token is not valid."}])
        login = self.headers.get("login-customer-id")
        if customer != state["gads_customer"] or (login is not None and login != "9876543210"):
            return self.gads_error(403, "PERMISSION_DENIED", "The caller does not have permission",
                                   [{"errorCode": {"authorizationError": "USER_PERMISSION_DENIED"},
                                     "message": "User doesn't have permission to access customer."}])
        req = json.loads(body or b"{}")
        if "pageSize" in req:
            return self.gads_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                   [{"errorCode": {"requestError": "PAGE_SIZE_NOT_SUPPORTED"},
                                     "message": "Setting the page size is not supported."}])
        rows = self.gaql(version, req.get("query", ""), state)
        if not isinstance(rows, list):
            return rows  # an error was sent
        start = int(base64.b64decode(req["pageToken"]).decode()) if req.get("pageToken") else 0
        size = state["gads_page"]
        out = {"fieldMask": ",".join(camel(f) for f in self.last_fields), "requestId": "gF3ZlWm1a9cTq"}
        if rows[start:start + size]:
            out["results"] = rows[start:start + size]
        if start + size < len(rows):
            out["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
        return self.send_json(200, out)

    def gaql(self, version, query, state):
        m = re.fullmatch(r"SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: ORDER BY (.+?))?(?: LIMIT (\d+))?", query.strip())
        if not m:
            return self.gads_query_error("UNEXPECTED_END_OF_QUERY", "Error in query: unexpected input %r." % query[:40])
        fields = [f.strip() for f in m.group(1).split(",")]
        resource, where, limit = m.group(2), m.group(3) or "", m.group(5)
        self.last_fields = fields
        known = CAMPAIGN_FIELDS + date_fields(version) + METRIC_FIELDS + [
            "segments.date", "customer.id", "customer.currency_code", "change_status.last_change_date_time"]
        for f in fields:
            if f not in known:
                return self.gads_query_error("UNRECOGNIZED_FIELD", "Unrecognized field in the query: '%s'." % f)
        ranges = {f: (a, b) for f, a, b in re.findall(r"(\S+) BETWEEN '([^']*)' AND '([^']*)'", where)}
        equals = dict(re.findall(r"(\S+) = '([^']*)'", where))
        cust = {"resourceName": "customers/" + state["gads_customer"], "id": state["gads_customer"],
                "currencyCode": state["gads_currency"]}
        if resource == "customer":
            return [self.gads_row(fields, {"customer": cust})]
        if resource == "change_status":
            if "change_status.last_change_date_time" not in ranges:
                return self.gads_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                       [{"errorCode": {"changeStatusError": "START_DATE_TOO_OLD"},
                                         "message": "The change_status search request must specify a finite range"
                                                    " filter on last_change_date_time."}])
            if not limit or int(limit) > 10000:
                return self.gads_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                       [{"errorCode": {"changeStatusError": "LIMIT_NOT_SPECIFIED"},
                                         "message": "The change_status search request must specify a LIMIT."}])
            lo, hi = ranges["change_status.last_change_date_time"]
            if parse_day(lo[:10]) < parse_day(utc_day(90)):
                return self.gads_error(400, "INVALID_ARGUMENT", "Request contains an invalid argument.",
                                       [{"errorCode": {"changeStatusError": "START_DATE_TOO_OLD"},
                                         "message": "The requested start date is too old."}])
            out = []
            for cid, c in sorted(state["gads_campaigns"].items(), key=lambda kv: kv[1]["changed"]):
                when = change_time(c["changed"])
                if equals.get("change_status.resource_type") == "CAMPAIGN" and lo <= when[:len(lo)] and when[:19] <= hi:
                    out.append(self.gads_row(fields, {"campaign": self.gads_campaign(version, cid, c, state),
                                                      "changeStatus": {"lastChangeDateTime": when}}))
            return out[:int(limit)]
        if resource != "campaign":
            return self.gads_query_error("INVALID_RESOURCE_NAME_IN_FROM_CLAUSE", "Unknown resource '%s'." % resource)
        if "segments.date" not in fields:
            return [self.gads_row(fields, {"campaign": self.gads_campaign(version, cid, c, state), "customer": cust})
                    for cid, c in sorted(state["gads_campaigns"].items())]
        if "segments.date" not in ranges:
            return self.gads_query_error("EXPECTED_FILTERS_ON_DATE_RANGE",
                                         "Date range must be specified when segments.date is selected.")
        lo, hi = ranges["segments.date"]
        out = []
        for (cid, back), met in state["gads_metrics"].items():
            day = utc_day(back)
            if lo <= day <= hi:
                out.append(self.gads_row(fields, {
                    "campaign": self.gads_campaign(version, cid, state["gads_campaigns"][cid], state),
                    "metrics": {camel(k): str(v) for k, v in met.items() if v},  # zero metrics are left out
                    "segments": {"date": day}, "customer": cust}))
        out.sort(key=lambda r: (r["segments"]["date"], int(r["campaign"]["id"])))
        return out

    def gads_campaign(self, version, cid, c, state):
        out = {"resourceName": "customers/%s/campaigns/%s" % (state["gads_customer"], cid), "id": cid,
               "name": c["name"], "status": c["status"], "advertisingChannelType": c["advertising_channel_type"]}
        if version >= 23:
            out["startDateTime"] = c["start"] + " 00:00:00"
            if c["end"]:
                out["endDateTime"] = c["end"] + " 23:59:59"
        else:
            out["startDate"] = c["start"]
            out["endDate"] = c["end"] or "2037-12-30"
        return out

    @staticmethod
    def gads_row(fields, full):
        """Keeps only the selected fields of each resource (resourceName always comes along)."""
        row = {}
        for f in fields:
            res, name = f.split(".", 1)
            key = camel(res)
            src = full.get(key, {})
            if camel(name) in src:
                row.setdefault(key, {})[camel(name)] = src[camel(name)]
            if "resourceName" in src and key in row:
                row[key]["resourceName"] = src["resourceName"]
        return row
