#include "core/rand.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/random.h>
#include <sys/types.h>

/* Fills buf from the kernel's CSPRNG: a system call is cheaper than OpenSSL 3's locked DRBG. */
static bool kernel_random(unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t got = getrandom(p, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += got;
    n -= (size_t)got;
  }
  return true;
}

/* Each thread draws the kernel's bytes 256 at a time and hands each byte out once, so that a
 * request id costs no system call of its own. */
bool rand_bytes(void *buf, size_t n) {
  static _Thread_local unsigned char pool[256];
  static _Thread_local size_t left;
  if (n > sizeof pool) return kernel_random(buf, n);
  if (left < n) {
    if (!kernel_random(pool, sizeof pool)) return false;
    left = sizeof pool;
  }
  memcpy(buf, pool + sizeof pool - left, n);
  memset(pool + sizeof pool - left, 0, n); /* handed out once: not kept */
  left -= n;
  return true;
}

static void hex(const unsigned char *b, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[b[i] >> 4];
    out[2 * i + 1] = digits[b[i] & 15];
  }
}

bool rand_uuid(char out[37]) {
  unsigned char b[16];
  if (!rand_bytes(b, sizeof b)) return false;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  /* 8-4-4-4-12 hex digits */
  hex(b, 4, out);
  out[8] = '-';
  hex(b + 4, 2, out + 9);
  out[13] = '-';
  hex(b + 6, 2, out + 14);
  out[18] = '-';
  hex(b + 8, 2, out + 19);
  out[23] = '-';
  hex(b + 10, 6, out + 24);
  out[36] = '\0';
  return true;
}

bool rand_token(char *out, size_t out_size, size_t bytes) {
  unsigned char b[64];
  if (bytes > sizeof b || !rand_bytes(b, bytes)) return false;
  return b64url_encode(b, bytes, out, out_size) > 0;
}

void hash_sha256_hex(const void *data, size_t n, char out[65]) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
  hex(md, 32, out);
  out[64] = '\0';
}

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t b64url_encode(const void *data, size_t n, char *out, size_t out_size) {
  const unsigned char *in = data;
  size_t need = (n / 3) * 4 + (n % 3 ? n % 3 + 1 : 0) + 1;
  if (out_size < need) return 0;
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    unsigned v = (unsigned)in[i] << 16;
    if (i + 1 < n) v |= (unsigned)in[i + 1] << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = b64url_alphabet[(v >> 18) & 63];
    out[o++] = b64url_alphabet[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = b64url_alphabet[(v >> 6) & 63];
    if (i + 2 < n) out[o++] = b64url_alphabet[v & 63];
  }
  out[o] = '\0';
  return o;
}

static int b64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

long b64url_decode(const char *text, size_t len, unsigned char *out, size_t out_size) {
  if (len % 4 == 1) return -1;
  size_t o = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int v = b64url_value(text[i]);
    if (v < 0) return -1;
    acc = (acc << 6) | (unsigned)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o >= out_size) return -1;
      out[o++] = (unsigned char)((acc >> bits) & 0xff);
    }
  }
  /* Leftover bits must be zero, so that every value has exactly one encoding. */
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return -1;
  return (long)o;
}

long b64_decode(const char *text, unsigned char *out, size_t out_size) {
  size_t len = strlen(text);
  if (len == 0 || len % 4 != 0 || len / 4 * 3 + 1 > out_size) return -1;
  int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)len);
  if (n < 0) return -1;
  /* EVP_DecodeBlock counts padding as zero bytes: take them off. */
  if (text[len - 1] == '=') n--;
  if (text[len - 2] == '=') n--;
  out[n] = '\0';
  return n;
}

size_t b64_encode(const void *data, size_t n, char *out, size_t out_size) {
  if (out_size < (n + 2) / 3 * 4 + 1) return 0;
  return (size_t)EVP_EncodeBlock((unsigned char *)out, data, (int)n);
}
