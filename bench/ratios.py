"""Print each benchmark's median ns/op and B/op as a ratio to its package's
baseline (the benchmark whose name starts with BenchmarkBaseline)."""
import re
import statistics
import sys
from collections import defaultdict

line_re = re.compile(r"^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) B/op)?")
pkg_re = re.compile(r"^pkg: (\S+)")

results = defaultdict(lambda: defaultdict(lambda: {"ns": [], "bytes": []}))
pkg = "?"
for line in open(sys.argv[1]):
    m = pkg_re.match(line)
    if m:
        pkg = m.group(1).rsplit("/", 1)[-1]
        continue
    m = line_re.match(line)
    if m:
        entry = results[pkg][m.group(1)]
        entry["ns"].append(float(m.group(2)))
        if m.group(3):
            entry["bytes"].append(float(m.group(3)))

for pkg, benches in results.items():
    baselines = [n for n in benches if n.startswith("BenchmarkBaseline")]
    if not baselines:
        continue
    base = benches[baselines[0]]
    base_ns = statistics.median(base["ns"])
    base_b = statistics.median(base["bytes"]) if base["bytes"] else None
    print(f"{pkg}: baseline {baselines[0]} = {base_ns:.0f} ns/op")
    for name, e in sorted(benches.items()):
        ns = statistics.median(e["ns"])
        mem = ""
        if base_b and e["bytes"]:
            mem = f"  memory x{statistics.median(e['bytes']) / base_b:.2f}"
        print(f"  {name:45s} time x{ns / base_ns:.2f}{mem}")
