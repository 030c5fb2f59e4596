"""What the test Airbyte source and the test Singer tap share: their config, their data file, the
log of their invocations and the ways they misbehave on request.

config keys:
  api_token   required; "bad..." fails check/discovery
  data_file   JSON file {"<stream>": [records, each with "id" and "updated_at" (an integer)]}
  log_dir     each run appends one JSON line to <log_dir>/invocations.ndjson: argv, pid, and for each
              file argument its mode and content
  checkpoint_every  records between checkpoints (default 2)
  misbehave   {"mode": ..., "after": N}: after N records of the read,
              crash   stderr gets a traceback naming the token, then exit code 3
              kill    the process kills itself with SIGKILL
              garbage a line that is no JSON on stdout, then carries on
              unknown a JSON line of an unknown message type
              hang    writes <log_dir>/hang.pid and sleeps (for time limits and stops)
              trace   (Airbyte) a TRACE ERROR naming the token, exit 1
              control (Airbyte) a LOG at WARN, then a CONTROL message with a rotated token
              huge    a record whose "name" is 300 000 characters
              memory  holds 400 MiB
              stop    ignores SIGTERM, writes <log_dir>/ready.pid, sleeps
"""
import json
import os
import signal
import sys
import time


def arg(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv else None


def load_json(path):
    with open(path) as f:
        return json.load(f)


def log_invocation(config, argv):
    log_dir = config.get("log_dir")
    if not log_dir:
        return
    entry = {"argv": argv, "pid": os.getpid(), "files": {}}
    for flag in ("--config", "--catalog", "--properties", "--state"):
        path = arg(argv, flag)
        if path:
            entry["files"][flag] = {"path": path, "mode": oct(os.stat(path).st_mode & 0o777),
                                    "content": load_json(path)}
    with open(os.path.join(log_dir, "invocations.ndjson"), "a") as f:
        f.write(json.dumps(entry) + "\n")


def records(config, stream):
    data = load_json(config["data_file"]) if config.get("data_file") else {}
    return sorted(data.get(stream, []), key=lambda r: (r.get("updated_at", 0), str(r.get("id"))))


def misbehave(config, count, emit_line):
    """Called after each record; does what config.misbehave asks once `after` records went out."""
    m = config.get("misbehave") or {}
    if not m or count != m.get("after", 0):
        return
    mode = m["mode"]
    sys.stdout.flush()
    if mode == "crash":
        sys.stderr.write("Traceback (most recent call last):\n  File \"source.py\", line 1\n")
        sys.stderr.write("RuntimeError: the API refused token %s\n" % config["api_token"])
        sys.stderr.flush()
        os._exit(3)
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "garbage":
        emit_line("Fetching page 2 of organizations...")
    if mode == "unknown":
        emit_line(json.dumps({"type": "SURPRISE", "surprise": {}}))
    if mode in ("hang", "stop"):
        if mode == "stop":
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        with open(os.path.join(config["log_dir"], "hang.pid"), "w") as f:
            f.write(str(os.getpid()))
        while True:
            time.sleep(60)
    if mode == "memory":
        hog = b"x" * (400 * 1024 * 1024)
        time.sleep(30)
        del hog


def write_line(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
