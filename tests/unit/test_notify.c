/* notify_fill: a DLT text's {#var#} places filled in order, exactly one per variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "notify/notify.h"

static void
test_fill(void **state)
{
	const char *two[] = { "UCP-10002", "HR/SOS/PWD/2026/000001" };
	char out[128];

	(void)state;
	assert_int_equal(notify_fill("case {#var#} letter {#var#}.", two, 2, out, sizeof(out)), 0);
	assert_string_equal(out, "case UCP-10002 letter HR/SOS/PWD/2026/000001.");
	assert_int_equal(notify_fill("{#var#}", two, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "UCP-10002");
	/* one place too few or too many */
	assert_int_equal(notify_fill("case {#var#}.", two, 2, out, sizeof(out)), -1);
	assert_int_equal(notify_fill("case {#var#} {#var#} {#var#}", two, 2, out, sizeof(out)), -1);
	/* never cut: a text that does not fit is refused */
	assert_int_equal(notify_fill("case {#var#} letter {#var#}.", two, 2, out, 20), -1);
	assert_int_equal(notify_fill("no variables", two, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "no variables");
	assert_string_equal(notify_kind_name(NOTIFY_REVOKED), "revoked");
	assert_null(notify_kind_name(NOTIFY__MAX));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
