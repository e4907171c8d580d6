/* A refusal's detail as people read it. The domain explains a refusal in the API's words
 * ("Declare the service record (PUT .../service) before submitting.", `spells[0]: "to" is
 * before "from"`, `missing: ["engagement_order"]`): right for a program, wrong on a page.
 * Here each known explanation becomes a page text of both catalogues (reason.*), with what
 * it names (a spell's row, the documents missing) put in the page's words; an explanation
 * not known here is shown only on an English page and only when it carries no API words,
 * else the code's own text (err.*) stands alone. */
#include "http/page.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "intake/intake.h"
#include "util/buf.h"
#include "util/strict.h"

/* The domain's explanation starts with prefix: its page text is key. Order matters where
 * one prefix starts another. */
static const struct {
	const char	*prefix;
	const char	*key;
} reasons[] = {
	{ "Declare the service record", "reason.no_service" },
	{ "The service record is incomplete", "reason.service_incomplete" },
	{ "The service record does not hold together", "reason.service_order" },
	{ "The service record must be", "reason.service_bad" },
	{ "Give the last day of each spell", "reason.spell_last" },
	{ "A returned case needs remarks", "reason.return_remarks" },
	{ "Give decision", "reason.choose_decision" },
	{ "Choose a decision", "reason.choose_decision" },
	{ "decision must be", "reason.choose_decision" },
	{ "fields must list the fields in discrepancy", "reason.discrepancy_fields" },
	{ "service goes only with verified", "reason.discrepancy_fields" },
	{ "A rejection needs its reasons", "reason.reject_remarks" },
	{ "The certification must cover every", "reason.cert_fields" },
	{ "fields must be an object of the certified", "reason.cert_fields" },
	{ "fields is empty", "reason.cert_fields" },
	{ "Give 'fields' as a JSON object", "reason.cert_fields" },
	{ "Unknown field ", "reason.cert_unknown" },
	{ "A certification needs remarks", "reason.cert_remarks" },
	{ "The certification must carry a document", "reason.cert_document" },
	{ "Tick at least one case", "reason.tick_one" },
	{ "Give the pay level", "reason.pay_level" },
	{ "Give employee_ids", "reason.tick_one" },
	{ "remarks must be text", "reason.remarks_long" },
	{ "The case is ", "reason.case_state" },
	{ "Under the rules now in force", "reason.not_eligible" },
	{ "The offer letter could not be issued", "reason.letter_failed" },
	{ "The role ", "reason.role" },
	{ "Tick the box to confirm", "reason.confirm" },
};

/* spells[N]: what → "Service row N+1: <what in words>". */
static int
spell_reason(struct page *pg, const char *d, struct buf *out)
{
	static const struct {
		const char	*tail;
		const char	*key;
	} parts[] = {
		{ "\"to\" is before \"from\"", "reason.spell_order" },
		{ "\"from\" is required", "reason.spell_from" },
		{ "\"to\" is required", "reason.spell_to" },
		{ "\"kind\" is required", "reason.spell_kind" },
	};
	const char *p = strstr(d, "spells["), *close;
	char num[8];
	int64_t n;
	size_t i;

	if (p == NULL || (close = strchr(p + 7, ']')) == NULL || close - (p + 7) >= 7)
		return -1;
	memcpy(num, p + 7, (size_t)(close - (p + 7)));
	num[close - (p + 7)] = '\0';
	if (strict_int64(num, 0, 1000, &n) != 0)
		return -1;
	buf_printf(out, "%s %lld: ", page_t(pg, "reason.spell_row", "Service row"),
	    (long long)n + 1);
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(close, parts[i].tail) != NULL) {
			buf_puts(out, page_t(pg, parts[i].key, parts[i].key));
			return 0;
		}
	buf_puts(out, page_t(pg, "reason.spell_bad", "check the dates and the kind."));
	return 0;
}

/* fields.<particular>: what → "<the particular's name>: <what in words>" (a certification
 * form's row). */
static int
cert_reason(struct page *pg, const char *d, struct buf *out)
{
	static const struct {
		const char	*tail;
		const char	*key;
	} parts[] = {
		{ "not a valid value", "reason.cert_value" },
		{ "the recorded value is missing or not valid", "reason.cert_give_value" },
		{ "is not an office of", "reason.cert_office" },
		{ "confirms the contractual engagement", "reason.cert_contractual" },
	};
	const char *colon;
	char name[48], key[64];
	size_t i, n;

	if (strncmp(d, "fields.", 7) != 0 || (colon = strchr(d + 7, ':')) == NULL ||
	    (n = (size_t)(colon - (d + 7))) == 0 || n >= sizeof(name) ||
	    strspn(d + 7, "abcdefghijklmnopqrstuvwxyz_") != n)
		return -1;
	memcpy(name, d + 7, n);
	name[n] = '\0';
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		if (strstr(colon, parts[i].tail) != NULL)
			break;
	if (i == sizeof(parts) / sizeof(parts[0]))
		return -1;
	snprintf(key, sizeof(key), "cfield.%s", name);
	if (strcmp(name, "contractual_engagement") == 0)
		snprintf(key, sizeof(key), "emp.contractual");
	buf_printf(out, "%s: %s", page_t(pg, key, name), page_t(pg, parts[i].key,
	    parts[i].key));
	return 0;
}

/* An upload's refusal (a certificate the form carried): intake's sentence for the person
 * who uploaded becomes its page text (intake.<code>). */
static int
intake_reason(struct page *pg, const char *d, struct buf *out)
{
	char key[64];
	int i;

	for (i = 1; i < INTAKE__MAX; i++) {
		const struct intake_code_info *ci = intake_code_info((enum intake_code)i);

		if (ci == NULL || ci->message == NULL || strcmp(ci->message, d) != 0)
			continue;
		snprintf(key, sizeof(key), "intake.%s", ci->code);
		buf_puts(out, page_t(pg, key, d));
		return 0;
	}
	return -1;
}

/* missing: ["kind", ...] → the kinds' names in the page's language. */
static void
missing_kinds(struct page *pg, const char *d, struct buf *out)
{
	const char *p = strstr(d, "missing: ");
	json_t *list, *v;
	size_t i;

	if (p == NULL || (list = json_loadb(p + 9, strcspn(p + 9, "]") + 1, 0, NULL)) == NULL)
		return;
	json_array_foreach(list, i, v) {
		char key[64];

		if (!json_is_string(v))
			continue;
		snprintf(key, sizeof(key), "kind.%s", json_string_value(v));
		buf_puts(out, i ? ", " : " ");
		buf_puts(out, page_t(pg, key, json_string_value(v)));
	}
	buf_puts(out, ".");
	json_decref(list);
}

/* Words of the API that people never see on a page: a route, JSON, an HTTP method. (A
 * CSV column such as department_code is the administrator's own word and stays.) */
static int
api_words(const char *d)
{
	return strpbrk(d, "/\"[]{}<>`\\") != NULL || strstr(d, "...") != NULL ||
	    strstr(d, "PUT ") != NULL || strstr(d, "POST ") != NULL || strstr(d, "GET ") != NULL;
}

void
page_notice_reason(struct page *pg, enum err e, const char *detail, const char *lang)
{
	char key[64];
	struct buf b;
	size_t i;

	snprintf(key, sizeof(key), "err.%s", err_code(e));
	if (detail == NULL || detail[0] == '\0') {
		page_notice(pg, 1, key, err_message(e), NULL);
		return;
	}
	buf_init(&b, 1024);
	if (strstr(detail, "missing: ") != NULL) {
		buf_puts(&b, page_t(pg, "reason.missing_docs", "Upload these documents first:"));
		missing_kinds(pg, detail, &b);
	} else if (spell_reason(pg, detail, &b) == 0 || cert_reason(pg, detail, &b) == 0)
		;
	else if (intake_reason(pg, detail, &b) == 0)
		;
	else
		for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (strncmp(detail, reasons[i].prefix, strlen(reasons[i].prefix)) == 0) {
				buf_puts(&b, page_t(pg, reasons[i].key, detail));
				break;
			}
	if (b.len > 0)
		page_notice(pg, 1, key, err_message(e), buf_str(&b));
	else if (strcmp(lang, "en") == 0 && !api_words(detail))
		page_notice(pg, 1, key, err_message(e), detail);
	else
		page_notice(pg, 1, key, err_message(e), NULL);
	buf_free(&b);
}
