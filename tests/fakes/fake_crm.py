#!/usr/bin/env python3
"""Fake HubSpot and Salesforce APIs on loopback for the CRM connectors' end-to-end tests.

Usage: fake_crm.py PORT_FILE

Answers at the vendors' real paths with bodies shaped as they document them:
  HubSpot    GET  /crm/v3/objects/{companies,contacts,deals,meetings,calls}   (paging.next.after)
             POST /crm/v3/objects/{type}/search       (filters, sorts, total, 10,000-result ceiling)
             POST /crm/v4/associations/{from}/{to}/batch/read
             GET  /crm/v3/pipelines/deals
             GET  /email/public/v1/campaigns/by-id, /email/public/v1/campaigns/{id},
                  /email/public/v1/events                 (hasMore + offset)
             POST /oauth/v1/token                         (rotates refresh tokens)
  Salesforce GET  /services/data/{version}/query?q=, /queryAll?q=, /query/{cursor}   (done, nextRecordsUrl)
             GET  /services/data/{version}/limits
             POST /services/oauth2/token                  (names the instance_url)
Failures are injected per path prefix through POST /__control/fault, and every request is logged
for the tests to read (GET /__control/log). See the control handlers at the bottom for the rest.
"""
import base64
import calendar
import copy
import email.utils
import json
import re
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

from fakehttp import JsonHandler, serve

lock = threading.Lock()
BASE_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def iso_ms(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03dZ" % (ms % 1000)


def sf_time(ms):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + ".%03d+0000" % (ms % 1000)


def parse_iso_ms(text):
    m = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?(Z|[+-]\d\d:?\d\d)?$", text)
    if not m:
        return None
    secs = calendar.timegm(time.strptime(text[:19], "%Y-%m-%dT%H:%M:%S"))
    return secs * 1000 + int((m.group(7) or "0").ljust(3, "0"))


# ---------------------------------------------------------------------------------------------
# The data set. seed() builds a deterministic one; the tests change it through /__control/update.

state = {}


def seed(params):
    n = params.get("companies", 5)
    sf_n = params.get("sf_accounts", 3)
    hs = {"companies": {}, "contacts": {}, "deals": {}, "meetings": {}, "calls": {}}
    t = BASE_MS
    for i in range(n):
        t += 1000
        cid = str(1000 + i)
        hs["companies"][cid] = {
            "props": {"name": "HubCo %d" % i, "domain": "acme.com" if i == 0 else "company%d.com" % i,
                      "industry": "COMPUTER_SOFTWARE", "numberofemployees": str(50 * (i + 1)),
                      "annualrevenue": str(1000000 * (i + 1)), "country": "United States",
                      "hs_is_target_account": "true" if i % 2 == 0 else "false",
                      "hs_ideal_customer_profile": "tier_1" if i == 0 else None,
                      "createdate": iso_ms(t - 86400000), "hs_lastmodifieddate": iso_ms(t)},
            "assoc": {}}
    if params.get("broken_company", True):
        hs["companies"]["1999"] = {"props": {"name": "", "domain": None, "createdate": iso_ms(t),
                                             "hs_lastmodifieddate": iso_ms(t + 1)}, "assoc": {}}
    for i in range(min(n, params.get("companies_with_people", n))):
        cid = str(1000 + i)
        domain = hs["companies"][cid]["props"]["domain"]
        for j in range(2):
            t += 1000
            pid = str(2000 + i * 2 + j)
            hs["contacts"][pid] = {
                "props": {"email": "person%d@%s" % (j, domain), "firstname": "Pat%d" % j, "lastname": "Lee%d" % i,
                          "jobtitle": "VP Marketing" if j == 0 else "Engineer",
                          "hs_buying_role": "DECISION_MAKER;BUDGET_HOLDER" if j == 0 else None,
                          "associatedcompanyid": cid,
                          "createdate": iso_ms(t - 3600000), "lastmodifieddate": iso_ms(t)},
                "assoc": {"companies": [cid]}}
        t += 1000
        stage = ["appointmentscheduled", "closedwon", "closedlost"][i % 3]
        hs["deals"][str(3000 + i)] = {
            "props": {"dealname": "Deal %d" % i, "amount": str(10000 * (i + 1)) if i != 2 else None,
                      "deal_currency_code": "USD", "dealstage": stage, "pipeline": "default",
                      "dealtype": "newbusiness" if i % 2 == 0 else "existingbusiness",
                      "closedate": iso_ms(t + 86400000) if stage != "appointmentscheduled" else None,
                      "createdate": iso_ms(t - 86400000 * 30), "hs_lastmodifieddate": iso_ms(t)},
            "assoc": {"companies": [cid]}}
    if n > 0:
        t += 1000
        hs["meetings"]["4001"] = {"props": {"hs_timestamp": iso_ms(t), "hs_meeting_title": "Discovery call",
                                            "hs_meeting_outcome": "COMPLETED", "hs_lastmodifieddate": iso_ms(t)},
                                  "assoc": {"companies": ["1000"], "contacts": ["2000"]}}
        hs["meetings"]["4002"] = {"props": {"hs_timestamp": iso_ms(t), "hs_meeting_title": "Orphan",
                                            "hs_lastmodifieddate": iso_ms(t)}, "assoc": {}}
        hs["calls"]["4101"] = {"props": {"hs_timestamp": iso_ms(t), "hs_call_title": "Intro", "hs_call_direction": "OUTBOUND",
                                         "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
                                         "hs_call_duration": "120000", "hs_lastmodifieddate": iso_ms(t)},
                               "assoc": {"contacts": ["2001"]}}
    campaigns = {"5001": {"id": 5001, "name": "Q1 Newsletter", "subject": "News", "type": "BATCH_EMAIL",
                          "lastUpdatedTime": BASE_MS + 5000, "lastProcessingStartedAt": BASE_MS + 4000},
                 "5002": {"id": 5002, "name": "", "subject": "Webinar invite", "type": "BATCH_EMAIL",
                          "lastUpdatedTime": BASE_MS + 6000}}
    events = []
    for k, (pid, c) in enumerate(sorted(hs["contacts"].items())):
        for m, kind in enumerate(["SENT", "DELIVERED", "OPEN"] + (["CLICK"] if k % 2 == 0 else [])):
            ev = {"id": "ev-%s-%d" % (pid, m), "type": kind, "recipient": c["props"]["email"],
                  "created": BASE_MS + 10000 + k * 100 + m, "emailCampaignId": 5001 if k % 2 == 0 else 5002,
                  "portalId": 62515, "appId": 113, "appName": "BatchEmail"}
            if kind == "CLICK":
                ev["url"] = "https://example.com/pricing"
            events.append(ev)

    sf = {"Account": {}, "Contact": {}, "Opportunity": {}, "Campaign": {}, "CampaignMember": {}}
    ts = BASE_MS
    def add(obj, rid, fields):
        nonlocal ts
        ts += 1000
        rec = {"Id": rid, "IsDeleted": False, "CreatedDate": sf_time(ts - 86400000), "SystemModstamp": sf_time(ts)}
        rec.update(fields)
        sf[obj][rid] = rec
    for i in range(sf_n):
        aid = "001%012dAAA" % i
        add("Account", aid, {"Name": "SF Account %d" % i,
                             "Website": "https://eu.acme.com/de" if i == 0 else "www.sfco%d.com" % i,
                             "Industry": "Technology", "NumberOfEmployees": 100 * (i + 1), "AnnualRevenue": 5e6,
                             "BillingCountry": "Germany", "ABM_Target__c": i == 0, "ABM_Tier__c": "Tier 2"})
        dom = "acme.com" if i == 0 else "sfco%d.com" % i
        for j in range(params.get("sf_contacts_per_account", 2)):
            add("Contact", "003%010d%02dAAA" % (i, j), {"AccountId": aid, "Email": "sf%d@%s" % (j, dom),
                                                       "FirstName": "Sam", "LastName": "Fox%d" % i, "Title": "CMO"})
        add("Opportunity", "006%012dAAA" % i, {
            "AccountId": aid, "Name": "SF Opp %d" % i, "StageName": ["Prospecting", "Closed Won", "Closed Lost"][i % 3],
            "Type": "New Customer", "Amount": 25000.0 * (i + 1), "Probability": None if i % 3 == 0 else [0, 100, 0][i % 3],
            "IsClosed": i % 3 != 0, "IsWon": i % 3 == 1, "CloseDate": "2024-03-31"})
    add("Campaign", "701000000000001AAA", {"Name": "Spring Email", "Type": "Email", "StartDate": "2024-01-10",
                                           "EndDate": "2024-02-10"})
    add("Campaign", "701000000000002AAA", {"Name": "ABM Webinar", "Type": "Webinar", "StartDate": "2024-02-01",
                                           "EndDate": None})
    for k, (cid, c) in enumerate(sorted(sf["Contact"].items())):
        camp = "701000000000001AAA" if k % 2 == 0 else "701000000000002AAA"
        add("CampaignMember", "00v%012dAAA" % k, {
            "CampaignId": camp, "ContactId": cid, "LeadId": None, "Email": c["Email"],
            "Status": "Responded" if k % 2 == 0 else "Sent", "HasResponded": k % 2 == 0,
            "FirstRespondedDate": "2024-02-15" if k % 2 == 0 else None})
    add("CampaignMember", "00v999999999999AAA", {
        "CampaignId": "701000000000002AAA", "ContactId": None, "LeadId": "00Q000000000001AAA",
        "Email": "lead@sfco1.com", "Status": "Attended", "HasResponded": True, "FirstRespondedDate": "2024-02-20"})
    stages = [("Prospecting", 10, False, False), ("Qualification", 20, False, False),
              ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False)]
    state.clear()
    state.update({"hs": hs, "campaigns": campaigns, "events": events, "sf": sf, "stages": stages,
                  "clock": max(t, ts) + 1000, "search_ceiling": 10000, "batch": params.get("sf_batch", 2),
                  "cursors": {}, "faults": [], "log": [],
                  "tokens": {"pat-good"}, "hs_refresh": "rt-1", "issued": 0,
                  "hs_daily_remaining": params.get("hs_daily_remaining", 249000),
                  "sf_used": 10, "sf_limit": params.get("sf_limit", 15000)})


def ticks(n):
    """Modification times for n changes made now, after every request served so far: ten changes a
    millisecond, as a bulk import shares timestamps. Returns once they are all in the past."""
    start = max(state["clock"] + 1, int(time.time() * 1000))
    state["clock"] = start + (n - 1) // 10
    while int(time.time() * 1000) <= state["clock"]:
        time.sleep(0.001)
    return [start + i // 10 for i in range(n)]


# ---------------------------------------------------------------------------------------------

HS_MODIFIED = {"contacts": "lastmodifieddate"}
HS_DEFAULT_PROPS = {"companies": ["name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"],
                    "contacts": ["email", "firstname", "lastname", "createdate", "lastmodifieddate", "hs_object_id"],
                    "deals": ["dealname", "amount", "dealstage", "pipeline", "closedate", "createdate",
                              "hs_lastmodifieddate", "hs_object_id"]}
SINGULAR = {"companies": "company", "contacts": "contact", "deals": "deal", "meetings": "meeting", "calls": "call"}
HS_TYPE_IDS = {("contacts", "companies"): 1, ("deals", "companies"): 5, ("meetings", "companies"): 188,
               ("meetings", "contacts"): 200, ("calls", "companies"): 182, ("calls", "contacts"): 194}


def hs_modified(obj, rec):
    return parse_iso_ms(rec["props"][HS_MODIFIED.get(obj, "hs_lastmodifieddate")])


def hs_result(obj, rid, rec, wanted, assoc_types=()):
    props = {"hs_object_id": rid}
    for p in (wanted or HS_DEFAULT_PROPS.get(obj, [])):
        if p != "hs_object_id":
            props[p] = rec["props"].get(p)
    created = rec["props"].get("createdate") or rec["props"].get("hs_timestamp")
    out = {"id": rid, "properties": props, "createdAt": created, "updatedAt": iso_ms(hs_modified(obj, rec)),
           "archived": bool(rec.get("archivedAt"))}
    if rec.get("archivedAt"):
        out["archivedAt"] = rec["archivedAt"]
    assoc = {}
    for to in assoc_types:
        ids = rec["assoc"].get(to, [])
        if ids:
            results = []
            for i in ids:
                results.append({"id": i, "type": "%s_to_%s" % (SINGULAR[obj], SINGULAR[to])})
                results.append({"id": i, "type": "%s_to_%s_unlabeled" % (SINGULAR[obj], SINGULAR[to])})
            assoc[to] = {"results": results}
    if assoc:
        out["associations"] = assoc
    return out


def encode_after(i):
    return base64.b64encode(str(i).encode()).decode().rstrip("=")


def decode_after(s):
    return int(base64.b64decode(s + "=" * (-len(s) % 4)).decode())


class Handler(JsonHandler):
    def hs_error(self, status, category, message, headers=None, **extra):
        body = {"status": "error", "message": message, "correlationId": "aeb5f871-7f07-4993-9211-075dc63e7cbf",
                "category": category}
        body.update(extra)
        return self.send_json(status, body, headers)

    def sf_error(self, status, code, message):
        return self.send_json(status, [{"message": message, "errorCode": code}], self.sf_headers())

    def hs_headers(self):
        state["hs_daily_remaining"] = max(0, state["hs_daily_remaining"] - 1)
        return {"X-HubSpot-RateLimit-Daily": "250000",
                "X-HubSpot-RateLimit-Daily-Remaining": str(state["hs_daily_remaining"]),
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": "100",
                "X-HubSpot-RateLimit-Remaining": "99"}

    def sf_headers(self):
        return {"Sforce-Limit-Info": "api-usage=%d/%d" % (state["sf_used"], state["sf_limit"])}

    # -- dispatch ---------------------------------------------------------------------------

    def handle_any(self, method):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self.read_body()
        p = url.path
        with lock:
            if p.startswith("/__control/"):
                return self.control(p[len("/__control/"):], body)
            state["clock"] = max(state["clock"], int(time.time() * 1000))
            state["log"].append({"method": method, "path": p, "query": q, "body": body.decode(errors="replace"),
                                 "auth": self.headers.get("Authorization", "")})
            fault = self.take_fault(p)
        if fault and self.inject(fault, p):
            return
        with lock:
            if p == "/oauth/v1/token":
                return self.hs_token(body)
            if p == "/services/oauth2/token":
                return self.sf_token(body)
            salesforce = p.startswith("/services/")
            if salesforce:
                state["sf_used"] += 1
                if state["sf_used"] > state["sf_limit"]:
                    return self.sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            if self.headers.get("Authorization", "")[len("Bearer "):] not in state["tokens"]:
                if salesforce:
                    return self.sf_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
                return self.hs_error(401, "EXPIRED_AUTHENTICATION", "The OAuth token used to make this call expired.")
            if salesforce:
                return self.salesforce(method, p, q)
            return self.hubspot(method, p, q, body)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def take_fault(self, path):
        for f in state["faults"]:
            if path.startswith(f["match"]) and f["count"] > 0:
                f["count"] -= 1
                return f["kind"]
        return None

    def inject(self, kind, path):
        """Answers with the failure `kind`; returns False when the request should go on normally."""
        if kind == "slow":
            time.sleep(3)
            return False
        if kind == "429":
            self.hs_error(429, "RATE_LIMITS", "You have reached your ten_secondly_rolling limit.",
                          headers={"Retry-After": "1", "X-HubSpot-RateLimit-Max": "100",
                                   "X-HubSpot-RateLimit-Remaining": "0"},
                          errorType="RATE_LIMIT", policyName="TEN_SECONDLY_ROLLING")
        elif kind == "429-daily":
            when = email.utils.formatdate(time.time() + 3600, usegmt=True)
            self.hs_error(429, "RATE_LIMITS", "You have reached your daily limit.", headers={"Retry-After": when},
                          errorType="RATE_LIMIT", policyName="DAILY")
        elif kind == "500":
            self.send_json(500, {"status": "error", "message": "internal error", "category": "INTERNAL_ERROR"})
        elif kind == "sf-500":
            self.send_json(500, [{"message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION"}])
        elif kind == "truncated":
            self.send_raw(200, b'{"results": [{"id": "1000", "properties": {', content_length=4000, close=True)
        elif kind == "html":
            self.send_raw(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif kind == "bad-json":
            self.send_raw(200, b'{"results": [{"id": "1000",, }')
        elif kind == "missing-scopes":
            self.hs_error(403, "MISSING_SCOPES", "This app hasn't been granted all required scopes to make this call.",
                          errors=[{"message": "One or more of the following scopes are required.",
                                   "context": {"requiredGranularScopes": ["crm.objects.contacts.read"]}}])
        elif kind == "sf-limit":
            self.sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        elif kind == "expire":  # every issued token stops working, then this request is judged
            with lock:
                state["tokens"] = {"pat-good"}
            return False
        return True

    # -- OAuth ------------------------------------------------------------------------------

    def form(self, body):
        return {k: v[0] for k, v in parse_qs(body.decode()).items()}

    def hs_token(self, body):
        f = self.form(body)
        if f.get("client_id") != "cid" or f.get("client_secret") != "csecret-XYZ":
            return self.send_json(400, {"status": "BAD_CLIENT_ID", "error": "invalid_client",
                                        "error_description": "missing or unknown client id"})
        if f.get("refresh_token") != state["hs_refresh"]:
            return self.send_json(400, {"status": "BAD_REFRESH_TOKEN", "error": "invalid_grant",
                                        "error_description": "missing or unknown refresh token"})
        state["issued"] += 1
        token = "hs-at-%d" % state["issued"]
        state["tokens"].add(token)
        state["hs_refresh"] = "rt-%d" % (state["issued"] + 1)
        return self.send_json(200, {"token_type": "bearer", "refresh_token": state["hs_refresh"],
                                    "access_token": token, "expires_in": 1800})

    def sf_token(self, body):
        f = self.form(body)
        if f.get("client_id") != "cid" or f.get("client_secret") != "csecret-XYZ" or f.get("refresh_token") != "sf-rt":
            return self.send_json(400, {"error": "invalid_grant", "error_description": "expired access/refresh token"})
        state["issued"] += 1
        token = "00Dxx!sf-at-%d" % state["issued"]
        state["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "signature": "c2lnbmF0dXJl", "scope": "api refresh_token",
                                    "instance_url": "http://%s" % self.headers["Host"],
                                    "id": "http://%s/id/00Dxx/005xx" % self.headers["Host"], "token_type": "Bearer",
                                    "issued_at": str(int(time.time() * 1000))})

    # -- HubSpot ----------------------------------------------------------------------------

    def hubspot(self, method, p, q, body):
        hs = state["hs"]
        h = self.hs_headers()
        m = re.fullmatch(r"/crm/v3/objects/(\w+)", p)
        if m and method == "GET" and m.group(1) in hs:
            obj = m.group(1)
            archived = q.get("archived", "false") == "true"
            ids = sorted((i for i in hs[obj] if bool(hs[obj][i].get("archivedAt")) == archived), key=int)
            start = decode_after(q["after"]) if "after" in q else 0
            limit = min(int(q.get("limit", "10")), 100)
            wanted = q["properties"].split(",") if q.get("properties") else None
            assoc = q["associations"].split(",") if q.get("associations") else []
            page = ids[start:start + limit]
            out = {"results": [hs_result(obj, i, hs[obj][i], wanted, assoc) for i in page]}
            if start + limit < len(ids):
                nxt = encode_after(start + limit)
                out["paging"] = {"next": {"after": nxt, "link": "http://%s%s?after=%s" % (self.headers["Host"], p, nxt)}}
            return self.send_json(200, out, h)
        m = re.fullmatch(r"/crm/v3/objects/(\w+)/search", p)
        if m and method == "POST" and m.group(1) in hs:
            obj = m.group(1)
            req = json.loads(body or b"{}")
            prop = HS_MODIFIED.get(obj, "hs_lastmodifieddate")
            rows = [(i, r) for i, r in hs[obj].items() if not r.get("archivedAt")]
            for group in req.get("filterGroups", []):
                for flt in group.get("filters", []):
                    if flt["propertyName"] != prop:
                        return self.hs_error(400, "VALIDATION_ERROR", "unsupported filter in this fake")
                    v = int(flt["value"])
                    op = {"GTE": lambda a: a >= v, "GT": lambda a: a > v, "LT": lambda a: a < v,
                          "LTE": lambda a: a <= v}[flt["operator"]]
                    rows = [(i, r) for i, r in rows if op(hs_modified(obj, r))]
            rows.sort(key=lambda ir: (hs_modified(obj, ir[1]), int(ir[0])))
            after = int(req.get("after", 0) or 0)
            limit = min(int(req.get("limit", 10)), 200)
            if after >= state["search_ceiling"]:
                return self.hs_error(400, "VALIDATION_ERROR", "There was a problem with the request.",
                                     errors=[{"message": "paging beyond 10000 results is not supported"}])
            page = rows[after:after + limit]
            out = {"total": len(rows),
                   "results": [hs_result(obj, i, r, req.get("properties")) for i, r in page]}
            if after + limit < len(rows):
                out["paging"] = {"next": {"after": str(after + limit)}}
            return self.send_json(200, out, h)
        m = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", p)
        if m and method == "POST":
            frm, to = m.groups()
            results = []
            for inp in json.loads(body)["inputs"]:
                rec = hs.get(frm, {}).get(inp["id"])
                if rec and rec["assoc"].get(to):
                    results.append({"from": {"id": inp["id"]}, "to": [
                        {"toObjectId": int(t), "associationTypes": [
                            {"category": "HUBSPOT_DEFINED", "typeId": HS_TYPE_IDS.get((frm, to), 1), "label": "Primary"},
                            {"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}]}
                        for t in rec["assoc"][to]]})
            now = iso_ms(int(time.time() * 1000))
            return self.send_json(200, {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}, h)
        if p == "/crm/v3/pipelines/deals":
            stages = [("appointmentscheduled", "Appointment Scheduled", "false", "0.2"),
                      ("qualifiedtobuy", "Qualified To Buy", "false", "0.4"),
                      ("closedwon", "Closed Won", "true", "1.0"), ("closedlost", "Closed Lost", "true", "0.0")]
            return self.send_json(200, {"results": [{
                "id": "default", "label": "Sales Pipeline", "displayOrder": 0, "archived": False,
                "createdAt": "2023-01-01T00:00:00Z", "updatedAt": "2023-01-01T00:00:00Z",
                "stages": [{"id": sid, "label": label, "displayOrder": k, "archived": False,
                            "metadata": {"isClosed": closed, "probability": prob},
                            "createdAt": "2023-01-01T00:00:00Z", "updatedAt": "2023-01-01T00:00:00Z"}
                           for k, (sid, label, closed, prob) in enumerate(stages)]}]}, h)
        if p == "/email/public/v1/campaigns/by-id":
            ids = sorted(state["campaigns"])
            start = int(q.get("offset", "0") or 0)
            limit = int(q.get("limit", "250"))
            page = ids[start:start + limit]
            c = state["campaigns"]
            return self.send_json(200, {
                "campaigns": [{"id": c[i]["id"], "appId": 113, "appName": "Batch",
                               "lastUpdatedTime": c[i]["lastUpdatedTime"]} for i in page],
                "hasMore": start + limit < len(ids), "offset": str(start + limit)}, h)
        m = re.fullmatch(r"/email/public/v1/campaigns/(\d+)", p)
        if m:
            c = state["campaigns"].get(m.group(1))
            if not c:
                return self.hs_error(404, "OBJECT_NOT_FOUND", "campaign not found")
            return self.send_json(200, dict(c, appId=113, appName="Batch", contentId=99,
                                            counters={"sent": 10, "open": 5}), h)
        if p == "/email/public/v1/events":
            lo = int(q.get("startTimestamp", "0"))
            hi = int(q.get("endTimestamp", str(10 ** 15)))
            evs = [e for e in state["events"] if lo <= e["created"] <= hi]
            start = int(base64.b64decode(q["offset"]).decode()) if q.get("offset") else 0
            limit = min(int(q.get("limit", "100")), 1000)
            page = evs[start:start + limit]
            more = start + limit < len(evs)
            out = {"hasMore": more, "events": page}
            if more:
                out["offset"] = base64.b64encode(str(start + limit).encode()).decode()
            return self.send_json(200, out, h)
        return self.hs_error(404, "OBJECT_NOT_FOUND", "no such path " + p)

    # -- Salesforce -------------------------------------------------------------------------

    def salesforce(self, method, p, q):
        m = re.fullmatch(r"/services/data/(v\d+\.\d)/(query|queryAll)(?:/([\w-]+))?", p)
        h = self.sf_headers()
        if p.endswith("/limits"):
            return self.send_json(200, {"DailyApiRequests": {"Max": state["sf_limit"],
                                                             "Remaining": state["sf_limit"] - state["sf_used"]}}, h)
        if not m or m.group(1) not in ("v58.0", "v59.0", "v60.0", "v61.0"):
            return self.sf_error(404, "NOT_FOUND", "The requested resource does not exist")
        version, kind, cursor = m.groups()
        if cursor:
            cur = state["cursors"].get(cursor.rsplit("-", 1)[0])
            if cur is None:
                return self.sf_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self.sf_batch(version, cursor.rsplit("-", 1)[0], int(cursor.rsplit("-", 1)[1]), h)
        soql = q.get("q", "")
        m = re.fullmatch(r"SELECT (.+) FROM (\w+)(?: WHERE SystemModstamp >= (\S+))?(?: ORDER BY SystemModstamp ASC)?",
                         soql)
        if not m:
            return self.sf_error(400, "MALFORMED_QUERY", "unexpected token: '%s'" % soql[:40])
        fields = [f.strip() for f in m.group(1).split(",")]
        obj = m.group(2)
        if obj == "OpportunityStage":
            records = [{"attributes": {"type": "OpportunityStage"}, "ApiName": n, "MasterLabel": n,
                        "DefaultProbability": pr, "IsClosed": c, "IsWon": w} for n, pr, c, w in state["stages"]]
            return self.send_json(200, {"totalSize": len(records), "done": True, "records": records}, h)
        table = state["sf"].get(obj)
        if table is None:
            return self.sf_error(400, "INVALID_TYPE", "sObject type '%s' is not supported." % obj)
        since = parse_iso_ms(m.group(3)) if m.group(3) else None
        rows = [r for r in table.values()
                if (kind == "queryAll" or not r["IsDeleted"]) and (since is None or parse_iso_ms(
                    r["SystemModstamp"].replace("+0000", "Z")) >= since)]
        rows.sort(key=lambda r: (r["SystemModstamp"], r["Id"]))
        records = []
        for r in rows:
            rec = {"attributes": {"type": obj, "url": "/services/data/%s/sobjects/%s/%s" % (version, obj, r["Id"])}}
            for f in fields:
                if f == "Campaign.Type":
                    camp = state["sf"]["Campaign"].get(r["CampaignId"])
                    rec["Campaign"] = {"attributes": {"type": "Campaign"}, "Type": camp["Type"] if camp else None}
                elif f in r or f in ("Id", "IsDeleted", "SystemModstamp"):
                    rec[f] = r.get(f)
                else:
                    return self.sf_error(400, "INVALID_FIELD", "No such column '%s' on entity '%s'." % (f, obj))
            records.append(rec)
        cid = "01gD0000002HU6K%04d" % len(state["cursors"])
        state["cursors"][cid] = records
        return self.sf_batch(version, cid, 0, h)

    def sf_batch(self, version, cid, start, h):
        records = state["cursors"][cid]
        size = state["batch"]
        out = {"totalSize": len(records), "done": start + size >= len(records), "records": records[start:start + size]}
        if not out["done"]:
            out["nextRecordsUrl"] = "/services/data/%s/query/%s-%d" % (version, cid, start + size)
        return self.send_json(200, out, h)

    # -- control ----------------------------------------------------------------------------

    def control(self, what, body):
        req = json.loads(body) if body else {}
        if what == "seed":
            seed(req)
        elif what == "log":
            return self.send_json(200, state["log"])
        elif what == "clear-log":
            state["log"] = []
        elif what == "fault":  # {"match": "/path/prefix", "kind": "500", "count": 2}
            state["faults"].append(req)
        elif what == "config":  # search_ceiling, sf_limit, sf_used, batch, hs_daily_remaining
            state.update(req)
        elif what == "expire":
            state["tokens"] = {"pat-good"}
        elif what == "update":
            self.update(req)
        else:
            return self.send_json(404, {"message": "no control " + what})
        return self.send_json(200, {"ok": True})

    def update(self, req):
        """{"vendor": "hubspot"|"salesforce", "object": ..., "ids": [...] or "all": true,
            "set": {field: value, ...} (str.format with the record's fields), "delete": true}"""
        if req["vendor"] == "hubspot":
            table = state["hs"][req["object"]]
            ids = sorted(table, key=int) if req.get("all") else req["ids"]
            prop = HS_MODIFIED.get(req["object"], "hs_lastmodifieddate")
            for i, when in zip(ids, ticks(len(ids))):
                if req.get("delete"):  # HubSpot archives: gone from lists and search, listed with archived=true
                    table[i]["archivedAt"] = iso_ms(when)
                    continue
                if i not in table:
                    table[i] = {"props": {"createdate": iso_ms(BASE_MS)}, "assoc": {}}
                rec = table[i]
                for k, v in req.get("set", {}).items():
                    rec["props"][k] = v.format(**{a: b for a, b in rec["props"].items() if b is not None}) \
                        if isinstance(v, str) else v
                for k, v in req.get("assoc", {}).items():
                    rec["assoc"][k] = v
                rec["props"][prop] = iso_ms(when)
        else:
            table = state["sf"][req["object"]]
            ids = sorted(table) if req.get("all") else req["ids"]
            for i, when in zip(ids, ticks(len(ids))):
                if i not in table:
                    table[i] = {"Id": i, "IsDeleted": False, "CreatedDate": sf_time(BASE_MS)}
                rec = table[i]
                if req.get("delete"):
                    rec["IsDeleted"] = True
                for k, v in req.get("set", {}).items():
                    rec[k] = v
                rec["SystemModstamp"] = sf_time(when)


if __name__ == "__main__":
    seed({})
    serve(Handler, sys.argv[1])
