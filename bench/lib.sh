# Shared by the benchmarks: build, a throwaway PostgreSQL cluster, the server, and wrk/pgbench
# helpers. Source it from the repository root; call bench_setup SECONDS first.

. deploy/local/lib.sh

bench_setup() {
  KR_APT_PACKAGES+=(wrk curl postgresql-contrib)
  kr_install_deps
  kr_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
  duration=$1
  threads=${BENCH_HTTP_THREADS:-4} conns=32
  PGBENCH=$KR_PG_BIN/pgbench
  work=$(mktemp -d /tmp/kr-bench.XXXXXX)
  chmod 755 "$work"
  server_pid="" base_pid=""
  trap bench_cleanup EXIT
  # BENCH_PG_DIR: a cluster folder kept between runs (bench/read-path --data); else a throwaway one
  pg_dir=${BENCH_PG_DIR:-$work/pg}
  kr_pg_start "$pg_dir" "$(free_port)" bench
  export DATABASE_URL=$KR_PG_URL
  export JWT_SECRET=bench-secret-bench-secret-bench-secret-0123
  export BOOTSTRAP_ADMIN_USERNAME=admin BOOTSTRAP_ADMIN_PASSWORD=bench-admin-password
  export ADMIN_SECOND_FACTOR=optional # the benchmarks' admin loads data with a password alone
  export LOG_LEVEL=warning HTTP_THREADS=$threads DB_POOL_SIZE=8
  port=$(free_port)
  export PORT=$port
}

bench_cleanup() {
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -n "$base_pid" ] && kill -TERM "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null
  kr_pg_stop "${pg_dir:-$work/pg}"
  rm -rf "$work"
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Starts the server and waits for /healthz; $elapsed is how long that took (ms).
start_server() {
  local t0 t1
  t0=$(now_ms)
  build/kwaliteitsregister serve >"$work/server.log" 2>&1 &
  server_pid=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.005; done
  t1=$(now_ms)
  elapsed=$((t1 - t0))
}
stop_server() { kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""; }

# token USER PASSWORD [client_credentials]
token_for() {
  local body
  if [ "${3:-}" = client_credentials ]; then
    body="{\"grant_type\":\"client_credentials\",\"client_id\":\"$1\",\"client_secret\":\"$2\"}"
  else
    body="{\"grant_type\":\"password\",\"username\":\"$1\",\"password\":\"$2\"}"
  fi
  curl -s "http://127.0.0.1:$port/v1/auth/token" -H 'Content-Type: application/json' -d "$body" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
admin_token() { token_for admin bench-admin-password; }

# wrk prints "Requests/sec: N" and, with --latency, percentile lines.
wrk_run() { wrk -t2 -c"$conns" -d"${duration}s" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}'; }
p50() { awk '$1 == "50%" {print $2}'; }
p99() { awk '$1 == "99%" {print $2}'; }

# CPU: clock ticks a second, and the ticks of a process or a cluster.
clk=$(getconf CLK_TCK)
# CPU ticks of a process (all its threads); of the cluster: the postmaster, its live children, and
# the children that already ended (the postmaster's cutime/cstime).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
  local p pg_main=${1:-$pg_main}
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pg_main/stat"
    # A backend may end between pgrep and the read (its CPU is then in the postmaster's cutime);
    # under pipefail a failed read as the loop's last command would end the whole run.
    for p in $(pgrep -P "$pg_main"); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done
  } | awk '{t += $1} END {print t}'
}
# After a run, the backends of a client that ended must be gone and reaped, or their CPU is in
# neither sum: wait until the cluster has no more processes than before the run.
pg_settle() {
  local k pg_main=${2:-$pg_main}
  for k in $(seq 1 100); do [ "$(pgrep -c -P "$pg_main")" -le "$1" ] && break; sleep 0.05; done
  sleep 0.1
}

psql_bench() { "$KR_PG_BIN/psql" "$DATABASE_URL" -v ON_ERROR_STOP=1 -Atq "$@"; }

# Loads 1,500 organisations and 6,000 audits (each with an outcome of 49 scores and a decision;
# every organisation holds a certificate valid 2025-01-01..2026-12-31) straight into PostgreSQL.
# Sets body_id, load_ms and counts.
bench_load_label_data() {
body_id=00000000-0000-4000-8000-0000000000b1
t0=$(now_ms)
psql_bench <<SQL
INSERT INTO certifying_bodies (id, name) VALUES ('$body_id', 'Bench Certificering B.V.');
INSERT INTO certifying_body_agreements (certifying_body_id, valid_from) VALUES ('$body_id', '2019-01-01');
INSERT INTO organisations (name, kvk_number, city, municipality_codes, employees_fte)
  SELECT 'Stichting Welzijn ' || i, lpad((10000000 + i)::text, 8, '0'), 'Stad ' || (i % 60),
         ARRAY['GM' || lpad((i % 350)::text, 4, '0')], 25
  FROM generate_series(1, 1500) i;
INSERT INTO audits (organisation_id, certifying_body_id, kind, type, framework_version, planned_on, scope, status)
  SELECT o.id, '$body_id', 'external', CASE WHEN k = 0 THEN 'initial' ELSE 'recertification' END, '2019',
         date '2019-06-01' + k * 700, '{"wholeOrganisation":true,"parts":[],"employees":25,"businessCriticalVolunteers":0}',
         'granted'
  FROM organisations o, generate_series(0, 3) k;
INSERT INTO audit_outcomes (audit_id, audited_on, auditors, advice, report_reference, met, partially_met, not_met, meets_threshold)
  SELECT id, planned_on, '{A. Auditor}', 'positive', 'RAP-' || id, 47, 2, 0, true FROM audits;
INSERT INTO audit_outcome_scores (audit_id, norm_code, position, score, finding)
  SELECT a.id, n.code, n.position, CASE WHEN n.position <= 2 THEN 'partially_met' ELSE 'met' END, 'Bevinding ' || n.code
  FROM audits a JOIN norms n ON n.framework_version = '2019';
INSERT INTO audit_decisions (audit_id, granted, note, decided_on)
  SELECT id, true, 'Toegekend', planned_on + 30 FROM audits;
INSERT INTO certificates (certificate_number, organisation_id, audit_id, framework_version, certifying_body_id, valid_from, valid_until)
  SELECT 'KSW-2025-' || lpad(row_number() OVER (ORDER BY a.id)::text, 6, '0'), a.organisation_id, a.id, '2019',
         '$body_id', date '2025-01-01', date '2026-12-31'
  FROM audits a WHERE a.planned_on = date '2019-06-01' + 3 * 700;
INSERT INTO certificate_events (certificate_id, type, effective_on) SELECT id, 'issued', valid_from FROM certificates;
ANALYZE;
SQL
# Rows loaded behind the service's back get their stored statuses (sql/0006) from `migrate`.
build/kwaliteitsregister migrate >/dev/null
load_ms=$(( $(now_ms) - t0 ))
counts=$(psql_bench -c "SELECT (SELECT count(*) FROM organisations) || ' organisations, ' || (SELECT count(*) FROM audits) || ' audits, ' || (SELECT count(*) FROM audit_outcome_scores) || ' scores, ' || (SELECT count(*) FROM certificates) || ' certificates'")
}
