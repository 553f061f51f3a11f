/* migrate.h: schema migrations, embedded from sql/NNNN_name.sql.
 *
 * Applied in order, each in its own transaction together with its row in schema_migrations
 * (version, name, SHA-256 checksum). The whole run holds a PostgreSQL advisory lock, so replicas
 * that start together never race. An applied migration whose text changed is refused. */
#ifndef KR_DB_MIGRATE_H
#define KR_DB_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* Connects to url, applies what is missing and disconnects. Returns false with a message in err.
 * *applied receives how many migrations this call applied (may be NULL). */
bool db_migrate(const char *url, int *applied, char *err, size_t err_size);

/* True when every embedded migration is recorded with its checksum, on an open connection. */
bool db_schema_current(PGconn *pg);

/* How many migrations the binary carries. */
int db_migration_count(void);

#endif
