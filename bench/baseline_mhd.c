/* The /healthz baseline: bare libmicrohttpd on the same epoll thread pool, answering a fixed
 * 15-byte JSON body. What the service adds on top of it (ulfius, routing, headers, logging,
 * metrics) is the difference the benchmark reports. Usage: baseline_mhd PORT THREADS */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **state) {
  (void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
  /* Answering on the first call would make MHD close the connection (the request might still
   * have a body); the second call has the whole request, as ulfius waits for it too. */
  static int seen;
  if (*state == NULL) {
    *state = &seen;
    return MHD_YES;
  }
  static const char body[] = "{\"status\":\"ok\"}";
  struct MHD_Response *r =
      MHD_create_response_from_buffer(sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
  MHD_add_response_header(r, "Content-Type", "application/json");
  enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ok;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, (uint16_t)atoi(argv[1]), NULL, NULL, answer,
      NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)atoi(argv[2]), MHD_OPTION_CONNECTION_TIMEOUT,
      30u, MHD_OPTION_END);
  if (!d) return 1;
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGTERM);
  sigaddset(&s, SIGINT);
  sigprocmask(SIG_BLOCK, &s, NULL);
  int sig;
  sigwait(&s, &sig);
  MHD_stop_daemon(d);
  return 0;
}
