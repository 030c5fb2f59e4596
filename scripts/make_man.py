#!/usr/bin/env python3
"""Writes abmd's man pages from the text users already read, so the two never drift apart.

  make_man.py help NAME SECTION SUMMARY VERSION < help.txt > NAME.SECTION
      from a program's --help: "usage:" becomes SYNOPSIS, the paragraph after it DESCRIPTION, each
      "Heading:" block a section whose indented "term   text" lines become tagged paragraphs.
  make_man.py markdown NAME SECTION SUMMARY VERSION FILE.md [HEADING...]
      from a docs page: the "## HEADING" sections named (all when none), with their paragraphs,
      tables, lists and code blocks.
"""
import re
import sys


def esc(text):
    """Text as roff shows it literally; characters beyond ASCII as roff's Unicode escapes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else f"\\[u{ord(c):04X}]" for c in text)
    return "\\&" + text if text[:1] in (".", "'") else text


def header(name, section, summary, version):
    return [f'.TH {name.upper()} {section} "" "abmd {version}" "abmd manual"', ".SH NAME",
            f"{name} \\- {esc(summary)}"]


def from_help(name, section, summary, version, text):
    out = header(name, section, summary, version)
    lines = text.rstrip("\n").split("\n")
    if not lines or not lines[0].startswith("usage: "):
        raise SystemExit(f"make_man.py: {name} --help does not start with 'usage: '")
    usage = lines[0][len("usage: "):].split(" ", 1)
    out += [".SH SYNOPSIS", f".B {esc(usage[0])}"] + ([esc(usage[1])] if len(usage) > 1 else [])
    # A synopsis too long for one line goes on in lines indented under it.
    while len(lines) > 1 and lines[1].startswith("  ") and lines[1].strip():
        out.append(esc(lines.pop(1).strip()))
    section_open = False
    paragraph = []
    entry = None  # [term, [text lines]]

    def flush():
        nonlocal paragraph, entry
        if paragraph:
            out.extend([".PP"] + [esc(p) for p in paragraph])
            paragraph = []
        if entry:
            out.extend([".TP", f".B {esc(entry[0])}"] + [esc(t) for t in entry[1]])
            entry = None

    body = lines[1:]
    out.append(".SH DESCRIPTION")
    for line in body:
        if not line.strip():
            flush()
            continue
        heading = re.fullmatch(r"([A-Z][A-Za-z ]*):", line)
        if heading:
            flush()
            out.append(f".SH {heading.group(1).upper()}")
            section_open = True
            continue
        m = re.match(r"^  (\S.*?)(?:\s{2,}(\S.*))?$", line)
        if section_open and line.startswith("  ") and not line.startswith("    ") and m:
            flush()
            entry = [m.group(1), [m.group(2)] if m.group(2) else []]
            continue
        if entry and line.startswith("    "):
            entry[1].append(line.strip())
            continue
        flush() if entry else None
        paragraph.append(line.strip())
    flush()
    return out


def inline(text):
    """Markdown's inline marks to roff: links keep their text, code and bold become bold."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)
    out = ""
    for p in re.split(r"(`[^`]*`|\*\*[^*]+\*\*)", text):
        if p.startswith("`") and p.endswith("`") and len(p) >= 2:
            out += "\\fB" + esc(p[1:-1]).removeprefix("\\&") + "\\fR"
        elif p.startswith("**") and p.endswith("**") and len(p) >= 4:
            out += "\\fB" + esc(p[2:-2]).removeprefix("\\&") + "\\fR"
        else:
            out += esc(p) if not out else esc(p).removeprefix("\\&")
    return out


def table_cells(line):
    """The cells of a Markdown table row; a | inside `code` does not split."""
    cells, cell, code = [], "", False
    for c in line.strip().strip("|"):
        if c == "`":
            code = not code
        if c == "|" and not code:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += c
    return cells + [cell.strip()]


def from_markdown(name, section, summary, version, text, wanted):
    out = header(name, section, summary, version)
    keep = not wanted
    lines = text.split("\n")
    i = 0
    table_head = None
    while i < len(lines):
        line = lines[i]
        i += 1
        h2 = re.match(r"^## (.*)", line)
        if h2:
            keep = not wanted or h2.group(1).strip() in wanted
            if keep:
                out.append(f".SH {esc(h2.group(1).strip().upper())}")
            continue
        if not keep or line.startswith("# ") or not line.strip():
            table_head = None if not line.strip() else table_head
            continue
        if line.startswith("```"):
            out += [".PP", ".nf"]
            while i < len(lines) and not lines[i].startswith("```"):
                out.append(esc(lines[i]))
                i += 1
            i += 1
            out.append(".fi")
            continue
        h3 = re.match(r"^###+ (.*)", line)
        if h3:
            out.append(f".SS {esc(h3.group(1).strip())}")
            continue
        if line.startswith("|"):
            cells = table_cells(line)
            if all(re.fullmatch(r":?-+:?", c) for c in cells):
                continue
            if table_head is None:
                table_head = cells
                continue
            out += [".TP", inline(cells[0])]
            for k, c in enumerate(cells[1:], start=1):
                last = k == len(cells) - 1
                out.append(inline(c) if last else f"{esc(table_head[k])}: {inline(c)}")
                if not last:
                    out.append(".br")
            continue
        item = re.match(r"^(\s*)[-*] (.*)", line)
        # A paragraph or a list item runs to the next blank line, item or block.
        text_lines = [item.group(2) if item else line.strip()]
        while i < len(lines) and lines[i].strip() and not re.match(r"^\s*([-*] |```|#|\|)", lines[i]):
            text_lines.append(lines[i].strip())
            i += 1
        out += ([".IP \\(bu 2"] if item else [".PP"]) + [inline(" ".join(text_lines))]
    return out


def main(argv):
    if len(argv) < 6 or argv[1] not in ("help", "markdown"):
        sys.stderr.write(__doc__)
        return 2
    mode, name, section, summary, version = argv[1:6]
    if mode == "help":
        lines = from_help(name, section, summary, version, sys.stdin.read())
    else:
        with open(argv[6], encoding="utf-8") as f:
            lines = from_markdown(name, section, summary, version, f.read(), set(argv[7:]))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
