"""LinkedIn Marketing API's side of the fake server, versioned REST (LinkedIn-Version: YYYYMM,
X-Restli-Protocol-Version: 2.0.0): ad accounts, adCampaigns search (metadata.nextPageToken, none on
the last page), adAnalytics (no pagination: an answer is cut at the row cap without a word),
organizationsLookup (results keyed by id), errors as {status, serviceErrorCode, code, message}
(429 without Retry-After), and the OAuth token endpoint."""
import base64
import re
import time

from ads_data import utc_day

VERSIONS = {"202506", "202509", "202512", "202603", "202606", "202609", "202611"}


def restli_date(text):
    m = re.fullmatch(r"\(year:(\d+),month:(\d+),day:(\d+)\)", text)
    return "%04d-%02d-%02d" % tuple(int(g) for g in m.groups()) if m else None


def date_object(day):
    y, m, d = (int(x) for x in day.split("-"))
    return {"year": y, "month": m, "day": d}


def throttle_fault(window):
    """A 429 as LinkedIn sends it: serviceErrorCode 101, the limit named in the message, no Retry-After."""
    def answer(handler):
        handler.li_error(429, "TOO_MANY_REQUESTS", "Resource level throttle APPLICATION %s limit for calls to this"
                         " resource is reached." % window, 101)
    return answer


# Failure kinds for POST /__control/fault: a short throttle, and the day's limit.
FAULTS = {"li-429": throttle_fault("MINUTE"), "li-429-day": throttle_fault("DAY")}


class LinkedInApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def li_error(self, status, code, message, service_code=None):
        body = {"status": status, "code": code, "message": message}
        if service_code is not None:
            body["serviceErrorCode"] = service_code
        return self.send_json(status, body)

    def li_token(self, body, state):
        f = self.form(body)
        if f.get("client_id") != "cid" or f.get("client_secret") != "csecret-XYZ":
            return self.send_json(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if f.get("grant_type") != "refresh_token" or f.get("refresh_token") != "li-rt":
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "The provided refresh token is invalid"})
        state["issued"] += 1
        token = "AQX-li-at-%d" % state["issued"]
        state["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "expires_in": 5183999, "refresh_token": "li-rt",
                                    "refresh_token_expires_in": 31536000, "scope": "r_ads,r_ads_reporting"})

    def linkedin(self, p, q, state):
        if self.headers.get("Authorization", "")[len("Bearer "):] not in state["tokens"]:
            return self.li_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token", 65600)
        version = self.headers.get("LinkedIn-Version", "")
        if version not in VERSIONS:
            return self.li_error(426, "NONEXISTENT_VERSION", "Requested version %s is not active" % version)
        if self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return self.li_error(400, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 syntax expected")
        acct = state["li_account"]
        if p == "/rest/adAccounts/" + acct:
            return self.send_json(200, {"id": int(acct), "name": "Fake Ads Account", "currency": state["li_currency"],
                                        "status": "ACTIVE", "type": "BUSINESS",
                                        "reference": "urn:li:organization:2414183"})
        if p == "/rest/adAccounts/%s/adCampaigns" % acct and q.get("q") == "search":
            ids = sorted(state["li_campaigns"])
            start = int(base64.b64decode(q["pageToken"]).decode()) if q.get("pageToken") else 0
            size = min(int(q.get("pageSize", "100")), state["li_page"])
            elements = []
            for cid in ids[start:start + size]:
                c = state["li_campaigns"][cid]
                schedule = {"start": c["start"]}
                if c["end"]:
                    schedule["end"] = c["end"]
                elements.append({"id": int(cid), "name": c["name"], "status": c["status"],
                                 "account": "urn:li:sponsoredAccount:" + acct, "runSchedule": schedule,
                                 "changeAuditStamps": {"created": {"time": c["start"]},
                                                       "lastModified": {"time": c["modified"]}}})
            meta = {}
            if start + size < len(ids):
                meta["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
            return self.send_json(200, {"elements": elements, "metadata": meta})
        if p.startswith("/rest/adAccounts/"):
            return self.li_error(403, "ACCESS_DENIED", "Not enough permissions to access: adAccounts", 100)
        if p == "/rest/adAnalytics" and q.get("q") == "analytics":
            return self.li_analytics(q, state)
        if p == "/rest/organizationsLookup":
            m = re.fullmatch(r"List\(([\d,]*)\)", q.get("ids", ""))
            if not m:
                return self.li_error(400, "ILLEGAL_ARGUMENT", "ids must be a List")
            results, statuses, errors = {}, {}, {}
            for i in m.group(1).split(","):
                org = state["li_organizations"].get(i)
                if org:
                    results[i] = dict(org, id=int(i), primaryOrganizationType="NONE", locations=[])
                    statuses[i] = 200
                else:
                    statuses[i] = 404
                    errors[i] = {"status": 404, "message": "Not Found"}
            return self.send_json(200, {"results": results, "statuses": statuses, "errors": errors})
        return self.li_error(404, "RESOURCE_NOT_FOUND", "No virtual resource found")

    def li_analytics(self, q, state):
        m = re.fullmatch(r"\(start:(\(.*?\)),end:(\(.*?\))\)", q.get("dateRange", ""))
        if q.get("timeGranularity") != "DAILY" or not m:
            return self.li_error(400, "ILLEGAL_ARGUMENT", "Invalid dateRange or timeGranularity")
        if q.get("accounts") != "List(urn:li:sponsoredAccount:%s)" % state["li_account"]:
            return self.send_json(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": []})
        lo, hi = restli_date(m.group(1)), restli_date(m.group(2))
        pivot = q.get("pivot")
        if pivot == "CAMPAIGN":
            table, urn = state["li_campaign_stats"], "urn:li:sponsoredCampaign:"
        elif pivot == "MEMBER_COMPANY":
            table, urn = state["li_company_stats"], "urn:li:organization:"
        else:
            return self.li_error(400, "ILLEGAL_ARGUMENT", "Unsupported pivot %s in this fake" % pivot)
        fields = q.get("fields", "").split(",")
        elements = []
        for (value, back), stats in sorted(table.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            day = utc_day(back)
            if lo <= day <= hi:
                e = {"pivotValues": [urn + value], "dateRange": {"start": date_object(day), "end": date_object(day)}}
                e.update({k: v for k, v in stats.items() if k in fields})
                elements.append(e)
        # No pagination: the answer is cut at the cap, silently.
        return self.send_json(200, {"paging": {"start": 0, "count": 10, "links": []},
                                    "elements": elements[:state["li_cap"]]})
