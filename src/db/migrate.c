#include "db/migrate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/embed.h"
#include "core/log.h"
#include "core/rand.h"

/* An arbitrary constant that names "kwaliteitsregister migrations" among advisory locks. */
#define MIGRATION_LOCK_KEY "727073690001"

typedef struct {
  int version;
  const char *name; /* file name without the "sql/" prefix */
  const embed_file *file;
  char checksum[65];
} migration;

#define MAX_MIGRATIONS 512

/* Embedded migrations in version order (the generated table is sorted by name). */
static int list_migrations(migration *out, int max) {
  int n = 0;
  for (const embed_file *f = embed_files; f->name && n < max; f++) {
    if (strncmp(f->name, "sql/", 4) != 0) continue;
    out[n].version = atoi(f->name + 4);
    out[n].name = f->name + 4;
    out[n].file = f;
    hash_sha256_hex(f->start, embed_size(f), out[n].checksum);
    n++;
  }
  return n;
}

static migration all[MAX_MIGRATIONS];
static int all_count;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;
static void load_all(void) { all_count = list_migrations(all, MAX_MIGRATIONS); }

int db_migration_count(void) {
  pthread_once(&all_once, load_all);
  return all_count;
}

static bool command(PGconn *pg, const char *sql, char *err, size_t err_size) {
  PGresult *r = PQexec(pg, sql);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) snprintf(err, err_size, "%s", PQresultErrorMessage(r));
  PQclear(r);
  return ok;
}

/* Recorded checksum of a version, or NULL; the result stays owned by `recorded`. */
static const char *recorded_checksum(PGresult *recorded, int version) {
  for (int i = 0; i < PQntuples(recorded); i++)
    if (atoi(PQgetvalue(recorded, i, 0)) == version) return PQgetvalue(recorded, i, 1);
  return NULL;
}

static bool apply_all(PGconn *pg, int *applied, char *err, size_t err_size) {
  int n = db_migration_count();
  const migration *m = all;
  if (!command(pg,
               "CREATE TABLE IF NOT EXISTS schema_migrations ("
               " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
               " applied_at timestamptz NOT NULL DEFAULT now())",
               err, err_size))
    return false;
  PGresult *recorded = PQexec(pg, "SELECT version, checksum FROM schema_migrations");
  if (PQresultStatus(recorded) != PGRES_TUPLES_OK) {
    snprintf(err, err_size, "%s", PQresultErrorMessage(recorded));
    PQclear(recorded);
    return false;
  }
  bool ok = true;
  for (int i = 0; i < n && ok; i++) {
    const char *sum = recorded_checksum(recorded, m[i].version);
    if (sum) {
      if (strcmp(sum, m[i].checksum) != 0) {
        snprintf(err, err_size,
                 "migration %s was edited after it was applied (recorded checksum %.12s…, file "
                 "%.12s…): add a new migration instead",
                 m[i].name, sum, m[i].checksum);
        ok = false;
      }
      continue;
    }
    ok = command(pg, "BEGIN", err, err_size);
    if (ok) {
      /* The file is a NUL-terminated embedded text: PQexec runs all its statements. */
      PGresult *r = PQexec(pg, m[i].file->start);
      ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
      if (!ok) snprintf(err, err_size, "migration %s failed: %s", m[i].name, PQresultErrorMessage(r));
      PQclear(r);
    }
    if (ok) {
      char version[16];
      snprintf(version, sizeof version, "%d", m[i].version);
      const char *values[] = {version, m[i].name, m[i].checksum};
      PGresult *r = PQexecParams(
          pg, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", 3,
          NULL, values, NULL, NULL, 0);
      ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      if (!ok) snprintf(err, err_size, "%s", PQresultErrorMessage(r));
      PQclear(r);
    }
    if (ok) ok = command(pg, "COMMIT", err, err_size);
    if (ok) {
      log_msg(LOG_INFO, "applied migration %s", m[i].name);
      if (applied) (*applied)++;
    } else {
      char ignored[8];
      command(pg, "ROLLBACK", ignored, sizeof ignored);
    }
  }
  PQclear(recorded);
  return ok;
}

bool db_migrate(const char *url, int *applied, char *err, size_t err_size) {
  if (applied) *applied = 0;
  const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
  const char *vals[] = {url, "10", "kwaliteitsregister-migrate", NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  if (PQstatus(pg) != CONNECTION_OK) {
    snprintf(err, err_size, "cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
    PQfinish(pg);
    return false;
  }
  bool ok = command(pg, "SET client_min_messages = warning", err, err_size) &&
            command(pg, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", err, err_size);
  if (ok) {
    ok = apply_all(pg, applied, err, err_size);
    char ignored[8];
    command(pg, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", ignored, sizeof ignored);
  }
  PQfinish(pg);
  return ok;
}

bool db_schema_current(PGconn *pg) {
  int n = db_migration_count();
  const migration *m = all;
  PGresult *recorded = PQexec(pg, "SELECT version, checksum FROM schema_migrations");
  bool current = PQresultStatus(recorded) == PGRES_TUPLES_OK;
  for (int i = 0; current && i < n; i++) {
    const char *sum = recorded_checksum(recorded, m[i].version);
    current = sum && strcmp(sum, m[i].checksum) == 0;
  }
  PQclear(recorded);
  return current;
}
