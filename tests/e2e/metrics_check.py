#!/usr/bin/env python3
"""Checks a Prometheus text exposition (format 0.0.4) read from stdin and prints samples as JSON.

Checks: every sample line parses; every family has one HELP and one TYPE line before its samples;
counter names end in _total; histogram buckets are cumulative and end with le="+Inf" equal to
_count. Prints {"name{labels}": value, ...} on success; exits 1 with the offending line otherwise.
"""
import json
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def fail(msg):
    print("metrics_check: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    helps, types, samples = {}, {}, {}
    buckets = {}
    for n, line in enumerate(sys.stdin.read().splitlines(), 1):
        if not line:
            continue
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if name in helps:
                fail(f"line {n}: second HELP for {name}")
            helps[name] = True
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            if name in types:
                fail(f"line {n}: second TYPE for {name}")
            if kind not in ("counter", "gauge", "histogram", "summary", "untyped"):
                fail(f"line {n}: unknown type {kind}")
            if kind == "counter" and not name.endswith("_total"):
                fail(f"line {n}: counter {name} does not end in _total")
            types[name] = kind
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            fail(f"line {n}: not a sample: {line!r}")
        name, labels, value = m.group(1), m.group(3) or "", m.group(4)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if re.sub(r"_(bucket|sum|count)$", "", name) in types else name
        if family not in types or family not in helps:
            fail(f"line {n}: sample of {family} before its HELP/TYPE")
        v = float(value.replace("+Inf", "inf"))
        key = name + ("{" + labels + "}" if labels else "")
        samples[key] = v
        if name.endswith("_bucket") and types.get(family) == "histogram":
            ls = dict(LABEL.findall(labels))
            le = ls.pop("le")
            series = family + json.dumps(sorted(ls.items()))
            prev = buckets.get(series)
            if prev is not None and v < prev[1]:
                fail(f"line {n}: bucket le={le} below the previous one")
            buckets[series] = (le, v)
    for series, (le, v) in buckets.items():
        if le != "+Inf":
            fail(f"histogram {series} does not end with le=\"+Inf\"")
    json.dump(samples, sys.stdout)


main()
