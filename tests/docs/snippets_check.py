#!/usr/bin/env python3
"""Compiles the C++ snippets of the docs, so that a snippet that stops compiling fails the tests.

Every ```cpp block of a page carries, on the line just before its fence, a marker saying how it is
compiled (docs/plugin-sdk.md#code-in-these-pages):
  <!-- compile: file -->              a translation unit as it stands
  <!-- compile: continue -->          appended to the page's previous `file` block (one unit)
  <!-- compile: body(PARAMS) -->      statements of a plugin's read(): host, settings, stream and state
                                      are given, and PARAMS (C++ parameters, e.g. std::string id) too
  <!-- compile: options -->           rows of a plugin's options table
  <!-- compile: no: REASON -->        not compiled, with the reason
A block without a marker, or an unknown marker, is an error. Body and options blocks see every SDK
header, abm::sdk's names and `namespace http = abm::sdk::http`.

usage: snippets_check.py CXX INCLUDE_DIRS(:-separated) PAGE.md|FOLDER...   (a folder: its *.md pages)
       snippets_check.py --self-test CXX INCLUDE_DIRS   (the check itself fails on a broken snippet)
"""
import os
import re
import subprocess
import sys
import tempfile

MARKER = re.compile(r"<!--\s*compile:\s*(file|continue|body(?:\((.*)\))?|options|no:\s*(\S.*?))\s*-->\s*$")

def sdk_headers(include_dirs):
    for d in include_dirs:
        sdk = os.path.join(d, "abm", "sdk")
        if os.path.isdir(sdk):
            return sorted(f for f in os.listdir(sdk) if f.endswith(".hpp"))
    return []


def prelude(include_dirs):
    lines = ["#include <abm/sdk/%s>" % h for h in sdk_headers(include_dirs)]
    lines += ["using namespace abm::sdk;", "namespace http = abm::sdk::http;", "using nlohmann::json;", ""]
    return "\n".join(lines) + "\n"


def extract(page):
    """(units, errors): units are (first line, source kind, text, params) in page order."""
    units, errors = [], []
    lines = open(page, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```cpp":
            i += 1
            continue
        start = i + 1
        j = start
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        body = "\n".join(lines[start:j]) + "\n"
        prev = lines[i - 1] if i > 0 else ""
        m = MARKER.search(prev)
        where = "%s:%d" % (page, i + 1)
        if not m:
            errors.append("%s: a ```cpp block without a compile marker on the line before it (file, continue, "
                          "body(...), options, or no: REASON)" % where)
        elif m.group(1).startswith("no:"):
            pass
        elif m.group(1) == "continue":
            files = [n for n, u in enumerate(units) if u[1] == "file"]
            if not files:
                errors.append("%s: 'compile: continue' with no 'compile: file' block before it on the page" % where)
            else:
                first, kind, text, params = units[files[-1]]
                units[files[-1]] = (first, kind, text + '#line %d "%s"\n' % (start + 1, page) + body, params)
        else:
            kind = "body" if m.group(1).startswith("body") else m.group(1)
            units.append((where, kind, '#line %d "%s"\n' % (start + 1, page) + body, m.group(2) or ""))
        i = j + 1
    return units, errors


def source(kind, text, params, include_dirs):
    if kind == "file":
        return text
    if kind == "options":
        return prelude(include_dirs) + "constexpr Option kOptions[] = {\n" + text + "};\n"
    extra = (", " + params) if params.strip() else ""
    return (prelude(include_dirs) + "Status snippet(Host& host, const json& settings, const std::string& stream, "
            "const json& state" + extra + ") {\n" + text + "return Status::ok();\n}\n")


def compile_unit(cxx, include_dirs, code):
    with tempfile.NamedTemporaryFile("w", suffix=".cpp", delete=False) as f:
        f.write(code)
        path = f.name
    try:
        args = [cxx, "-std=c++20", "-fsyntax-only", "-x", "c++", path]
        for d in include_dirs:
            args += ["-I", d]
        r = subprocess.run(args, capture_output=True, text=True)
        return r.returncode == 0, r.stderr
    finally:
        os.unlink(path)


def check(cxx, include_dirs, pages):
    failures, compiled, skipped = [], 0, 0
    for page in pages:
        units, errors = extract(page)
        failures += errors
        text = open(page, encoding="utf-8").read()
        skipped += len(re.findall(r"<!--\s*compile:\s*no:", text))
        for where, kind, body, params in units:
            ok, err = compile_unit(cxx, include_dirs, source(kind, body, params, include_dirs))
            compiled += 1
            if not ok:
                failures.append("%s: the snippet does not compile (%s):\n%s" % (where, kind, err[:4000]))
    return failures, compiled, skipped


def self_test(cxx, include_dirs):
    page = """# a page
<!-- compile: body(int n) -->
```cpp
int twice = n * 2;
```
<!-- compile: body -->
```cpp
http::RateLimiter budget("not a rate", 1, 2, 3);
```
```cpp
int unmarked;
```
"""
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(page)
        path = f.name
    try:
        failures, compiled, _ = check(cxx, include_dirs, [path])
    finally:
        os.unlink(path)
    broken = [f for f in failures if "does not compile" in f]
    unmarked = [f for f in failures if "without a compile marker" in f]
    if compiled != 2 or len(broken) != 1 or ":7:" not in broken[0] or len(unmarked) != 1:
        print("self-test: expected one broken snippet (line 7) and one unmarked block, got:\n" + "\n".join(failures))
        return 1
    print("self-test: a broken snippet and an unmarked block are both caught")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "--self-test":
        return self_test(argv[2], [d for d in argv[3].split(":") if d])
    if len(argv) < 4:
        print(__doc__)
        return 2
    cxx, include_dirs, pages = argv[1], [d for d in argv[2].split(":") if d], []
    for arg in argv[3:]:
        pages += sorted(os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".md")) if os.path.isdir(arg) else [arg]
    failures, compiled, skipped = check(cxx, include_dirs, pages)
    for f in failures:
        print("FAIL: " + f)
    print("%d snippet unit(s) compiled, %d marked not compiled, %d problem(s)" % (compiled, skipped, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
