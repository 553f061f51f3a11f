# Shared by deploy/local/run and tests/run: install what is missing, build, and run a private
# PostgreSQL 15 cluster inside the project folder. Source it from the repository root.

KR_PG_BIN=/usr/lib/postgresql/15/bin

kr_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
kr_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages the build, the service and the tests need.
KR_APT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl tzdata openssl
  libulfius-dev libjansson-dev libjwt-dev liborcania-dev libpq-dev libargon2-dev libssl-dev
  libmicrohttpd-dev libcurl4-gnutls-dev
  postgresql-15 postgresql-client-15
  python3 python3-yaml python3-pytest python3-requests python3-jsonschema python3-cryptography python3-jwt
  python3-aiosmtpd
)

# Installs the Debian packages that are missing (as root); a second run finds nothing to do.
kr_install_deps() {
  local missing=() p
  for p in "${KR_APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js and npm for the contract tools; any install that provides them will do.
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || kr_die "missing packages: ${missing[*]} (run as root, or install them)"
  kr_say "Installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
}

# npm tools pinned by package-lock.json (linter, type generator, docs page assets).
kr_npm_ci() {
  # npm records what it installed in node_modules/.package-lock.json: newer than the lockfile
  # means the tools are current.
  if [ node_modules/.package-lock.json -nt package-lock.json ] \
     && [ node_modules/.package-lock.json -nt package.json ]; then
    return 0
  fi
  kr_say "Installing the pinned npm tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
}

# kr_build DIR [cmake options...]: configure once, then build incrementally.
kr_build() {
  local dir=$1; shift
  kr_say "Building $dir"
  mkdir -p "$dir"
  if ! { cmake -S . -B "$dir" "$@" && cmake --build "$dir" -j "$(nproc)"; } >"$dir/build.log" 2>&1; then
    cat "$dir/build.log" >&2
    kr_die "the build in $dir failed"
  fi
}

# Runs a PostgreSQL tool as the postgres system user when we are root (initdb and postgres
# refuse to run as root), else as ourselves.
kr_as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Makes sure the postgres user can reach DIR: every folder above it must let others pass
# through (a checkout under a 0700 folder would not).
kr_let_postgres_through() {
  local d
  d=$(dirname "$(cd "$1" && pwd)")
  while [ "$d" != "/" ]; do
    if [ "$(stat -c %A "$d" | cut -c10)" != "x" ] && [ "$(stat -c %A "$d" | cut -c10)" != "t" ]; then
      kr_say "Letting the postgres user pass through $d (chmod o+x)"
      chmod o+x "$d"
    fi
    d=$(dirname "$d")
  done
}

# kr_pg_start DIR PORT DBNAME: initdb once, start if not running, create the database once.
# Prints nothing; sets KR_PG_URL.
kr_pg_start() {
  local dir=$1 port=$2 db=$3
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$dir"
    chmod 700 "$dir"
    kr_let_postgres_through "$dir"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    kr_say "Creating a private PostgreSQL 15 cluster in $dir"
    kr_as_pg "$KR_PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null
  fi
  if ! kr_as_pg "$KR_PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    kr_say "Starting PostgreSQL on port $port (socket in $dir)"
    kr_as_pg "$KR_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-k $dir -p $port -c listen_addresses=''" start >/dev/null \
      || kr_die "PostgreSQL did not start; see $dir/postgres.log"
  fi
  KR_PG_URL="postgresql:///$db?host=$dir&port=$port&user=postgres"
  if ! "$KR_PG_BIN/psql" "postgresql:///postgres?host=$dir&port=$port&user=postgres" -Atqc \
       "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    "$KR_PG_BIN/psql" "postgresql:///postgres?host=$dir&port=$port&user=postgres" -qc "CREATE DATABASE $db" >/dev/null
  fi
}

kr_pg_stop() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  kr_as_pg "$KR_PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}
