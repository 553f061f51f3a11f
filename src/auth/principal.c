#include "auth/principal.h"

#include <string.h>

static const struct {
  role role;
  const char *name;
  const char *link_field;
} roles[] = {
    {ROLE_ADMIN, "admin", NULL},
    {ROLE_PROFESSIONAL, "professional", "professionalId"},
    {ROLE_ORGANISATION, "organisation", "organisationId"},
    {ROLE_CERTIFIER, "certifier", "certifyingBodyId"},
    {ROLE_MUNICIPALITY, "municipality", "municipalityCode"},
};

const char *role_name(role r) {
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
    if (roles[i].role == r) return roles[i].name;
  return NULL;
}

role role_parse(const char *text) {
  for (size_t i = 0; text && i < sizeof roles / sizeof roles[0]; i++)
    if (strcmp(roles[i].name, text) == 0) return roles[i].role;
  return 0;
}

const char *role_link_field(role r) {
  for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
    if (roles[i].role == r) return roles[i].link_field;
  return NULL;
}
