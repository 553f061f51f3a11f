/* framework_rules.h (label): a norm framework's codes and thresholds, read once per process.
 *
 * A framework version's codes, categories, thresholds, term and window never change once it is
 * created (only its texts do, and they are not kept here), so every replica may keep them for
 * its lifetime: an outcome or self-evaluation checks its scores without asking the database. */
#ifndef KR_LABEL_FRAMEWORK_RULES_H
#define KR_LABEL_FRAMEWORK_RULES_H

#include "label/store.h"

typedef struct {
  framework_facts facts;
  size_t code_count;
  const char *const *codes; /* in the framework's order */
} framework_rules;

/* The version's rules, owned by the cache and valid for the life of the process; KR_NOT_FOUND
 * when there is no such version. Thread-safe. */
kr_err label_framework_rules(db_conn *db, const char *version, const framework_rules **out);

#endif
