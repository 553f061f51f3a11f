"""The markdown results table from runs.jsonl: medians over the rounds with min-max, and the
ratios service/peer (requests/s, CPU per request) and service/pgbench (requests/s vs tps); with a
service beside (bench/read-path --beside), its rows and each scenario's throughput at the larger
scale against the smaller, per round (the two ran next to each other), median and min-max.
Usage: report.py RUNS.jsonl [SCALE BESIDE_SCALE]"""
import json
import statistics
import sys
from collections import defaultdict

runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
scale = sys.argv[2] if len(sys.argv) > 2 else None
beside_scale = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None
LABELS = {"service": "service", "peer": "peer", "pgbench": "pgbench"}
if beside_scale:
    LABELS.update(service=f"service, scale {scale}", beside=f"service, scale {beside_scale}")
by = defaultdict(list)
for r in runs:
    by[(r["scenario"], r["target"], r["conns"])].append(r)

NAMES = {
    "certificate": "public certificate lookup",
    "check": "municipal single check (+1 log row)",
    "bulk": "bulk check of 100 (+1 log row of 100)",
    "activities": "activity page (20 items, own token)",
    "outcome": "outcome PUT (49 scores)",
    "register": "public register lookup (rate-limited)",
}


def values(rows, key):
    return [r[key] for r in rows if r.get(key) is not None]


def med(rows, key):
    v = values(rows, key)
    return statistics.median(v) if v else None


def fmt(x, digits=0):
    if x is None:
        return "–"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def spread(rows, key, digits=0):
    v = values(rows, key)
    if not v:
        return "–"
    m = statistics.median(v)
    if len(v) == 1:
        return fmt(m, digits)
    return f"{fmt(m, digits)} ({fmt(min(v), digits)}–{fmt(max(v), digits)})"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


print("| scenario | conns | target | requests/s | p50 ms | p99 ms | app CPU µs/req | PostgreSQL CPU µs/req | peak RSS MiB | errors |")
print("|---|---|---|---|---|---|---|---|---|---|")
for scenario in NAMES:
    for conns in sorted({k[2] for k in by if k[0] == scenario}):
        for target in ("service", "beside", "peer", "pgbench"):
            rows = by.get((scenario, target, conns))
            if not rows:
                continue
            rss = max(values(rows, "rss_kib"), default=None)
            p50 = spread(rows, "p50_ms", 2) if target != "pgbench" else f"avg {spread(rows, 'avg_ms', 2)}"
            print(f"| {NAMES[scenario]} | {conns} | {LABELS[target]} | {spread(rows, 'rps')} | {p50} | "
                  f"{spread(rows, 'p99_ms', 1) if target != 'pgbench' else '–'} | {spread(rows, 'app_cpu_us')} | "
                  f"{spread(rows, 'pg_cpu_us')} | {fmt(rss / 1024, 1) if rss else '–'} | {sum(values(rows, 'errors'))} |")

if any(k[1] in ("peer", "pgbench") for k in by):
    print()
    print("Ratios of medians (requests/s: higher is better for the service above 1; CPU: below 1 means the service spends less):")
    print()
    print("| scenario | conns | service/peer requests/s | service/peer app CPU per request | service/peer PostgreSQL CPU per request | service/pgbench requests/s | p50 service / peer |")
    print("|---|---|---|---|---|---|---|")
    for scenario in NAMES:
        for conns in sorted({k[2] for k in by if k[0] == scenario}):
            s, p, g = (by.get((scenario, t, conns), []) for t in ("service", "peer", "pgbench"))
            if not s:
                continue
            print(f"| {NAMES[scenario]} | {conns} | {ratio(med(s, 'rps'), med(p, 'rps'))} | "
                  f"{ratio(med(s, 'app_cpu_us'), med(p, 'app_cpu_us'))} | {ratio(med(s, 'pg_cpu_us'), med(p, 'pg_cpu_us'))} | "
                  f"{ratio(med(s, 'rps'), med(g, 'rps'))} | {ratio(med(s, 'p50_ms'), med(p, 'p50_ms'))} |")

if beside_scale:
    big, small = ("service", "beside") if int(scale) > int(beside_scale) else ("beside", "service")
    hi, lo = max(int(scale), int(beside_scale)), min(int(scale), int(beside_scale))
    print()
    print(f"The service at scale {hi} against scale {lo}, requests/s, round by round (the two ran one after the other):")
    print()
    print(f"| scenario | conns | scale {hi} / scale {lo}, median of rounds (min–max) | app CPU µs/req, scale {hi} / {lo} | PostgreSQL CPU µs/req, scale {hi} / {lo} |")
    print("|---|---|---|---|---|")
    for scenario in NAMES:
        for conns in sorted({k[2] for k in by if k[0] == scenario}):
            a = {r["round"]: r for r in by.get((scenario, big, conns), [])}
            b = {r["round"]: r for r in by.get((scenario, small, conns), [])}
            rs = [a[k]["rps"] / b[k]["rps"] for k in a if k in b and a[k].get("rps") and b[k].get("rps")]
            if not rs:
                continue
            text = f"{statistics.median(rs):.2f}" + (f" ({min(rs):.2f}–{max(rs):.2f})" if len(rs) > 1 else "")
            ra, rb = list(a.values()), list(b.values())
            print(f"| {NAMES[scenario]} | {conns} | {text} | {fmt(med(ra, 'app_cpu_us'))} / {fmt(med(rb, 'app_cpu_us'))} | "
                  f"{fmt(med(ra, 'pg_cpu_us'))} / {fmt(med(rb, 'pg_cpu_us'))} |")
