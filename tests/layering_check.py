#!/usr/bin/env python3
"""Fails when a core folder includes a header of a folder its library does not depend on.

The static libraries make most back edges a link error; this check also catches the ones a header
alone would let through (inline code, types). Usage: layering_check.py CORE_DIR LAYERS_FILE
"""
import pathlib
import re
import sys

core, layers_file = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
direct = {}
for line in layers_file.read_text().splitlines():
    if line.strip():
        name, _, deps = line.partition(":")
        direct[name] = [d for d in deps.split(",") if d]


def closure(name, seen=None):
    seen = set() if seen is None else seen
    for d in direct.get(name, []):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen


include = re.compile(r'#include\s+"([a-z_]+)/')
problems = []
for folder in sorted(direct):
    allowed = closure(folder) | {folder}
    for f in sorted((core / folder).glob("*.[ch]pp")):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            m = include.match(line)
            if m and m.group(1) in direct and m.group(1) not in allowed:
                problems.append(f"{f}:{n}: {folder}/ includes {m.group(1)}/, which its library abmd_{folder} "
                                f"does not depend on (allowed: {', '.join(sorted(allowed))})")
for p in problems:
    print(p)
print(f"{len(direct)} layers checked, {len(problems)} back edge(s)")
sys.exit(1 if problems else 0)
