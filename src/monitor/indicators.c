/* The programme monitor's indicators: one statement per request, suppression of small counts,
 * and the answer as JSON series or CSV rows (monitor/indicators.h). */
#include "monitor/indicators.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts/rules.h"
#include "core/date.h"
#include "core/text.h"
#include "http/ratelimit.h"
#include "label/view.h"

/* ---- the statement ------------------------------------------------------------------------- */

/* Columns: 0 rank, 1 indicator, 2 unit, 3 pos, 4..11 the labels (LABELS below), 12 n, 13 d,
 * 14 value, 15 the month's reference day (NULL: not computed yet), 16 as of. */
static const db_statement indicators = {
    "mon_indicators", "SELECT rank, indicator, unit, pos, profile, status, category, kind, outcome, organisation_id,"
                      " kvk_number, organisation_name, n, d, value, ref_day, kr_utc(as_of)"
                      " FROM kr_monitor_indicators($1::text, $2::date, $3::integer, $4::boolean)"};

const db_statement *const monitor_indicator_statements[] = {&indicators, NULL};

enum {
  COL_INDICATOR = 1,
  COL_UNIT = 2,
  COL_POS = 3,
  COL_LABELS = 4,
  COL_N = 12,
  COL_D = 13,
  COL_VALUE = 14,
  COL_REF_DAY = 15,
  COL_AS_OF = 16
};
static const char *const label_names[] = {"profile", "status",         "category",  "kind",
                                          "outcome", "organisationId", "kvkNumber", "organisationName"};
#define LABELS (sizeof label_names / sizeof label_names[0])

/* ---- pure rules ---------------------------------------------------------------------------- */

void indicators_suppress(const int64_t *counts, size_t n, bool *suppressed) {
  for (size_t i = 0; i < n; i++) suppressed[i] = counts[i] < INDICATOR_MIN_COUNT;
  if (n < 2) return;
  for (;;) {
    if (suppressed[0]) {
      /* A suppressed total reveals nothing by difference; its parts are each judged alone. */
      return;
    }
    int64_t hidden_sum = 0;
    size_t hidden = 0, smallest = 0;
    for (size_t i = 1; i < n; i++) {
      if (suppressed[i]) {
        hidden++;
        hidden_sum += counts[i];
      } else if (smallest == 0 || counts[i] < counts[smallest]) {
        smallest = i;
      }
    }
    if (hidden == 0 || (hidden > 1 && hidden_sum >= INDICATOR_MIN_COUNT)) return;
    suppressed[smallest] = true; /* smallest == 0: no part is left, the total goes */
  }
}

/* The q of a media range's parameters ("; q=0.5"): 1 when absent, -1 when malformed. */
static double quality(const char *params, size_t len) {
  double q = 1.0;
  const char *p = params, *end = params + len;
  while (p < end) {
    const char *semi = memchr(p, ';', (size_t)(end - p));
    const char *stop = semi ? semi : end;
    while (p < stop && (*p == ' ' || *p == '\t')) p++;
    if (stop - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      char num[8];
      size_t k = (size_t)(stop - p - 2);
      while (k > 0 && (p[2 + k - 1] == ' ' || p[2 + k - 1] == '\t')) k--;
      if (k == 0 || k >= sizeof num) return -1;
      memcpy(num, p + 2, k);
      num[k] = '\0';
      char *tail;
      q = strtod(num, &tail);
      if (*tail || q < 0 || q > 1) return -1;
    }
    p = semi ? semi + 1 : end;
  }
  return q;
}

/* How specifically `range` (type/subtype, trimmed) names `type`: 3 exactly, 2 type / *, 1 * / *, 0 not. */
static int specificity(const char *range, size_t len, const char *type) {
  size_t tl = strlen(type), major = (size_t)(strchr(type, '/') - type);
  if (len == tl && strncasecmp(range, type, len) == 0) return 3;
  if (len == major + 2 && strncasecmp(range, type, major + 1) == 0 && range[major + 1] == '*') return 2;
  if (len == 3 && memcmp(range, "*/*", 3) == 0) return 1;
  return 0;
}

/* The q the Accept header gives `type` (0 when no range matches). */
static double accepted(const char *accept, const char *type) {
  int best = 0;
  double q = 0;
  const char *p = accept;
  while (*p) {
    const char *comma = strchr(p, ',');
    const char *stop = comma ? comma : p + strlen(p);
    while (p < stop && (*p == ' ' || *p == '\t')) p++;
    size_t span = stop > p ? (size_t)(stop - p) : 0;
    const char *semi = memchr(p, ';', span);
    const char *range_end = semi ? semi : stop;
    while (range_end > p && (range_end[-1] == ' ' || range_end[-1] == '\t')) range_end--;
    int s = specificity(p, (size_t)(range_end - p), type);
    if (s > best) {
      double rq = semi ? quality(semi + 1, (size_t)(stop - semi - 1)) : 1.0;
      if (rq >= 0) {
        best = s;
        q = rq;
      }
    }
    p = comma ? comma + 1 : stop;
  }
  return q;
}

indicators_format indicators_negotiate(const char *accept) {
  if (!accept) return INDICATORS_JSON;
  const char *c = accept;
  while (*c == ' ' || *c == '\t') c++;
  if (!*c) return INDICATORS_JSON;
  double json = accepted(accept, "application/json"), csv = accepted(accept, "text/csv");
  if (json <= 0 && csv <= 0) return INDICATORS_NONE;
  return csv > json ? INDICATORS_CSV : INDICATORS_JSON;
}

bool indicators_month_parse(const char *text, int *month) {
  if (!text || strlen(text) != 7 || text[4] != '-') return false;
  for (int i = 0; i < 7; i++)
    if (i != 4 && !isdigit((unsigned char)text[i])) return false;
  int year = atoi(text), m = atoi(text + 5);
  if (year < 1900 || m < 1 || m > 12) return false;
  *month = year * 12 + m - 1;
  return true;
}

/* ---- the request --------------------------------------------------------------------------- */

static void month_format(int month, char out[16]) {
  snprintf(out, 16, "%04d-%02d", month / 12 % 10000, month % 12 + 1);
}

typedef struct {
  const char *code; /* NULL: the nation */
  int from, to;     /* month numbers */
  bool full;        /* the figures beyond the public subset */
} indicator_query;

/* The query parameters and who may ask what; false after answering. */
static bool read_query(http_ctx *ctx, kr_date today, indicator_query *q) {
  if (!http_query_only(ctx, (const char *const[]){"municipalityCode", "from", "to", NULL})) return false;
  role who = ctx->caller.role;
  if (ctx->signed_in && who != ROLE_ADMIN && who != ROLE_MUNICIPALITY) {
    http_reply_problem(ctx, KR_FORBIDDEN, "Your role may not read the indicators (the public subset needs no token).",
                       NULL, NULL);
    return false;
  }
  int y, m, d;
  date_to_ymd(today, &y, &m, &d);
  int current = y * 12 + m - 1;
  q->from = q->to = current;
  const char *code = http_query(ctx, "municipalityCode"), *from = http_query(ctx, "from"), *to = http_query(ctx, "to");
  json_t *errors = field_errors_new();
  if (code && !account_municipality_code_valid(code))
    field_error(errors, "municipalityCode", "must be a CBS municipality code like GM0363");
  bool from_ok = !from || indicators_month_parse(from, &q->from);
  bool to_ok = !to || indicators_month_parse(to, &q->to);
  if (!from_ok) field_error(errors, "from", "must be a month as YYYY-MM (from 1900-01)");
  if (!to_ok) field_error(errors, "to", "must be a month as YYYY-MM (from 1900-01)");
  if (!from || !from_ok) q->from = q->to - INDICATOR_DEFAULT_PAST_MONTHS;
  if (to_ok && q->to > current) field_error(errors, "to", "must not be after the current month");
  /* The monitor keeps MONITOR_MONTHS months up to the current one (monitor/refresh.h). */
  int oldest = current - ctx->services->cfg->monitor_months + 1;
  char kept[96];
  snprintf(kept, sizeof kept, "must not be before %04d-%02d: the monitor keeps the last %d months", oldest / 12,
           oldest % 12 + 1, ctx->services->cfg->monitor_months);
  if (from && from_ok && q->from < oldest) field_error(errors, "from", kept);
  if (to && to_ok && q->to < oldest) field_error(errors, "to", kept);
  if (from_ok && to_ok) {
    if (from && q->from > q->to) field_error(errors, "from", "must not be after to (the current month by default)");
    else if (q->to - q->from + 1 > INDICATOR_MAX_MONTHS) {
      if (from) field_error(errors, "from", "the months from..to may be at most 24");
      if (to) field_error(errors, "to", "the months from..to may be at most 24");
    }
  }
  if (q->from < oldest) q->from = oldest; /* a default `from` before the months kept */
  if (http_reply_if_invalid(ctx, errors)) return false;
  q->code = code;
  q->full = ctx->signed_in;
  if (ctx->signed_in && who == ROLE_MUNICIPALITY) {
    if (!code) q->code = ctx->caller.link;
    else if (strcmp(code, ctx->caller.link) != 0) {
      http_reply_problem(ctx, KR_FORBIDDEN, "A municipality account reads its own municipality's indicators only.",
                         NULL, NULL);
      return false;
    }
  }
  /* A few milliseconds of PostgreSQL a request (the monthly tables), tens for a municipality
   * with thousands of professionals: without a token bounded per address like the public
   * register, signed in per account (INDICATOR_RATE_LIMIT a minute; a dashboard reads once). */
  const config *cfg = ctx->services->cfg;
  if (!ctx->signed_in)
    return http_rate_limit(ctx, "indicators", cfg->register_rate_limit, cfg->register_rate_window);
  return http_rate_limit_account(ctx, "indicators-acct", cfg->indicator_rate_limit, 60);
}

/* Decides for every row whether its figure is published. */
static void suppress_rows(const PGresult *r, int months, bool *hidden) {
  int rows = PQntuples(r);
  for (int i = 0; i < rows; i++) {
    const char *unit = PQgetvalue(r, i, COL_UNIT);
    int64_t n = strtoll(PQgetvalue(r, i, COL_N), NULL, 10), d = PQgetisnull(r, i, COL_D) ? 0 : strtoll(PQgetvalue(r, i, COL_D), NULL, 10);
    if (strcmp(unit, "share") == 0) {
      int64_t group[3] = {d, n, d - n};
      bool s[3];
      indicators_suppress(group, 3, s);
      hidden[i] = s[0] || s[1] || s[2];
    } else if (strcmp(unit, "hours") == 0) {
      hidden[i] = d < INDICATOR_MIN_COUNT;
    } else {
      hidden[i] = n < INDICATOR_MIN_COUNT;
    }
    hidden[i] = hidden[i] || PQgetisnull(r, i, COL_VALUE);
  }
  /* A profile's `all` with its five statuses: the series that follow it, month by month. */
  enum { PARTS = 6 };
  for (int i = 0; i < rows; i++) {
    if (strcmp(PQgetvalue(r, i, COL_INDICATOR), "registeredProfessionals") != 0 ||
        strcmp(PQgetvalue(r, i, COL_LABELS + 1), "all") != 0 || i + (PARTS - 1) * months >= rows)
      continue;
    int64_t counts[PARTS];
    bool s[PARTS];
    int at[PARTS];
    bool same = true;
    for (int k = 0; k < PARTS; k++) {
      at[k] = i + k * months;
      counts[k] = strtoll(PQgetvalue(r, at[k], COL_N), NULL, 10);
      same = same && strcmp(PQgetvalue(r, at[k], COL_INDICATOR), "registeredProfessionals") == 0 &&
             strcmp(PQgetvalue(r, at[k], COL_LABELS), PQgetvalue(r, i, COL_LABELS)) == 0 &&
             strcmp(PQgetvalue(r, at[k], COL_POS), PQgetvalue(r, i, COL_POS)) == 0;
    }
    if (!same) continue;
    indicators_suppress(counts, PARTS, s);
    for (int k = 0; k < PARTS; k++) hidden[at[k]] = hidden[at[k]] || s[k];
  }
}

/* A JSON string (escaped by jansson) appended to b. */
static bool put_json_string(text_buf *b, const char *s) {
  json_t *j = json_string(s);
  char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
  bool ok = text && text_buf_puts(b, text);
  free(text);
  json_decref(j);
  return ok;
}

/* A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). A text that a
 * spreadsheet would take for a formula (it begins with =, +, -, @, a tab or a carriage return:
 * an organisation's name is anyone's to choose) gets a leading apostrophe (OWASP's advice);
 * the figures themselves never begin so. */
static bool put_csv_field(text_buf *b, const char *s) {
  bool formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
  if (!strpbrk(s, ",\"\r\n")) return (!formula || text_buf_puts(b, "'")) && text_buf_puts(b, s);
  bool ok = text_buf_puts(b, formula ? "\"'" : "\"");
  for (const char *c = s; *c && ok; c++) ok = *c == '"' ? text_buf_puts(b, "\"\"") : text_buf_append(b, c, 1);
  return ok && text_buf_puts(b, "\"");
}

static bool write_json(text_buf *b, const PGresult *r, const indicator_query *q, int months, const bool *hidden) {
  bool ok = text_buf_puts(b, "{\"municipalityCode\":") && (q->code ? put_json_string(b, q->code) : text_buf_puts(b, "null")) &&
            text_buf_puts(b, ",\"asOf\":\"") && text_buf_puts(b, PQgetvalue(r, 0, COL_AS_OF)) &&
            text_buf_puts(b, "\"");
  char month[16];
  ok = ok && text_buf_puts(b, ",\"months\":[");
  for (int i = 0; i < months && ok; i++) {
    month_format(q->from + i, month);
    ok = text_buf_puts(b, i ? ",\"" : "\"") && text_buf_puts(b, month) && text_buf_puts(b, "\"");
  }
  ok = ok && text_buf_puts(b, "],\"referenceDays\":[");
  for (int i = 0; i < months && ok; i++) /* the first series' rows are the months in order */
    ok = text_buf_puts(b, i ? ",\"" : "\"") && text_buf_puts(b, PQgetvalue(r, i, COL_REF_DAY)) && text_buf_puts(b, "\"");
  ok = ok && text_buf_puts(b, "],\"series\":[");
  int rows = PQntuples(r);
  for (int i = 0; i < rows && ok; i++) {
    int pos = i % months;
    if (pos == 0) {
      ok = text_buf_puts(b, i ? "]},{\"indicator\":\"" : "{\"indicator\":\"") &&
           text_buf_puts(b, PQgetvalue(r, i, COL_INDICATOR)) && text_buf_puts(b, "\",\"unit\":\"") &&
           text_buf_puts(b, PQgetvalue(r, i, COL_UNIT)) && text_buf_puts(b, "\",\"labels\":{");
      bool first = true;
      for (size_t k = 0; k < LABELS && ok; k++) {
        if (PQgetisnull(r, i, COL_LABELS + (int)k)) continue;
        ok = text_buf_puts(b, first ? "\"" : ",\"") && text_buf_puts(b, label_names[k]) && text_buf_puts(b, "\":") &&
             put_json_string(b, PQgetvalue(r, i, COL_LABELS + (int)k));
        first = false;
      }
      ok = ok && text_buf_puts(b, "},\"values\":[");
    }
    ok = ok && text_buf_puts(b, pos ? ",{\"value\":" : "{\"value\":") &&
         text_buf_puts(b, hidden[i] ? "null" : PQgetvalue(r, i, COL_VALUE)) &&
         text_buf_puts(b, hidden[i] ? ",\"suppressed\":true}" : ",\"suppressed\":false}");
  }
  return ok && text_buf_puts(b, rows ? "]}]}" : "]}");
}

static bool write_csv(text_buf *b, const PGresult *r, const indicator_query *q, int months, const bool *hidden) {
  bool ok = text_buf_puts(b, "municipalityCode,indicator,unit");
  for (size_t k = 0; k < LABELS && ok; k++) ok = text_buf_puts(b, ",") && text_buf_puts(b, label_names[k]);
  ok = ok && text_buf_puts(b, ",month,referenceDay,value,suppressed\r\n");
  int rows = PQntuples(r);
  char month[16];
  for (int i = 0; i < rows && ok; i++) {
    int pos = i % months;
    month_format(q->from + pos, month);
    const char *day = PQgetvalue(r, i, COL_REF_DAY);
    ok = text_buf_puts(b, q->code ? q->code : "") && text_buf_puts(b, ",") &&
         text_buf_puts(b, PQgetvalue(r, i, COL_INDICATOR)) && text_buf_puts(b, ",") &&
         text_buf_puts(b, PQgetvalue(r, i, COL_UNIT));
    for (int k = 0; k < (int)LABELS && ok; k++)
      ok = text_buf_puts(b, ",") && put_csv_field(b, PQgetisnull(r, i, COL_LABELS + k) ? "" : PQgetvalue(r, i, COL_LABELS + k));
    ok = ok && text_buf_puts(b, ",") && text_buf_puts(b, month) && text_buf_puts(b, ",") && text_buf_puts(b, day) &&
         text_buf_puts(b, ",") && text_buf_puts(b, hidden[i] ? "" : PQgetvalue(r, i, COL_VALUE)) &&
         text_buf_puts(b, hidden[i] ? ",true\r\n" : ",false\r\n");
  }
  return ok;
}

/* Every series has one row per month, in order. */
static bool rows_complete(const PGresult *r, int months) {
  int rows = PQntuples(r);
  if (PQnfields(r) != COL_AS_OF + 1 || rows == 0 || rows % months != 0) return false;
  for (int i = 0; i < rows; i++)
    if (atoi(PQgetvalue(r, i, COL_POS)) != i % months || PQgetisnull(r, i, COL_N)) return false;
  return true;
}

/* Every month has its reference day (the first series' rows are the months). */
static bool months_computed(const PGresult *r, int months) {
  for (int i = 0; i < months; i++)
    if (PQgetisnull(r, i, COL_REF_DAY)) return false;
  return true;
}

void monitor_indicators_handler(http_ctx *ctx) {
  kr_date today = date_today();
  indicator_query q;
  if (!read_query(ctx, today, &q)) return;
  indicators_format format = indicators_negotiate(http_header(ctx, "Accept"));
  if (format == INDICATORS_NONE) {
    json_t *errors = field_errors_new();
    field_error(errors, "Accept", "must accept application/json or text/csv");
    http_reply_problem(ctx, KR_NOT_ACCEPTABLE, "The indicators come as application/json or text/csv.", errors, NULL);
    return;
  }
  db_conn *db = http_db(ctx);
  if (!db) return;
  int months = q.to - q.from + 1;
  char first[11], count[16];
  date_format(date_from_ymd(q.from / 12, q.from % 12 + 1, 1), first);
  snprintf(count, sizeof count, "%d", months);
  const char *v[] = {q.code, first, count, q.full ? "true" : "false"};
  PGresult *r = NULL;
  kr_err e = db_fetch_result(db, &indicators, 4, v, &r);
  if (e == KR_OK && !rows_complete(r, months)) e = KR_INTERNAL;
  if (e == KR_OK && !months_computed(r, months)) {
    /* Just after the monitor's tables were made, or a month entered them: minutes at most. */
    http_set_header(ctx, "Vary", "Origin, Accept");
    http_set_header(ctx, "Retry-After", "30");
    http_reply_problem(ctx, KR_UNAVAILABLE, "These months' indicators are being computed; try again in a minute.",
                       NULL, NULL);
    PQclear(r);
    return;
  }
  bool *hidden = e == KR_OK ? calloc((size_t)PQntuples(r) + 1, sizeof *hidden) : NULL;
  if (e == KR_OK && !hidden) e = KR_INTERNAL;
  text_buf b = {0};
  if (e == KR_OK) {
    suppress_rows(r, months, hidden);
    bool ok = format == INDICATORS_CSV ? write_csv(&b, r, &q, months, hidden) : write_json(&b, r, &q, months, hidden);
    if (!ok) e = KR_INTERNAL;
  }
  http_set_header(ctx, "Vary", "Origin, Accept");
  if (e != KR_OK) label_reply_error(ctx, e, NULL);
  else if (format == INDICATORS_CSV) http_reply_raw(ctx, 200, "text/csv; charset=utf-8; header=present", b.data, b.len);
  else http_reply_raw(ctx, 200, "application/json", b.data, b.len);
  text_buf_free(&b);
  free(hidden);
  PQclear(r);
}
