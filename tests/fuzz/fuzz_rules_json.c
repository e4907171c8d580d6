/* libFuzzer harness for the case reader of `rules eval` (make fuzz-rules; seeds from
 * tests/rules). Any input: rules_case_from_json either accepts it, and then the rules and
 * both outcome writers run and must agree, or refuses it with a message a batch error can
 * carry (not empty, valid UTF-8). ASan and UBSan catch the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cases/rules.h"
#include "cases/rules_json.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rules_params params;
	static struct rules_case c;
	static struct rules_outcome o;
	static int ready;
	char err[512];
	json_t *want, *got, *s;
	struct buf b;

	if (!ready) {
		rules_defaults(&params);
		ready = 1;
	}
	memset(err, 0, sizeof(err));
	if (rules_case_from_json((const char *)data, size, &c, err, sizeof(err)) != RULES_OK) {
		if (err[0] == '\0' || (s = json_string(err)) == NULL)
			abort();	/* a refusal must say what is wrong, in UTF-8 */
		json_decref(s);
		return 0;
	}
	if (rules_eval(&params, &c, &o) != RULES_OK)
		return 0;	/* "case out of shape": a clean refusal too */
	buf_init(&b, 1 << 20);
	if (rules_outcome_write(&o, &b) != 0)
		abort();
	got = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, NULL);
	want = rules_outcome_json(&o);
	if (got == NULL || want == NULL || !json_equal(got, want))
		abort();	/* the direct writer and the jansson object must agree */
	json_decref(got);
	json_decref(want);
	buf_free(&b);
	return 0;
}
