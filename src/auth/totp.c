#include "auth/totp.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

uint32_t totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits) {
  uint8_t message[8];
  for (int i = 7; i >= 0; i--, counter >>= 8) message[i] = (uint8_t)(counter & 0xff);
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned mac_len = 0;
  if (!HMAC(EVP_sha1(), key, (int)key_len, message, sizeof message, mac, &mac_len) || mac_len < 20)
    return UINT32_MAX; /* never a valid code: 6 or 8 digits are below it */
  int offset = mac[mac_len - 1] & 0x0f; /* dynamic truncation, RFC 4226 section 5.3 */
  uint32_t binary = ((uint32_t)(mac[offset] & 0x7f) << 24) | ((uint32_t)mac[offset + 1] << 16) |
                    ((uint32_t)mac[offset + 2] << 8) | (uint32_t)mac[offset + 3];
  uint32_t modulus = digits == 8 ? 100000000u : 1000000u;
  return binary % modulus;
}

bool totp_parse_code(const char *text, uint32_t *code) {
  uint32_t value = 0;
  int digits = 0;
  for (const char *c = text; *c; c++) {
    if (*c == ' ' && digits > 0 && c[1] && c[1] != ' ') continue;
    if (!isdigit((unsigned char)*c) || ++digits > TOTP_DIGITS) return false;
    value = value * 10 + (uint32_t)(*c - '0');
  }
  if (digits != TOTP_DIGITS) return false;
  *code = value;
  return true;
}

uint64_t totp_match(const uint8_t key[TOTP_SECRET_BYTES], long now, uint64_t last_used, uint32_t code) {
  uint64_t current = totp_step(now);
  for (uint64_t step = current + 1; step + 2 > current && step > 0; step--) {
    if (step <= last_used) break; /* this step and all before it are spent */
    if (totp_hotp(key, TOTP_SECRET_BYTES, step, TOTP_DIGITS) == code) return step;
  }
  return 0;
}

void totp_base32(const uint8_t *data, size_t len, char *out, size_t out_size) {
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  size_t o = 0;
  unsigned buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < len && o + 1 < out_size; i++) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5 && o + 1 < out_size) {
      out[o++] = alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0 && o + 1 < out_size) out[o++] = alphabet[(buffer << (5 - bits)) & 31];
  out[o] = '\0';
}

void totp_recovery_format(const uint8_t random[7], char out[TOTP_RECOVERY_CHARS + 2]) {
  char plain[16];
  totp_base32(random, 7, plain, sizeof plain); /* 12 characters; the first 10 are used */
  memcpy(out, plain, 5);
  out[5] = '-';
  memcpy(out + 6, plain + 5, 5);
  out[11] = '\0';
}

bool totp_recovery_normalize(const char *text, char out[TOTP_RECOVERY_CHARS + 1]) {
  size_t n = 0;
  for (const char *c = text; *c; c++) {
    if (*c == '-' || *c == ' ') continue;
    char up = (char)toupper((unsigned char)*c);
    if (!((up >= 'A' && up <= 'Z') || (up >= '2' && up <= '7')) || n == TOTP_RECOVERY_CHARS) return false;
    out[n++] = up;
  }
  out[n] = '\0';
  return n == TOTP_RECOVERY_CHARS;
}

bool totp_secret_from_hex(const char *hex, uint8_t key[TOTP_SECRET_BYTES]) {
  if (strlen(hex) != 2 * TOTP_SECRET_BYTES) return false;
  for (int i = 0; i < TOTP_SECRET_BYTES; i++) {
    unsigned byte;
    if (!isxdigit((unsigned char)hex[2 * i]) || !isxdigit((unsigned char)hex[2 * i + 1]) ||
        sscanf(hex + 2 * i, "%2x", &byte) != 1)
      return false;
    key[i] = (uint8_t)byte;
  }
  return true;
}

void totp_secret_to_hex(const uint8_t key[TOTP_SECRET_BYTES], char hex[2 * TOTP_SECRET_BYTES + 1]) {
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < TOTP_SECRET_BYTES; i++) {
    hex[2 * i] = digits[key[i] >> 4];
    hex[2 * i + 1] = digits[key[i] & 15];
  }
  hex[2 * TOTP_SECRET_BYTES] = '\0';
}
