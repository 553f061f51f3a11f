/* rand.h: secure random values, hashes and base64url (OpenSSL's libcrypto underneath). */
#ifndef KR_CORE_RAND_H
#define KR_CORE_RAND_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n cryptographically secure random bytes; false if the generator failed. */
bool rand_bytes(void *buf, size_t n);

/* Writes a random (version 4) UUID, lower case, into out[37]; false on generator failure. */
bool rand_uuid(char out[37]);

/* A random opaque token: `bytes` random bytes as base64url, written to out (size >= 2*bytes). */
bool rand_token(char *out, size_t out_size, size_t bytes);

/* SHA-256 of data as 64 lower-case hex characters plus NUL. */
void hash_sha256_hex(const void *data, size_t n, char out[65]);

/* base64url without padding. Encode writes NUL-terminated text; out_size >= 4*ceil(n/3)+1.
 * Returns the text length, or 0 if out is too small (and n > 0). */
size_t b64url_encode(const void *data, size_t n, char *out, size_t out_size);
/* Decodes base64url (no padding, no whitespace). Returns the byte count, or -1 on bad input or
 * when out_size is too small. */
long b64url_decode(const char *text, size_t len, unsigned char *out, size_t out_size);

/* Standard base64 with padding (RFC 4648 section 4), NUL-terminated; 0 when out is too small. */
size_t b64_encode(const void *data, size_t n, char *out, size_t out_size);

/* Decodes standard base64 (with padding, RFC 4648 section 4) into out, NUL-terminated. Returns
 * the byte count, or -1 on bad input or when out_size is too small. */
long b64_decode(const char *text, unsigned char *out, size_t out_size);

#endif
