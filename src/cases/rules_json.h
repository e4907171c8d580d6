/* The `rules eval` JSON of API.md: a case in, an outcome out (jansson). */
#ifndef CASES_RULES_JSON_H
#define CASES_RULES_JSON_H

#include <jansson.h>

#include "cases/rules.h"
#include "util/buf.h"

/* Parses a case from JSON text (len bytes) with jansson (JSON_REJECT_DUPLICATES), then reads
 * it as rules_case_from_jansson does. Strict: one object, no duplicate keys, no
 * unknown keys, dates exactly YYYY-MM-DD, spell kind and engagement mode from their lists,
 * pay level 1-10, whole numbers only; absent or null top-level fields are left unmarked in
 * c->present (the rules report them missing). RULES_OK, or RULES_EINVAL / RULES_ETOOMANY with
 * err (errlen bytes) naming the field and the fault, e.g. "spells[1].to: not a date", or
 * starting "not valid JSON: " for a syntax fault. err is always valid UTF-8. */
enum rules_err	rules_case_from_json(const char *text, size_t len, struct rules_case *c,
		    char *err, size_t errlen);
/* The same from an already parsed object (the HTTP layer's request body); obj is borrowed. */
enum rules_err	rules_case_from_jansson(const json_t *obj, struct rules_case *c, char *err,
		    size_t errlen);
/* Appends the outcome as one line of compact JSON (no newline), always with the keys
 * outcome, reasons, qualifying_years, band_percent, entry_pay, additional, consolidated,
 * periods, in that order. 0 ok, -1 when b's ceiling is hit. */
int		rules_outcome_write(const struct rules_outcome *o, struct buf *b);
/* The same as a new jansson object (caller owns it: json_decref); NULL when out of memory. */
json_t		*rules_outcome_json(const struct rules_outcome *o);

#endif
