/* Signed attestations: a compact JWS (ES256) on a certificate's status on a date, which anyone
 * can verify offline with the published JWK Set. Keys come from ATTESTATION_KEYS_DIR, one
 * `<kid>.pem` each; all stay published until removed from the folder (rotation: add a key,
 * switch ATTESTATION_ACTIVE_KID, remove the old file once its attestations have expired).
 * jwt.h lives in this file only (rhonabwy's jwt_t would clash elsewhere). */
#include <dirent.h>
#include <jwt.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/rand.h"
#include "label/certificate_store.h"
#include "label/view.h"
#include "municipal/handlers.h"

#define MAX_KEYS 16

typedef struct {
  char kid[65];
  char *pem;  /* the private key, as libjwt takes it */
  json_t *jwk;
} signing_key;

static signing_key keys[MAX_KEYS];
static int key_count;
static int active = -1;

void municipal_keys_free(void) {
  for (int i = 0; i < key_count; i++) {
    free(keys[i].pem);
    json_decref(keys[i].jwk);
  }
  key_count = 0;
  active = -1;
}

/* The public JWK (RFC 7518 section 6.2) of a P-256 key. */
static json_t *public_jwk(EVP_PKEY *pkey, const char *kid) {
  unsigned char point[65];
  size_t len = 0;
  char curve[32] = "";
  if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve, NULL) ||
      strcmp(curve, "prime256v1") != 0 ||
      !EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) ||
      len != 65 || point[0] != 0x04)
    return NULL;
  char x[48], y[48];
  b64url_encode(point + 1, 32, x, sizeof x);
  b64url_encode(point + 33, 32, y, sizeof y);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "EC", "crv", "P-256", "x", x, "y", y,
                   "kid", kid, "use", "sig", "alg", "ES256");
}

static bool load_key(const char *dir, const char *file, char *err, size_t err_size) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, err_size, "cannot read %s", path);
    return false;
  }
  char *pem = calloc(1, 16384);
  size_t n = pem ? fread(pem, 1, 16383, f) : 0;
  fclose(f);
  BIO *bio = pem ? BIO_new_mem_buf(pem, (int)n) : NULL;
  EVP_PKEY *pkey = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
  BIO_free(bio);
  signing_key *k = &keys[key_count];
  snprintf(k->kid, sizeof k->kid, "%.*s", (int)(strlen(file) - 4), file);
  k->jwk = pkey ? public_jwk(pkey, k->kid) : NULL;
  EVP_PKEY_free(pkey);
  if (!k->jwk) {
    free(pem);
    snprintf(err, err_size, "%s is not an EC P-256 private key in PEM", path);
    return false;
  }
  k->pem = pem;
  key_count++;
  return true;
}

bool municipal_keys_load(const config *cfg, char *err, size_t err_size) {
  if (!cfg->attestation_keys_dir[0]) return true; /* attestations are then unavailable (503) */
  DIR *d = opendir(cfg->attestation_keys_dir);
  if (!d) {
    snprintf(err, err_size, "ATTESTATION_KEYS_DIR %s cannot be read", cfg->attestation_keys_dir);
    return false;
  }
  bool ok = true;
  struct dirent *e;
  while (ok && (e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 5 || len > 68 || strcmp(e->d_name + len - 4, ".pem") != 0) continue;
    if (key_count == MAX_KEYS) {
      snprintf(err, err_size, "ATTESTATION_KEYS_DIR holds more than %d keys", MAX_KEYS);
      ok = false;
    } else {
      ok = load_key(cfg->attestation_keys_dir, e->d_name, err, err_size);
    }
  }
  closedir(d);
  for (int i = 0; ok && i < key_count; i++)
    if (strcmp(keys[i].kid, cfg->attestation_active_kid) == 0) active = i;
  if (ok && active < 0) {
    snprintf(err, err_size, "ATTESTATION_ACTIVE_KID %s has no %s.pem in ATTESTATION_KEYS_DIR",
             cfg->attestation_active_kid, cfg->attestation_active_kid);
    ok = false;
  }
  if (!ok) municipal_keys_free();
  else log_msg(LOG_INFO, "attestation keys loaded: %d, signing with %s", key_count, keys[active].kid);
  return ok;
}

void municipal_keys_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){NULL})) return;
  json_t *list = json_array();
  for (int i = 0; i < key_count; i++) json_array_append(list, keys[i].jwk);
  http_reply_json(ctx, 200, json_pack("{s:o}", "keys", list));
}

/* Signs claims with the active key; the caller frees the result. */
static char *sign(const json_t *claims) {
  jwt_t *jwt = NULL;
  char *text = json_dumps(claims, JSON_COMPACT), *out = NULL;
  if (text && jwt_new(&jwt) == 0 &&
      jwt_set_alg(jwt, JWT_ALG_ES256, (const unsigned char *)keys[active].pem,
                  (int)strlen(keys[active].pem)) == 0 &&
      jwt_add_header(jwt, "kid", keys[active].kid) == 0 && jwt_add_grants_json(jwt, text) == 0)
    out = jwt_encode_str(jwt);
  jwt_free(jwt);
  free(text);
  return out;
}

void municipal_attestation_handler(http_ctx *ctx) {
  if (!http_query_only(ctx, (const char *const[]){"on", NULL})) return;
  kr_date on = date_today();
  const char *on_text = http_query(ctx, "on");
  if (on_text && !date_parse(on_text, &on)) {
    json_t *errors = field_errors_new();
    field_error(errors, "on", "must be a date (YYYY-MM-DD)");
    http_reply_if_invalid(ctx, errors);
    return;
  }
  if (active < 0) {
    http_reply_problem(ctx, KR_UNAVAILABLE, "Attestation keys are not configured.", NULL, NULL);
    return;
  }
  const char *number = http_path_param(ctx, "certificateNumber");
  db_conn *db = http_db(ctx);
  if (!db) return;
  certificate_row c;
  kr_err e = label_certificate_get(db, number, on, false, &c);
  if (e != KR_OK) {
    label_reply_error(ctx, e, "There is no such certificate.");
    return;
  }
  cert_status status = c.status;
  json_t *cert = json_loads(c.json, 0, NULL);
  char jti[37], date[11], expires[32];
  long now = (long)time(NULL), exp = now + ctx->services->cfg->attestation_ttl;
  char *jws = NULL;
  if (cert && rand_uuid(jti)) {
    const json_t *org = json_object_get(cert, "organisation");
    date_format(on, date);
    json_t *claims = json_pack(
        "{s:s, s:I, s:I, s:s, s:s, s:s, s:O, s:O, s:s, s:s, s:b, s:O, s:O, s:O}", "iss",
        ctx->services->cfg->jwt_issuer, "iat", (json_int_t)now, "exp", (json_int_t)exp, "jti", jti, "sub",
        number, "certificateNumber", number, "kvkNumber", json_object_get(org, "kvkNumber"),
        "organisationName", json_object_get(org, "name"), "on", date, "status", label_cert_status_name(status),
        "certified", status == CERT_VALID, "validFrom", json_object_get(cert, "validFrom"), "validUntil",
        json_object_get(cert, "validUntil"), "frameworkVersion", json_object_get(cert, "frameworkVersion"));
    jws = claims ? sign(claims) : NULL;
    json_decref(claims);
  }
  time_t exp_time = (time_t)exp;
  struct tm tm;
  gmtime_r(&exp_time, &tm);
  strftime(expires, sizeof expires, "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (jws)
    http_reply_json(ctx, 200, json_pack("{s:s, s:s, s:s}", "attestation", jws, "kid", keys[active].kid,
                                        "expiresAt", expires));
  else
    http_reply_problem(ctx, KR_INTERNAL, NULL, NULL, NULL);
  free(jws);
  json_decref(cert);
  certificate_row_free(&c);
}
