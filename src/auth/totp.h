/* totp.h: time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), the second factor of
 * admin accounts: HMAC-SHA1, 6 digits, 30-second steps, a 20-byte secret shown as base32.
 * Pure: no I/O; `now` comes from the caller. The enrolment, the secret's storage and the
 * one-use rule live in accounts/second_factor.c and sql/0027. */
#ifndef KR_AUTH_TOTP_H
#define KR_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_BASE32 33 /* 32 characters and NUL */
#define TOTP_STEP_SECONDS 30
#define TOTP_DIGITS 6

/* The HOTP value of key for a counter, reduced to `digits` digits (6 or 8). */
uint32_t totp_hotp(const uint8_t *key, size_t key_len, uint64_t counter, int digits);

/* The step a Unix time falls in. */
static inline uint64_t totp_step(long now) { return (uint64_t)now / TOTP_STEP_SECONDS; }

/* Reads a code of exactly TOTP_DIGITS digits (spaces allowed between them, as apps show
 * "123 456"); false for anything else. */
bool totp_parse_code(const char *text, uint32_t *code);

/* The step in [step(now) - 1, step(now) + 1] whose code is `code` and that is later than
 * last_used (0: none used yet), so that a code works once and a clock a step off still works;
 * 0 when there is none. */
uint64_t totp_match(const uint8_t key[TOTP_SECRET_BYTES], long now, uint64_t last_used, uint32_t code);

/* RFC 4648 base32 without padding, upper case: 20 bytes are 32 characters. */
void totp_base32(const uint8_t *data, size_t len, char *out, size_t out_size);

/* The secret as the database hands it over (encode(..., 'hex')) and back: 40 hex characters. */
bool totp_secret_from_hex(const char *hex, uint8_t key[TOTP_SECRET_BYTES]);
void totp_secret_to_hex(const uint8_t key[TOTP_SECRET_BYTES], char hex[2 * TOTP_SECRET_BYTES + 1]);

/* Recovery codes: 10 base32 characters (50 random bits), shown as "ABCDE-FGHIJ". */
#define TOTP_RECOVERY_CHARS 10
#define TOTP_RECOVERY_COUNT 10
/* Formats 7 random bytes as a recovery code "ABCDE-FGHIJ" (out: 12 bytes). */
void totp_recovery_format(const uint8_t random[7], char out[TOTP_RECOVERY_CHARS + 2]);
/* The code's stored form (10 upper-case characters, no dash or spaces) of what a person typed;
 * false when it cannot be one. */
bool totp_recovery_normalize(const char *text, char out[TOTP_RECOVERY_CHARS + 1]);

#endif
