/* principal.h: who is calling: the account behind a verified access token, and the roles. */
#ifndef KR_AUTH_PRINCIPAL_H
#define KR_AUTH_PRINCIPAL_H

#include <stdbool.h>

/* Roles are bits so that a route can allow several. */
typedef enum {
  ROLE_ADMIN = 1 << 0,
  ROLE_PROFESSIONAL = 1 << 1,
  ROLE_ORGANISATION = 1 << 2,
  ROLE_CERTIFIER = 1 << 3,
  ROLE_MUNICIPALITY = 1 << 4,
} role;

#define ROLE_ANY (ROLE_ADMIN | ROLE_PROFESSIONAL | ROLE_ORGANISATION | ROLE_CERTIFIER | ROLE_MUNICIPALITY)
/* Machine clients sign in with client_credentials; people with a password. */
#define ROLE_MACHINES (ROLE_CERTIFIER | ROLE_MUNICIPALITY)

/* "admin", "professional", ...; NULL for anything that is not one role. */
const char *role_name(role r);
/* The role named by text, or 0. */
role role_parse(const char *text);
/* The JSON member that links an account of this role to its party ("professionalId", ...), or
 * NULL for admin. */
const char *role_link_field(role r);

typedef struct {
  char account_id[37];
  role role;
  char link[37]; /* the role's link value (a UUID, or a CBS municipality code); "" for admin */
  long issued_at; /* the access token's iat (Unix seconds); 0 when not from a token */
  bool second_factor; /* the sign-in behind the token used TOTP (the token's amr has "otp") */
} principal;

#endif
