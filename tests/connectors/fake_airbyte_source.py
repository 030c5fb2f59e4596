#!/usr/bin/env python3
"""A small Airbyte source for the tests (standard library only), speaking the Airbyte protocol:
spec, check --config, discover --config, read --config --catalog [--state]. Streams:
organizations (incremental on updated_at, the source's own cursor) and people (full refresh only).
Its behaviour is set by its config (connector_kit.py)."""
import json
import sys
import time

import connector_kit as kit

STREAMS = {
    "organizations": {"incremental": True, "properties": ["id", "name", "website", "employees", "updated_at"]},
    "people": {"incremental": False, "properties": ["id", "email", "org_id", "updated_at"]},
}


def out(message):
    kit.write_line(json.dumps(message))


def now_ms():
    return int(time.time() * 1000)


def spec():
    out({"type": "SPEC", "spec": {
        "documentationUrl": "https://example.com/docs",
        "connectionSpecification": {
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "required": ["api_token"],
            "properties": {"api_token": {"type": "string", "airbyte_secret": True},
                           "data_file": {"type": "string"}}},
        "supported_destination_sync_modes": []}})


def catalog():
    streams = []
    for name, s in STREAMS.items():
        stream = {"name": name,
                  "json_schema": {"type": "object", "properties": {p: {} for p in s["properties"]}},
                  "supported_sync_modes": ["full_refresh", "incremental"] if s["incremental"] else ["full_refresh"],
                  "source_defined_primary_key": [["id"]]}
        if s["incremental"]:
            stream["source_defined_cursor"] = True
            stream["default_cursor_field"] = ["updated_at"]
        streams.append(stream)
    return {"streams": streams}


def state_message(config, stream, cursor):
    kind = config.get("state_type", "STREAM")
    if kind == "LEGACY":
        return {"type": "STATE", "state": {"data": {stream: {"updated_at": cursor}}}}
    if kind == "GLOBAL":
        return {"type": "STATE", "state": {"type": "GLOBAL", "global": {
            "shared_state": {"since": cursor},
            "stream_states": [{"stream_descriptor": {"name": stream}, "stream_state": {"updated_at": cursor}}]}}}
    return {"type": "STATE", "state": {"type": "STREAM", "stream": {
        "stream_descriptor": {"name": stream}, "stream_state": {"updated_at": cursor}},
        "sourceStats": {"recordCount": 2.0}}}


def start_cursor(config, stream, state):
    """The cursor the state hands back, in whichever of the protocol's shapes it came."""
    if state is None:
        return None
    if isinstance(state, dict):  # legacy: the whole state object
        return state.get(stream, {}).get("updated_at")
    for s in state:
        if s.get("type") == "STREAM" and s["stream"]["stream_descriptor"]["name"] == stream:
            return s["stream"]["stream_state"].get("updated_at")
        if s.get("type") == "GLOBAL":
            for ss in s["global"]["stream_states"]:
                if ss["stream_descriptor"]["name"] == stream:
                    return ss["stream_state"].get("updated_at")
    return None


def read(config, configured, state):
    every = config.get("checkpoint_every", 2)
    for c in configured["streams"]:
        name = c["stream"]["name"]
        incremental = c["sync_mode"] == "incremental"
        cursor = start_cursor(config, name, state) if incremental else None
        out({"type": "LOG", "log": {"level": "INFO", "message": "reading %s from %s with %s" %
                                    (name, cursor, config["api_token"])}})
        out({"type": "TRACE", "trace": {"type": "STREAM_STATUS", "emitted_at": now_ms(), "stream_status": {
            "stream_descriptor": {"name": name}, "status": "STARTED"}}})
        count = 0
        last = cursor
        for r in kit.records(config, name):
            if cursor is not None and r["updated_at"] <= cursor:
                continue
            if config.get("misbehave", {}).get("mode") == "huge" and count == config["misbehave"]["after"]:
                r = dict(r, name="x" * 300000)
            out({"type": "RECORD", "record": {"stream": name, "data": r, "emitted_at": now_ms()}})
            count += 1
            last = r["updated_at"]
            if incremental and count % every == 0:
                out(state_message(config, name, last))
            kit.misbehave(config, count, kit.write_line)
            m = config.get("misbehave", {})
            if m.get("mode") == "control" and count == m.get("after"):
                out({"type": "LOG", "log": {"level": "WARN", "message": "token expires soon"}})
                out({"type": "CONTROL", "control": {"type": "CONNECTOR_CONFIG", "emitted_at": now_ms(),
                                                    "connectorConfig": {"config": dict(config, api_token="rotated-" + config["api_token"])}}})
            if m.get("mode") == "trace" and count == m.get("after"):
                out({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": now_ms(), "error": {
                    "message": "the API answered 401 for token " + config["api_token"],
                    "internal_message": "HTTPError", "failure_type": m.get("failure_type", "config_error")}}})
                sys.exit(1)
        if incremental and last is not None:
            out(state_message(config, name, last))


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "spec":
        spec()
        return 0
    config = kit.load_json(kit.arg(argv, "--config"))
    kit.log_invocation(config, argv)
    if command == "check":
        ok = not config["api_token"].startswith("bad")
        status = {"status": "SUCCEEDED"} if ok else {"status": "FAILED", "message": "401 Unauthorized: bad token"}
        out({"type": "CONNECTION_STATUS", "connectionStatus": status})
    elif command == "discover":
        if config.get("misbehave", {}).get("mode") == "discover_garbage":
            kit.write_line("Welcome to the source!")
        out({"type": "CATALOG", "catalog": catalog()})
    elif command == "read":
        state_path = kit.arg(argv, "--state")
        read(config, kit.load_json(kit.arg(argv, "--catalog")), kit.load_json(state_path) if state_path else None)
    else:
        sys.stderr.write("unknown command %r\n" % command)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
