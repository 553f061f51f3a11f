/* password.h: argon2id password hashes as PHC strings (OWASP parameters: m=19 MiB, t=2, p=1). */
#ifndef KR_AUTH_PASSWORD_H
#define KR_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 128

/* Hashes password with a fresh random salt into out (PASSWORD_HASH_MAX bytes). */
bool password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* True when password matches the PHC string. With hash NULL it spends the same time against a
 * fixed dummy hash and returns false, so an unknown username takes as long as a wrong password. */
bool password_verify(const char *hash, const char *password);

#endif
