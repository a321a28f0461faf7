"""Summarise bench/load.sh: medians over the repetitions of each mode and
pipeline, ours as a ratio to the baseline measured in the same run. Exits 1
only when data was lost (never on speed)."""
import json
import statistics
import sys

work, reps, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = [
    ("spans_per_sec", "spans/s sustained", "{:.0f}"),
    ("cpu_us_per_span", "CPU us per span", "{:.1f}"),
    ("cpu_avg_percent", "CPU avg % of one core", "{:.0f}"),
    ("rss_max_mib", "peak RSS MiB", "{:.0f}"),
    ("requests", "requests upstream", "{:.0f}"),
    ("items_per_request", "spans|runs per request", "{:.1f}"),
    ("items_lost", "spans|runs lost", "{:.0f}"),
    ("drain_seconds", "drain after send, s", "{:.1f}"),
    ("send_errors", "send errors", "{:.0f}"),
]
lost = 0
for mode in modes:
    if mode == "overload":
        # Ours alone, with a 32 MiB agent_span budget (configs/langsmith-small.yaml).
        res = [json.load(open(f"{work}/{mode}-langsmith-small-{r}.json")) for r in range(1, reps + 1)]
        print()
        print(f"overload, 10x the connections, max_buffered_bytes 32 MiB (median of {reps})")
        for key, label, fmt in rows:
            print(f"  {label:26s}{fmt.format(statistics.median(x[key] for x in res)):>12s}")
        peak = max(x["rss_max_mib"] for x in res)
        print(f"  {'peak RSS, worst run':26s}{peak:>12.0f}  (budget + 64 MiB = 96: {'within' if peak <= 96 else 'OVER'})")
        lost += sum(x["items_lost"] for x in res)
        continue
    res = {p: [json.load(open(f"{work}/{mode}-{p}-{r}.json")) for r in range(1, reps + 1)] for p in ("baseline", "langsmith")}
    med = {p: {k: statistics.median(x[k] for x in res[p]) for k, _, _ in rows} for p in res}
    print()
    print(f"{mode} (median of {reps}; baseline counts spans, ours LangSmith runs)")
    print(f"  {'':26s}{'baseline':>12s}{'langsmith':>12s}{'ratio':>8s}")
    for key, label, fmt in rows:
        b, o = med["baseline"][key], med["langsmith"][key]
        ratio = f"{o / b:8.2f}" if b else f"{'':8s}"
        print(f"  {label:26s}{fmt.format(b):>12s}{fmt.format(o):>12s}{ratio}")
    lost += sum(x["items_lost"] for p in res for x in res[p])
if lost:
    print(f"\nLOST: {lost} spans/runs did not arrive")
    sys.exit(1)
