#include "http/server.h"

#define HTTP_CONNECTION_MEMORY (16 * 1024)

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ulfius.h>
#include <unistd.h>

#include "http/edge.h"
#include "http/routes.h"

struct http_server {
  struct _u_instance instance;
  struct sockaddr_in address;
};

http_server *http_server_start(const config *cfg, char *err, size_t err_size) {
  http_server *s = calloc(1, sizeof *s);
  if (!s) {
    snprintf(err, err_size, "out of memory");
    return NULL;
  }
  s->address.sin_family = AF_INET;
  s->address.sin_port = htons((uint16_t)cfg->port);
  inet_pton(AF_INET, cfg->listen_address, &s->address.sin_addr);

  /* A NULL realm keeps Basic challenges out of our 401s. */
  if (ulfius_init_instance(&s->instance, (unsigned int)cfg->port, NULL, NULL) != U_OK) {
    snprintf(err, err_size, "cannot initialise ulfius");
    free(s);
    return NULL;
  }
  /* One byte over the limit: a longer body arrives cut at limit+1, which the edge answers 413
   * (ulfius truncates silently). No post processor: bodies stay raw. */
  s->instance.max_post_body_size =
      (cfg->max_body_bytes > HTTP_FILE_MAX_BYTES ? cfg->max_body_bytes : HTTP_FILE_MAX_BYTES) + 1;
  s->instance.allowed_post_processor = U_POST_PROCESS_NONE;
  ulfius_set_default_endpoint(&s->instance, http_dispatch, NULL);

  struct MHD_OptionItem options[] = {
      {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
      {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
      {MHD_OPTION_SOCK_ADDR, 0, &s->address},
      {MHD_OPTION_THREAD_POOL_SIZE, cfg->http_threads, NULL},
      {MHD_OPTION_CONNECTION_TIMEOUT, cfg->connection_timeout, NULL},
      {MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections, NULL},
      {MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip, NULL},
      {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
      /* Each connection's memory pool holds the request line and headers and is cleared between
       * requests: 16 KiB (Node's header limit too) instead of libmicrohttpd's 32 KiB halves the
       * clearing, which was a third of the instructions of a small request. */
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_CONNECTION_MEMORY, NULL},
      {MHD_OPTION_END, 0, NULL},
  };
  unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ulfius_start_framework_with_mhd_options(&s->instance, flags, options) != U_OK) {
    snprintf(err, err_size, "cannot listen on %s:%d (is the port in use?)", cfg->listen_address,
             cfg->port);
    ulfius_clean_instance(&s->instance);
    free(s);
    return NULL;
  }
  return s;
}

void http_server_quiesce(http_server *s) {
  if (!s || !s->instance.mhd_daemon) return;
  /* MHD hands the listening socket back. Connections still in its backlog carry requests that
   * clients have sent (workers busy in a slow request do not accept): hand them to MHD to be
   * served, then close the socket, which refuses new connections from then on. */
  MHD_socket fd = MHD_quiesce_daemon(s->instance.mhd_daemon);
  if (fd == MHD_INVALID_SOCKET) return;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  for (;;) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int client = accept4(fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (client < 0) break;
    MHD_add_connection(s->instance.mhd_daemon, client, (struct sockaddr *)&peer, len);
  }
  close(fd);
}

void http_server_stop(http_server *s) {
  if (!s) return;
  ulfius_stop_framework(&s->instance);
  ulfius_clean_instance(&s->instance);
  free(s);
}
