#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <orcania.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <ulfius.h>
#include <unistd.h>

#include "core/text.h"
#include "http/edge.h"
#include "http/routes.h"
#include "http/slots.h"

/* Each connection's memory pool holds the request line and header fields and is cleared
 * (memset whole) between requests: 16 KiB, Node's header limit too, instead of libmicrohttpd's
 * 32 KiB halves the clearing, which was a third of the instructions of a small request. It holds
 * HTTP_URL_MAX_BYTES and HTTP_HEADERS_MAX_BYTES with room to spare, so that the edge, not
 * libmicrohttpd (whose 414/431 are fixed HTML), answers requests over those bounds; only what
 * is beyond the pool gets libmicrohttpd's answer. */
#define HTTP_CONNECTION_MEMORY (16 * 1024)

struct http_server {
  struct MHD_Daemon *daemon;
  struct sockaddr_in address;
};

/* Where an exchange is (http_exchange.stage): its request line is in; its headers are and the
 * route waits for the body; its answer was decided on the headers and waits to be sent; its
 * answer is sent. */
enum { STAGE_LINE, STAGE_BODY, STAGE_DECIDED, STAGE_ANSWERED };

/* MHD_OPTION_URI_LOG_CALLBACK: the request line is in. Its raw URI (before libmicrohttpd
 * decodes it) is the path the router matches; the exchange becomes the request's context. The
 * exchange (2.4 KiB, most of it the router's decoded parameters) lives in the connection's
 * memory: allocating and freeing it per request made glibc consolidate its fast bins every
 * time (3,300 instructions a request). */
static void *request_line(void *cls, const char *uri, struct MHD_Connection *connection) {
  (void)cls;
  http_exchange *x = http_slots_request_memory(connection);
  bool own = !x;
  if (own && !(x = malloc(sizeof *x))) return NULL;
  memset(x, 0, sizeof *x);
  x->own_memory = own;
  ulfius_init_request(&x->req);
  ulfius_init_response(&x->resp);
  x->req.http_url = o_strdup(uri);
  x->req.url_path = o_strndup(uri, strcspn(uri, "?"));
  return x;
}

/* MHD_OPTION_NOTIFY_COMPLETED: the answer is sent, or the connection is gone. */
static void request_done(void *cls, struct MHD_Connection *connection, void **context,
                         enum MHD_RequestTerminationCode code) {
  (void)cls;
  (void)code;
  http_exchange *x = *context;
  if (!x) return;
  if (x->stage == STAGE_BODY) http_edge_abandon(x);
  ulfius_clean_request(&x->req);
  ulfius_clean_response(&x->resp);
  if (x->own_memory) free(x);
  *context = NULL;
  http_slots_enter(connection, SLOT_WAITING);
}

/* Adds one header field or query parameter to a map; repeated names are joined with commas.
 * Header fields that are not UTF-8 are dropped; a query parameter that is not is remembered,
 * and answered with 400 if the route is reached. */
typedef struct {
  http_exchange *x;
  struct _u_map *map;
  bool query;
} fill_target;

static enum MHD_Result add_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
  (void)kind;
  fill_target *t = cls;
  if (!value) value = "";
  size_t key_len = strlen(key), value_len = strlen(value);
  if (!t->query) t->x->header_bytes += key_len + value_len + 4; /* ": " and CRLF */
  if (!text_utf8_valid(key, key_len) || !text_utf8_valid(value, value_len)) {
    if (t->query && !t->x->bad_query[0])
      snprintf(t->x->bad_query, sizeof t->x->bad_query, "%s",
               text_utf8_valid(key, key_len) ? key : "query");
    return MHD_YES;
  }
  const char *before = u_map_get(t->map, key);
  if (!before) return u_map_put(t->map, key, value) == U_OK ? MHD_YES : MHD_NO;
  size_t n = strlen(before) + value_len + 2;
  char *joined = malloc(n);
  if (!joined) return MHD_NO;
  snprintf(joined, n, "%s,%s", before, value);
  int rc = u_map_put(t->map, key, joined);
  free(joined);
  return rc == U_OK ? MHD_YES : MHD_NO;
}

static bool fill_request(http_exchange *x, struct MHD_Connection *connection, const char *method,
                         const char *version) {
  x->req.http_verb = o_strdup(method);
  x->req.http_protocol = o_strdup(version);
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  x->req.client_address = o_malloc(sizeof(struct sockaddr));
  if (!x->req.http_verb || !x->req.http_protocol || !x->req.client_address || !info) return false;
  memcpy(x->req.client_address, info->client_addr, sizeof(struct sockaddr));
  x->header_bytes = strlen(method) + strlen(x->req.http_url) + strlen(version) + 4;
  fill_target headers = {x, x->req.map_header, false}, query = {x, x->req.map_url, true};
  MHD_get_connection_values(connection, MHD_HEADER_KIND, add_value, &headers);
  MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, add_value, &query);
  return true;
}

/* Keeps at most body_limit + 1 bytes: one more than the route takes is enough for the edge to
 * answer 413, and the rest of a chunked body is read and dropped. */
static bool keep_body(http_exchange *x, const char *data, size_t size) {
  size_t keep_max = x->body_limit + 1, have = x->req.binary_body_length;
  if (have >= keep_max) return true;
  if (size > keep_max - have) size = keep_max - have;
  if (have + size > x->body_capacity) {
    size_t capacity = x->body_capacity ? x->body_capacity * 2 : 16 * 1024;
    while (capacity < have + size) capacity *= 2;
    if (capacity > keep_max) capacity = keep_max;
    void *grown = o_realloc(x->req.binary_body, capacity);
    if (!grown) return false;
    x->req.binary_body = grown;
    x->body_capacity = capacity;
  }
  memcpy((char *)x->req.binary_body + have, data, size);
  x->req.binary_body_length = have + size;
  return true;
}

/* Hands the edge's answer to libmicrohttpd; the body's buffer goes with it. */
static enum MHD_Result send_answer(struct MHD_Connection *connection, http_exchange *x) {
  x->stage = STAGE_ANSWERED;
  http_slots_enter(connection, SLOT_BUSY);
  struct _u_response *resp = &x->resp;
  struct MHD_Response *answer =
      resp->binary_body_length
          ? MHD_create_response_from_buffer(resp->binary_body_length, resp->binary_body,
                                            MHD_RESPMEM_MUST_FREE)
          : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  if (!answer) return MHD_NO;
  if (resp->binary_body_length) {
    resp->binary_body = NULL;
    resp->binary_body_length = 0;
  }
  for (int i = 0; i < resp->map_header->nb_values; i++)
    MHD_add_response_header(answer, resp->map_header->keys[i], resp->map_header->values[i]);
  enum MHD_Result queued = MHD_queue_response(connection, resp->status, answer);
  MHD_destroy_response(answer);
  return queued;
}

/* libmicrohttpd's access handler: called once the headers are in, then for each piece of the
 * body, then once more when the body is complete. The edge decides on the headers first, so a
 * refused request (401, 413, ...) is answered before any of its body is read, and no
 * "100 Continue" is sent for it. */
static bool body_announced(struct MHD_Connection *connection) {
  const char *length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
  if (length) return strtoull(length, NULL, 10) > 0;
  return MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding") != NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **context) {
  (void)cls;
  (void)url; /* decoded; the router matches the raw path kept by request_line */
  http_exchange *x = *context;
  if (!x || x->stage == STAGE_ANSWERED) return MHD_NO;
  if (x->stage == STAGE_LINE) {
    if (!fill_request(x, connection, method, version)) return MHD_NO;
    x->stage = STAGE_BODY;
    http_slots_enter(connection, SLOT_BODY);
    if (http_edge_begin(x)) return MHD_YES;
    http_edge_finish(x);
    /* Refused on its headers. With a body on its way, the answer goes now: libmicrohttpd then
     * reads none of it and closes the connection after the answer. Without one, it goes on
     * the call that follows at once, which keeps the connection open. */
    if (body_announced(connection)) return send_answer(connection, x);
    x->stage = STAGE_DECIDED;
    return MHD_YES;
  }
  if (*upload_size) {
    bool kept = x->stage == STAGE_DECIDED || keep_body(x, upload, *upload_size);
    *upload_size = 0;
    return kept ? MHD_YES : MHD_NO;
  }
  if (x->stage == STAGE_BODY) {
    x->stage = STAGE_DECIDED; /* the edge has the request from here */
    http_slots_enter(connection, SLOT_BUSY);
    http_edge_finish(x);
  }
  return send_answer(connection, x);
}

http_server *http_server_start(const config *cfg, char *err, size_t err_size) {
  http_server *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  s->address.sin_family = AF_INET;
  s->address.sin_port = htons((uint16_t)cfg->port);
  inet_pton(AF_INET, cfg->listen_address, &s->address.sin_addr);

  if (!http_slots_start(cfg->max_connections, cfg->header_timeout * 1000,
                        cfg->body_timeout * 1000, sizeof(http_exchange))) {
    snprintf(err, err_size, "cannot start the connection watchdog");
    free(s);
    return NULL;
  }
  struct MHD_OptionItem options[] = {
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)request_line, NULL},
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_done, NULL},
      {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)http_slots_notify, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &s->address},
      {MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL},
      {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONNECTION_MEMORY, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, NULL,
                               MHD_OPTION_ARRAY, options, MHD_OPTION_END);
  if (!s->daemon) {
    snprintf(err, err_size, "cannot listen on %s:%d (is the port in use?)", cfg->listen_address,
             cfg->port);
    http_slots_stop();
    free(s);
    return NULL;
  }
  return s;
}

void http_server_quiesce(http_server *s) {
  if (!s || !s->daemon) return;
  /* MHD hands the listening socket back. Connections still in its backlog carry requests that
   * clients have sent (workers busy in a slow request do not accept): hand them to MHD to be
   * served, then close the socket, which refuses new connections from then on. */
  MHD_socket fd = MHD_quiesce_daemon(s->daemon);
  if (fd == MHD_INVALID_SOCKET) return;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  for (;;) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int client = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (client < 0) break;
    MHD_add_connection(s->daemon, client, (struct sockaddr *)&peer, len);
  }
  close(fd);
}

void http_server_stop(http_server *s) {
  if (!s) return;
  http_slots_stop();
  MHD_stop_daemon(s->daemon);
  free(s);
}
