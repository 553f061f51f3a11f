"""EXPLAIN of every statement of bench/sql/<scenario>.sql with concrete values (the first id of its
rotating list), plus the plans of the statements nested in the SQL functions they call (auto_explain
with log_nested_statements, sent to the client). Flags every Seq Scan on a table of more than
10,000 rows. Writes run inside a transaction that is rolled back. Never fails the run.
Usage: explain.py DATABASE_URL SQL_DIR [VAR=VALUE ...]"""
import glob
import json
import os
import re
import subprocess
import sys

from db import PSQL, query

LARGE = 10000


def literal(v):
    return "'" + str(v).replace("'", "''") + "'"


def substitute(sql, env):
    return re.sub(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)", lambda m: literal(env[m.group(1)]) if m.group(1) in env else m.group(0), sql)


def statements(path, env):
    """The script's SQL statements with values substituted; \\set and \\gset evaluated."""
    out, buf = [], []
    for line in open(path):
        s = line.strip()
        if not s or s.startswith("--"):
            continue
        if s.startswith("\\set"):
            _, name, expr = s.split(None, 2)
            m = re.match(r"random\((.+),", expr)
            env[name] = 1 if m else eval(re.sub(r":(\w+)", lambda x: str(env[x.group(1)]), expr).replace("/", "//"))
            continue
        buf.append(line.rstrip("\n"))
        if s.endswith("\\gset"):
            sql = substitute("\n".join(buf)[: -len("\\gset")].rstrip(), env)
            cols = query(os.environ["EXPLAIN_DB"], sql)
            select_list = sql[len("SELECT "):sql.index(" FROM ")]
            names = [item.strip().split()[-1] for item in select_list.split(",")]
            env.update(zip(names, cols[0]))
            buf = []
        elif s.endswith(";"):
            out.append(substitute("\n".join(buf), env))
            buf = []
    return out


def seq_scans(plan, found):
    if plan.get("Node Type") == "Seq Scan":
        found.add(plan.get("Relation Name"))
    for child in plan.get("Plans", []):
        seq_scans(child, found)
    return found


def main():
    url, sql_dir = sys.argv[1:3]
    os.environ["EXPLAIN_DB"] = url
    base_env = dict(a.split("=", 1) for a in sys.argv[3:])
    sizes = dict(query(url, "SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                            " WHERE n.nspname = 'public' AND c.relkind = 'r'"))
    flagged_any = False
    for path in sorted(glob.glob(os.path.join(sql_dir, "*.sql"))):
        scenario = os.path.basename(path)[:-4]
        env = dict(base_env)
        env.setdefault("n", 1)
        stmts = [s for s in statements(path, env) if not re.match(r"\s*(BEGIN|COMMIT|SET )", s, re.I)]
        script = ["BEGIN;", "LOAD 'auto_explain';", "SET auto_explain.log_min_duration = 0;",
                  "SET auto_explain.log_nested_statements = on;", "SET auto_explain.log_format = json;"]
        for s in stmts:
            script.append("SET client_min_messages = warning;")
            script.append("EXPLAIN (FORMAT JSON) " + s)
            script.append("SET client_min_messages = log;")
            script.append(s)
        script.append("ROLLBACK;")
        proc = subprocess.run([PSQL, url, "-X", "-At", "-v", "ON_ERROR_STOP=1"], input="\n".join(script),
                              capture_output=True, text=True)
        plans = []
        for m in re.finditer(r"^\[\s*\{.*?^\]$", proc.stdout, re.S | re.M):
            plans.append(("statement", json.loads(m.group(0))[0]["Plan"]))
        for m in re.finditer(r"plan:\s*\n(\{.*?\n\})", proc.stderr, re.S):
            try:
                p = json.loads(m.group(1))
                plans.append(("nested", p["Plan"]))
            except (ValueError, KeyError):
                pass
        big = {}
        for kind, p in plans:
            for rel in seq_scans(p, set()):
                if rel and float(sizes.get(rel, 0)) > LARGE:
                    big[rel] = sizes[rel]
        if proc.returncode != 0:
            print(f"{scenario:12s} could not EXPLAIN: {proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else proc.returncode}")
        elif big:
            flagged_any = True
            print(f"{scenario:12s} SEQ SCAN on a large table: " + ", ".join(f"{r} (~{int(float(n)):,} rows)" for r, n in big.items())
                  + f"  [{len(stmts)} statements, {len(plans)} plans]")
        else:
            print(f"{scenario:12s} ok: no Seq Scan on a table over {LARGE:,} rows  [{len(stmts)} statements, {len(plans)} plans incl. nested]")
    if flagged_any:
        print("(flagged plans do not fail the run; see the SQL and its indexes)")


main()
