#!/usr/bin/env python3
"""A small Singer tap for the tests (standard library only), following the Singer spec:
--config, --discover, --catalog (or --properties), --state. Streams: companies (INCREMENTAL on
updated_at) and users (FULL_TABLE). It reads only the streams selected in its catalog and logs to
stderr as taps do. Its behaviour is set by its config (connector_kit.py)."""
import json
import sys

import connector_kit as kit

STREAMS = {
    "companies": {"method": "INCREMENTAL", "properties": ["id", "name", "domain", "updated_at"]},
    "users": {"method": "FULL_TABLE", "properties": ["id", "email", "company_id", "updated_at"]},
}


def out(message):
    kit.write_line(json.dumps(message))


def catalog():
    streams = []
    for name, s in STREAMS.items():
        metadata = [{"breadcrumb": [], "metadata": {"inclusion": "available", "forced-replication-method": s["method"],
                                                    "table-key-properties": ["id"]}}]
        for p in s["properties"]:
            metadata.append({"breadcrumb": ["properties", p],
                             "metadata": {"inclusion": "automatic" if p == "id" else "available"}})
        streams.append({"tap_stream_id": name, "stream": name, "key_properties": ["id"],
                        "schema": {"type": "object", "properties": {p: {} for p in s["properties"]}},
                        "metadata": metadata})
    return {"streams": streams}


def selected(entry):
    for m in entry.get("metadata", []):
        if m["breadcrumb"] == []:
            return m["metadata"].get("selected") is True
    return False


def selected_fields(entry):
    return [m["breadcrumb"][1] for m in entry["metadata"]
            if m["breadcrumb"][:1] == ["properties"] and m["metadata"].get("selected")]


def sync(config, cat, state):
    every = config.get("checkpoint_every", 2)
    bookmarks = dict(state.get("bookmarks", {})) if state else {}
    for entry in cat["streams"]:
        name = entry["tap_stream_id"]
        if not selected(entry):
            continue
        fields = selected_fields(entry)
        incremental = STREAMS[name]["method"] == "INCREMENTAL"
        since = bookmarks.get(name, {}).get("updated_at") if incremental else None
        sys.stderr.write("INFO Syncing stream %s since %s (token %s)\n" % (name, since, config["api_token"]))
        out({"type": "SCHEMA", "stream": name, "schema": entry["schema"], "key_properties": ["id"]})
        if not incremental:
            out({"type": "ACTIVATE_VERSION", "stream": name, "version": 1})
        count = 0
        for r in kit.records(config, name):
            if since is not None and r["updated_at"] <= since:
                continue
            r = {k: v for k, v in r.items() if k in fields}
            if config.get("misbehave", {}).get("mode") == "huge" and count == config["misbehave"]["after"]:
                r["name"] = "x" * 300000
            out({"type": "RECORD", "stream": name, "record": r, "time_extracted": "2024-01-01T00:00:00Z"})
            count += 1
            if incremental:
                bookmarks[name] = {"updated_at": r["updated_at"]}
                if count % every == 0:
                    out({"type": "STATE", "value": {"bookmarks": bookmarks, "currently_syncing": name}})
            kit.misbehave(config, count, kit.write_line)
        out({"type": "STATE", "value": {"bookmarks": bookmarks, "currently_syncing": None}})


def main(argv):
    config = kit.load_json(kit.arg(argv, "--config"))
    kit.log_invocation(config, argv)
    if config["api_token"].startswith("bad"):
        sys.stderr.write("CRITICAL 401 Unauthorized for token %s\n" % config["api_token"])
        return 1
    if "--discover" in argv:
        if config.get("misbehave", {}).get("mode") == "discover_garbage":
            kit.write_line("Welcome to the tap!")
        sys.stdout.write(json.dumps(catalog(), indent=2) + "\n")
        return 0
    cat_path = kit.arg(argv, "--catalog") or kit.arg(argv, "--properties")
    state_path = kit.arg(argv, "--state")
    sync(config, kit.load_json(cat_path), kit.load_json(state_path) if state_path else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
