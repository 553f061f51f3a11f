/* listen.h: LISTEN on a PostgreSQL channel from a thread of its own, calling back on each
 * notification. Its connection is not the pool's; when it breaks, the listener reconnects. */
#ifndef KR_DB_LISTEN_H
#define KR_DB_LISTEN_H

typedef struct db_listener db_listener;

/* Starts listening; NULL when no thread could start. on_notify runs on the listener's thread. */
db_listener *db_listen_start(const char *url, const char *channel, void (*on_notify)(void *arg), void *arg);
/* Stops, closes and frees; NULL is a no-op. */
void db_listen_stop(db_listener *l);

#endif
