"""One run's figures as a JSON line, from wrk's or pgbench's output on stdin.
Usage: record.py TARGET ROUND SCENARIO CONNS CLK_TCK APP_TICKS0 APP_TICKS1 PG_TICKS0 PG_TICKS1 VMHWM_KIB"""
import json
import re
import sys

target, rnd, scenario, conns, clk, a0, a1, p0, p1, hwm = sys.argv[1:11]
out = sys.stdin.read()


def ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    if not m:
        return None
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[m.group(2)]


def find(pattern, cast=float):
    m = re.search(pattern, out, re.M)
    return cast(m.group(1)) if m else None


rec = {"target": target, "round": int(rnd), "scenario": scenario, "conns": int(conns)}
if target == "pgbench":
    done = find(r"number of transactions actually processed: (\d+)", int) or 0
    rec.update(rps=find(r"^tps = ([\d.]+)"), avg_ms=find(r"latency average = ([\d.]+) ms"), requests=done,
               errors=find(r"number of failed transactions: (\d+)", int) or (0 if done else 1))
else:
    done = find(r"^\s*(\d+) requests in", int) or 0
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    rec.update(rps=find(r"^Requests/sec:\s+([\d.]+)"), requests=done,
               p50_ms=ms(p50.group(1)) if p50 else None, p99_ms=ms(p99.group(1)) if p99 else None,
               errors=(find(r"Non-2xx or 3xx responses: (\d+)", int) or 0)
               + sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out)),
               rss_kib=int(hwm) if hwm not in ("", "0") else None)
    rec["app_cpu_us"] = (int(a1) - int(a0)) / int(clk) * 1e6 / done if done else None
rec["pg_cpu_us"] = (int(p1) - int(p0)) / int(clk) * 1e6 / done if done else None
print(json.dumps(rec))
