"""Mailchimp's side of the fake vendor server: the Marketing API 3.0 as Mailchimp documents it.

  GET /3.0/ping                                  {"health_status": "Everything's Chimpy!"}
  GET /3.0/campaigns?status=&since_send_time=&sort_field=&sort_dir=&count=&offset=
                                                 {"campaigns": [...], "total_items": N}; the last page is
                                                 the one where offset + count reaches total_items
  GET /3.0/reports/{id}/email-activity?count=&offset=&since=
                                                 {"emails": [{email_address, email_id, activity: [...]}],
                                                  "campaign_id", "total_items"}; `since` keeps the actions after it
HTTP Basic with any user and the API key as password. Errors are application/problem+json
{type, title, status, detail, instance}; 429 when too many connections are open.
"""
import base64
import calendar
import hashlib
import json
import re
import time

MC_KEY = "0123456789abcdef0123456789abcdef-us6"
ERROR_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"


def mc_time(text):
    """Mailchimp's times ("2024-01-10T09:00:00+00:00", or what a client sends: ...Z, .123Z) in seconds."""
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$", text)
    if not m:
        return None
    secs = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    if m.group(2) and m.group(2) != "Z":
        sign = 1 if m.group(2)[0] == "+" else -1
        secs -= sign * (int(m.group(2)[1:3]) * 3600 + int(m.group(2)[4:6]) * 60)
    return secs


def member(email, actions):
    return {"email_address": email, "email_id": hashlib.md5(email.lower().encode()).hexdigest() if email else "",
            "actions": actions}


def seed(params):
    """The Mailchimp account: three sent campaigns and a draft, recipients from the CRM data set's
    companies, a free-mail reader and one entry without an address."""
    campaigns = [
        {"id": "c0ffee0001", "title": "Q1 Newsletter", "subject": "News for Q1", "status": "sent",
         "send_time": "2024-01-10T09:00:00+00:00"},
        {"id": "c0ffee0002", "title": "", "subject": "Webinar invite", "status": "sent",
         "send_time": "2024-02-01T15:30:00+00:00"},
        {"id": "c0ffee0003", "title": "Product launch", "subject": "Launch", "status": "sent",
         "send_time": "2024-03-01T12:00:00+00:00"},
        {"id": "c0ffee0004", "title": "Draft", "subject": "Not yet", "status": "save", "send_time": ""},
    ]
    activity = {
        "c0ffee0001": [
            member("person0@acme.com", [("open", "2024-01-10T10:00:00+00:00", "", ""),
                                        ("click", "2024-01-10T10:01:00+00:00", "https://example.com/pricing", ""),
                                        ("open", "2024-01-11T08:00:00+00:00", "", "")]),
            member("person1@acme.com", [("bounce", "2024-01-10T09:00:05+00:00", "", "hard")]),
            member("sam@gmail.com", [("open", "2024-01-12T00:00:00+00:00", "", "")]),
            member("new@company1.com", [("open", "2024-01-12T07:30:00+00:00", "", "")]),
        ],
        "c0ffee0002": [
            member("person0@acme.com", [("open", "2024-02-01T16:00:00+00:00", "", "")]),
            member("new@company1.com", [("click", "2024-02-02T09:00:00+00:00", "https://example.com/webinar", "")]),
            member("", [("open", "2024-02-02T10:00:00+00:00", "", "")]),
        ],
        "c0ffee0003": [],
        "c0ffee0004": [],
    }
    for i in range(params.get("mc_extra_recipients", 0)):
        activity["c0ffee0003"].append(member("reader%d@company2.com" % i, [("open", "2024-03-01T13:00:00+00:00", "", "")]))
    return {"campaigns": campaigns, "activity": activity, "keys": {MC_KEY}}


def update(mc, req):
    """{"vendor": "mailchimp", "campaign": id, "email": ..., "action": ..., "timestamp": ..., "url": ...}
    adds an action (and the recipient); {"vendor": "mailchimp", "send": {id, title, send_time}} sends a campaign."""
    if "send" in req:
        c = dict(req["send"], status="sent", subject=req["send"].get("subject", ""))
        mc["campaigns"].append(c)
        mc["activity"].setdefault(c["id"], [])
        return
    members = mc["activity"][req["campaign"]]
    found = [m for m in members if m["email_address"] == req["email"]]
    if not found:
        members.append(member(req["email"], []))
        found = [members[-1]]
    found[0]["actions"].append((req["action"], req["timestamp"], req.get("url", ""), req.get("type", "")))


def problem(handler, status, title, detail):
    body = json.dumps({"type": ERROR_DOC, "title": title, "status": status, "detail": detail,
                       "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219"}).encode()
    handler.send_raw(status, body, "application/problem+json; charset=utf-8")


FAULTS = {
    "mc-429": lambda h: problem(h, 429, "Too Many Requests",
                                "You have exceeded the limit of 10 simultaneous connections."),
}


class MailchimpApi:
    """A mixin for the request handler: self.send_json and friends come from JsonHandler."""

    def mailchimp(self, mc, p, q):
        auth = self.headers.get("Authorization", "")
        key = ""
        if auth.startswith("Basic "):
            key = base64.b64decode(auth[6:]).decode(errors="replace").partition(":")[2]
        if key not in mc["keys"]:
            return problem(self, 401, "API Key Invalid",
                           "Your API key may be invalid, or you've attempted to access the wrong datacenter.")
        if p == "/3.0/ping":
            return self.send_json(200, {"health_status": "Everything's Chimpy!"})
        count = int(q.get("count", "10"))
        offset = int(q.get("offset", "0"))
        if count > 1000:
            return problem(self, 400, "Invalid Resource", "count must be 1000 or less")
        if p == "/3.0/campaigns":
            rows = [c for c in mc["campaigns"] if c["status"] in q.get("status", c["status"]).split(",")]
            if q.get("since_send_time"):
                since = mc_time(q["since_send_time"])
                if since is None:
                    return problem(self, 400, "Invalid Resource", "since_send_time is not a valid date")
                rows = [c for c in rows if c["send_time"] and mc_time(c["send_time"]) >= since]
            key = q.get("sort_field", "create_time")
            rows.sort(key=lambda c: (c["send_time"] if key == "send_time" else c["id"]),
                      reverse=q.get("sort_dir") == "DESC")
            page = rows[offset:offset + count]
            return self.send_json(200, {"campaigns": [{
                "id": c["id"], "web_id": 1000 + k, "type": "regular", "create_time": c["send_time"] or "2024-01-01T00:00:00+00:00",
                "status": c["status"], "emails_sent": 4, "send_time": c["send_time"], "content_type": "template",
                "recipients": {"list_id": "57afe96172", "list_is_active": True},
                "settings": {"subject_line": c["subject"], "title": c["title"], "from_name": "Acme Marketing"}}
                for k, c in enumerate(page)], "total_items": len(rows), "_links": []})
        m = re.fullmatch(r"/3.0/reports/(\w+)/email-activity", p)
        if m:
            cid = m.group(1)
            if cid not in mc["activity"]:
                return problem(self, 404, "Resource Not Found", "The requested resource could not be found.")
            since = mc_time(q["since"]) if q.get("since") else None
            emails = []
            for mem in mc["activity"][cid]:
                acts = [a for a in mem["actions"] if since is None or mc_time(a[1]) > since]
                if acts:
                    emails.append({"campaign_id": cid, "list_id": "57afe96172", "list_is_active": True,
                                   "email_id": mem["email_id"], "email_address": mem["email_address"],
                                   "activity": [{"action": a, "type": t, "timestamp": ts, "url": u, "ip": "198.51.100.7"}
                                                for a, ts, u, t in acts], "_links": []})
            return self.send_json(200, {"emails": emails[offset:offset + count], "campaign_id": cid,
                                        "total_items": len(emails), "_links": []})
        return problem(self, 404, "Resource Not Found", "The requested resource could not be found.")
