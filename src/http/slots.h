/* slots.h: the server's connection slots, kept for clients that send requests.
 *
 * libmicrohttpd's own timeout only closes a connection that sends nothing at all: a client
 * sending one header byte every few seconds holds its slot for ever, and a thousand such
 * clients hold them all. Here every connection has a deadline for the phase it is in:
 *   waiting  from its accept, or the end of its previous answer, until its headers are in:
 *            HEADER_TIMEOUT_SECONDS (this is also how long an idle keep-alive connection lives);
 *   body     from its headers until its body is in: BODY_TIMEOUT_SECONDS;
 *   busy     while its handler runs and its answer is sent: no deadline of ours.
 * A watchdog thread cuts (shutdown(2), libmicrohttpd then closes) connections past their
 * deadline, and when more than seven eighths of MAX_CONNECTIONS are open it cuts the ones that
 * have waited longest for a request (at least 200 ms) until three quarters are, so that new
 * clients find free slots.
 *
 * The server registers http_slots_notify as libmicrohttpd's connection callback and reports
 * each connection's phase; this module owns the slot records (one per open connection, with
 * the memory its requests use, freed when libmicrohttpd reports it closed) and its thread. */
#ifndef KR_HTTP_SLOTS_H
#define KR_HTTP_SLOTS_H

#include <microhttpd.h>
#include <stdbool.h>

typedef enum { SLOT_WAITING, SLOT_BODY, SLOT_BUSY } slot_phase;

/* Starts the watchdog; false when its thread cannot start. max_connections as given to
 * libmicrohttpd; deadlines in milliseconds; request_memory: the bytes each connection keeps for
 * the request it is serving (http_slots_request_memory). */
bool http_slots_start(int max_connections, int header_timeout_ms, int body_timeout_ms,
                      size_t request_memory);
/* Stops the watchdog (before the daemon stops). */
void http_slots_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION: a slot record per connection, from start to close. */
void http_slots_notify(void *cls, struct MHD_Connection *connection, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
/* The connection's request moved to `phase` (the clock of its deadline starts now). */
void http_slots_enter(struct MHD_Connection *connection, slot_phase phase);

/* The connection's memory for one request (requests on a connection come one after another):
 * request_memory bytes, allocated with the connection's record, reused for its next request and
 * freed when it closes; not cleared here. NULL when the connection has no record. */
void *http_slots_request_memory(struct MHD_Connection *connection);

/* Open connections and those cut by the watchdog since start (for tests and metrics). */
int http_slots_open(void);
long http_slots_cut(void);

#endif
