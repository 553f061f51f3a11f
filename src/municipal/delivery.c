/* Webhook delivery: claims due deliveries (exactly once across replicas), posts them with
 * Standard Webhooks signatures to vetted addresses, and records each attempt. */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/rand.h"
#include "municipal/handlers.h"
#include "municipal/store.h"
#include "municipal/target.h"

#define BATCH 16
#define LEASE_SECONDS 60 /* longer than one attempt can take */

/* Answers are not read: only the status counts. */
static size_t discard(char *data, size_t size, size_t n, void *unused) {
  (void)data, (void)unused;
  return size * n;
}

/* "v1,<base64 HMAC-SHA256 of id.timestamp.body>" keyed with the secret's bytes. */
static bool sign(const claimed_delivery *d, const char *timestamp, char *out, size_t out_size) {
  unsigned char key[64], mac[32];
  long key_len = b64_decode(d->secret + 6, key, sizeof key);
  if (strncmp(d->secret, "whsec_", 6) != 0 || key_len <= 0) return false;
  size_t len = strlen(d->id) + strlen(timestamp) + strlen(d->body) + 3;
  char *message = malloc(len);
  if (!message) return false;
  snprintf(message, len, "%s.%s.%s", d->id, timestamp, d->body);
  unsigned int mac_len = 0;
  bool ok = HMAC(EVP_sha256(), key, (int)key_len, (unsigned char *)message, strlen(message), mac, &mac_len);
  free(message);
  memcpy(out, "v1,", 3);
  return ok && b64_encode(mac, mac_len, out + 3, out_size - 3) > 0;
}

typedef struct {
  delivery_result result;
  long status;
  char error[256];
} attempt;

static void post(const config *cfg, const claimed_delivery *d, attempt *a) {
  vetted_target target;
  const char *refusal = municipal_vet_target(cfg, d->target_url, &target);
  if (refusal) {
    snprintf(a->error, sizeof a->error, "target refused: it %s", refusal);
    return;
  }
  char timestamp[24], signature[96], resolve[400], header[256];
  snprintf(timestamp, sizeof timestamp, "%ld", (long)time(NULL));
  if (!sign(d, timestamp, signature, sizeof signature)) {
    snprintf(a->error, sizeof a->error, "the subscription's secret is unusable");
    return;
  }
  /* Connect to the address just vetted, never to a second lookup's answer. */
  bool v6 = strchr(target.address, ':') != NULL;
  snprintf(resolve, sizeof resolve, "%s:%d:%s%s%s", target.url.host, target.url.port, v6 ? "[" : "",
           target.address, v6 ? "]" : "");
  struct curl_slist *resolves = curl_slist_append(NULL, resolve), *headers = NULL;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  snprintf(header, sizeof header, "webhook-id: %s", d->id);
  headers = curl_slist_append(headers, header);
  snprintf(header, sizeof header, "webhook-timestamp: %s", timestamp);
  headers = curl_slist_append(headers, header);
  snprintf(header, sizeof header, "webhook-signature: %s", signature);
  headers = curl_slist_append(headers, header);
  CURL *curl = curl_easy_init();
  CURLcode rc = CURLE_FAILED_INIT;
  if (curl && resolves && headers) {
    curl_easy_setopt(curl, CURLOPT_URL, d->target_url);
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolves);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, target.url.https ? "https" : "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, ""); /* no proxy from the environment */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "kwaliteitsregister-webhooks/1");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
  }
  if (rc != CURLE_OK) snprintf(a->error, sizeof a->error, "%s", curl_easy_strerror(rc));
  else if (a->status >= 200 && a->status < 300) a->result = DELIVERY_DELIVERED;
  else if (a->status == 410) a->result = DELIVERY_GONE;
  else snprintf(a->error, sizeof a->error, "the target answered %ld", a->status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(resolves);
  curl_slist_free_all(headers);
}

static double jitter(void) {
  unsigned short r = 0;
  rand_bytes(&r, sizeof r);
  return r / 65536.0;
}

bool municipal_delivery_task(void *arg) {
  const http_services *services = arg;
  const config *cfg = services->cfg;
  claimed_delivery batch[BATCH];
  int n = 0;
  db_conn *db = db_acquire(services->pool);
  if (!db) return false;
  kr_err e = municipal_claim_deliveries(db, LEASE_SECONDS, batch, BATCH, &n);
  db_release(services->pool, db); /* no connection is held while targets answer */
  if (e != KR_OK) log_msg(LOG_WARNING, "claiming webhook deliveries failed: %s", kr_err_title(e));
  for (int i = 0; i < n; i++) {
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    attempt a = {DELIVERY_RETRY, 0, ""};
    post(cfg, &batch[i], &a);
    clock_gettime(CLOCK_MONOTONIC, &end);
    long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
    long delay = municipal_retry_delay(batch[i].attempts, cfg->webhook_retry_base, jitter());
    if (a.result == DELIVERY_RETRY && batch[i].seconds_since_first + delay > WEBHOOK_RETRY_WINDOW_SECONDS)
      a.result = DELIVERY_FAILED;
    /* A lost record leaves the lease to run out: the delivery is tried again (at least once). */
    if ((db = db_acquire(services->pool))) {
      e = municipal_record_attempt(db, &batch[i], a.result, a.status, a.error[0] ? a.error : NULL, delay, ms);
      db_release(services->pool, db);
    }
    log_event(a.result == DELIVERY_DELIVERED ? LOG_INFO : LOG_WARNING, "webhook delivery",
              json_pack("{s:s, s:s, s:i, s:I, s:s}", "deliveryId", batch[i].id, "subscriptionId",
                        batch[i].subscription_id, "attempt", batch[i].attempts, "status", (json_int_t)a.status,
                        "outcome", a.result == DELIVERY_DELIVERED ? "delivered"
                                   : a.result == DELIVERY_GONE    ? "gone"
                                   : a.result == DELIVERY_FAILED  ? "failed"
                                                                  : "retry"));
    free(batch[i].body);
  }
  return n == BATCH;
}
