"""Marketo's side of the fake vendor server: the REST API as Marketo documents it.

  GET /identity/oauth/token?grant_type=client_credentials&client_id=&client_secret=
        {"access_token", "token_type": "bearer", "expires_in": 3599, "scope"}; bad credentials: HTTP 401
        {"error": "invalid_client", "error_description": "Bad client credentials"}
  GET /rest/v1/activities/types.json
  GET /rest/v1/activities/pagingtoken.json?sinceDatetime=       {"nextPageToken"}
  GET /rest/v1/activities.json?nextPageToken=&activityTypeIds=&batchSize=
        Marketo scans its log in windows of batchSize activities: a window with none of the asked
        types has no "result" but moreResult true; the last window says moreResult false, and its
        nextPageToken is where the log ends (new activities come after it)
  GET /rest/v1/leads.json?filterType=id&filterValues=&fields=
The access token goes in the Authorization header. Errors come inside HTTP 200 bodies:
{"requestId", "success": false, "errors": [{"code": "601", "message": ...}]} — 601/602 token invalid or
expired, 606 rate limit, 607 daily quota, 615 concurrent access limit.
"""
import base64
import calendar
import re
import time

CLIENT_ID = "mkto-cid"
CLIENT_SECRET = "mkto-secret-XYZ"
TYPES = {1: "Visit Webpage", 2: "Fill Out Form", 8: "Email Bounced", 9: "Unsubscribe Email", 10: "Open Email",
         11: "Click Email", 12: "New Lead", 13: "Change Data Value", 37: "Delete Lead",
         104: "Change Status in Progression"}


def lead(lid, email, first, last, title, company, website, created):
    return {"id": lid, "email": email, "firstName": first, "lastName": last, "title": title, "company": company,
            "website": website, "createdAt": created, "updatedAt": created}


def seed(params):
    leads = {101: lead(101, "person0@acme.com", "Pat", "Lee", "VP Marketing", "HubCo 0", "www.acme.com",
                       "2024-01-05T09:00:00Z"),
             102: lead(102, "jo@company1.com", "Jo", "Park", "CMO", "HubCo 1", "https://company1.com/about",
                       "2024-01-05T09:30:00Z"),
             103: lead(103, "kim@gmail.com", "Kim", "Diaz", "Consultant", "Freelance", None, "2024-01-01T00:00:00Z")}
    acts = []

    def add(type_id, lead_id, date, asset="", attrs=()):
        n = len(acts) + 1
        acts.append({"id": n, "marketoGUID": str(n), "leadId": lead_id, "activityDate": date, "activityTypeId": type_id,
                     "campaignId": 5, "primaryAttributeValueId": 1000 + n, "primaryAttributeValue": asset,
                     "attributes": [{"name": k, "value": v} for k, v in attrs]})

    add(12, 101, "2024-01-05T09:00:00Z", "Pat Lee", [("Source Type", "Web form fillout")])
    add(12, 102, "2024-01-05T09:30:00Z", "Jo Park")
    add(1, 101, "2024-01-06T10:00:00Z", "www.acme-vendor.com/pricing", [("Webpage URL", "/pricing")])
    add(10, 101, "2024-01-07T08:00:00Z", "Q1 Newsletter.Email", [("Device", "Desktop")])
    add(11, 101, "2024-01-07T08:05:00Z", "Q1 Newsletter.Email", [("Link", "https://example.com/pricing")])
    add(13, 103, "2024-01-08T12:00:00Z", "Job Title", [("New Value", "Consultant"), ("Old Value", "")])
    add(2, 102, "2024-01-09T14:00:00Z", "Contact Us Form", [("Webpage ID", 7)])
    add(104, 102, "2024-01-10T16:00:00Z", "Webinar 2024", [("New Status", "Attended"), ("Old Status", "Registered")])
    add(104, 101, "2024-01-10T16:00:00Z", "Webinar 2024", [("New Status", "Registered"), ("Old Status", "Invited")])
    add(8, 103, "2024-01-11T09:00:00Z", "Q1 Newsletter.Email", [("Category", "1")])
    add(9, 103, "2024-01-11T09:01:00Z", "Q1 Newsletter.Email")
    add(10, 103, "2024-01-12T07:00:00Z", "Q1 Newsletter.Email")
    add(1, None, "2024-01-12T08:00:00Z", "www.acme-vendor.com/")
    return {"leads": leads, "acts": acts, "tokens": set(), "issued": 0}


def add_activity(mk, type_id, lead_id, date, asset="", attrs=()):
    n = len(mk["acts"]) + 1
    mk["acts"].append({"id": n, "marketoGUID": str(n), "leadId": lead_id, "activityDate": date,
                       "activityTypeId": type_id, "campaignId": 5, "primaryAttributeValueId": 1000 + n,
                       "primaryAttributeValue": asset, "attributes": [{"name": k, "value": v} for k, v in attrs]})


def update(mk, req):
    """{"vendor": "marketo", "lead": {...fields}} creates or changes a lead (with its New Lead or Change
    Data Value activity); "delete_lead": id deletes one; "activity": {type, lead, asset, attrs} logs one."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    if "lead" in req:
        lid = req["lead"]["id"]
        known = lid in mk["leads"]
        mk["leads"].setdefault(lid, {"id": lid, "createdAt": now}).update(req["lead"], updatedAt=now)
        add_activity(mk, 13 if known else 12, lid, now, "Lead")
    if "delete_lead" in req:
        mk["leads"].pop(req["delete_lead"], None)
        add_activity(mk, 37, req["delete_lead"], now)
    if "activity" in req:
        a = req["activity"]
        add_activity(mk, a["type"], a["lead"], now, a.get("asset", ""), [tuple(x) for x in a.get("attrs", [])])


def since_index(mk, text):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)", text or "")
    if not m:
        return None
    secs = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    for i, a in enumerate(mk["acts"]):
        if calendar.timegm(time.strptime(a["activityDate"], "%Y-%m-%dT%H:%M:%SZ")) >= secs:
            return i
    return len(mk["acts"])


def encode(i):
    return base64.b32encode(("pos:%d" % i).encode()).decode().rstrip("=")


def decode(token):
    try:
        return int(base64.b32decode(token + "=" * (-len(token) % 8)).decode().split(":")[1])
    except Exception:
        return None


def in_body(handler, code, message):
    return handler.send_json(200, {"requestId": "e42b#14272d07d78", "success": False,
                                   "errors": [{"code": code, "message": message}]})


FAULTS = {
    "mkto-606": lambda h: in_body(h, "606", "Max rate limit '100' exceeded with in '20' secs"),
    "mkto-607": lambda h: in_body(h, "607", "Daily quota reached"),
    "mkto-615": lambda h: in_body(h, "615", "Concurrent access limit reached"),
}


class MarketoApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def marketo_token(self, mk, q):
        if q.get("grant_type") != "client_credentials" or q.get("client_id") != CLIENT_ID \
                or q.get("client_secret") != CLIENT_SECRET:
            return self.send_json(401, {"error": "invalid_client", "error_description": "Bad client credentials"})
        mk["issued"] += 1
        token = "cdf01657-110d-4155-99a7-%012d:int" % mk["issued"]
        mk["tokens"].add(token)
        return self.send_json(200, {"access_token": token, "token_type": "bearer", "expires_in": 3599,
                                    "scope": "apis@acmeinc.com"})

    def marketo(self, mk, p, q):
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or "access_token" in q:
            return in_body(self, "601", "Access token invalid")
        if auth[len("Bearer "):] not in mk["tokens"]:
            return in_body(self, "602", "Access token expired")
        ok = {"requestId": "a9ae#148add1e53d", "success": True}
        if p == "/rest/v1/activities/types.json":
            return self.send_json(200, dict(ok, result=[{"id": k, "name": v, "primaryAttribute": {"name": "Asset"}}
                                                        for k, v in sorted(TYPES.items())]))
        if p == "/rest/v1/activities/pagingtoken.json":
            i = since_index(mk, q.get("sinceDatetime"))
            if i is None:
                return in_body(self, "1001", "Invalid value '%s'. Required of type 'datetime'" % q.get("sinceDatetime"))
            return self.send_json(200, dict(ok, nextPageToken=encode(i)))
        if p == "/rest/v1/activities.json":
            start = decode(q.get("nextPageToken", ""))
            ids = [int(x) for x in q.get("activityTypeIds", "").split(",") if x]
            if start is None:
                return in_body(self, "1003", "Invalid nextPageToken")
            if not ids or len(ids) > 10:
                return in_body(self, "1003", "activityTypeIds: between 1 and 10 ids")
            batch = min(int(q.get("batchSize", "300")), 300)
            window = mk["acts"][start:start + batch]
            end = start + len(window)
            out = dict(ok, nextPageToken=encode(end), moreResult=end < len(mk["acts"]))
            found = [a for a in window if a["activityTypeId"] in ids]
            if found:
                out["result"] = found
            return self.send_json(200, out)
        if p == "/rest/v1/leads.json":
            if q.get("filterType") != "id":
                return in_body(self, "1003", "filterType must be id in this fake")
            fields = q.get("fields", "id,email,updatedAt,createdAt,firstName,lastName").split(",")
            values = [int(v) for v in q.get("filterValues", "").split(",") if v]
            if len(values) > 300:
                return in_body(self, "1003", "Too many filterValues")
            result = [{f: mk["leads"][v].get(f) for f in fields} | {"id": v} for v in values if v in mk["leads"]]
            return self.send_json(200, dict(ok, result=result))
        return self.send_json(404, {"message": "no such path " + p})
