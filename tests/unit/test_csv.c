/* The RFC 4180 reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/csv.h"

static struct csv c;

static FILE *
mem(const char *text)
{
	return fmemopen((void *)text, strlen(text), "r");
}

static void
test_records(void **state)
{
	FILE *f = mem("\xef\xbb\xbf" "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\r\n\"two\nlines\",z,\n"
	    "last,no,newline");

	csv_init(&c, f);
	assert_int_equal(csv_next(&c), 1);
	assert_int_equal(c.nfields, 3);
	assert_string_equal(c.fields[0], "a");
	assert_string_equal(c.fields[2], "c");
	assert_int_equal(csv_next(&c), 1);
	assert_int_equal(c.line, 2);
	assert_int_equal(c.nfields, 3);
	assert_string_equal(c.fields[0], "x, y");
	assert_string_equal(c.fields[1], "say \"hi\"");
	assert_string_equal(c.fields[2], "");
	assert_int_equal(csv_next(&c), 1);
	assert_int_equal(c.line, 3);
	assert_string_equal(c.fields[0], "two\nlines");
	assert_int_equal(csv_next(&c), 1);
	assert_int_equal(c.line, 5);
	assert_string_equal(c.fields[2], "newline");
	assert_int_equal(csv_next(&c), 0);
	fclose(f);
}

static void
test_errors(void **state)
{
	static const char *const bad[] = {
		"a,\"open\n",			/* quote not closed */
		"a,b\"c\n",			/* quote inside an unquoted field */
		"\"a\"b,c\n",			/* text after a closing quote */
		"a\rb\n",			/* bare carriage return */
		"\xef\xbb" "a\n",		/* broken byte order mark */
	};
	char big[CSV_FIELD_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = mem(bad[i]);

		csv_init(&c, f);
		assert_int_equal(csv_next(&c), -1);
		assert_true(strlen(c.err) > 0);
		fclose(f);
	}
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	{
		FILE *f = mem(big);

		csv_init(&c, f);
		assert_int_equal(csv_next(&c), -1);
		assert_non_null(strstr(c.err, "too long"));
		fclose(f);
	}
	{
		char many[CSV_FIELDS_MAX * 2 + 8];
		FILE *f;

		for (i = 0; i < CSV_FIELDS_MAX + 2; i++)
			many[i] = ',';
		many[i++] = '\n';
		many[i] = '\0';
		f = mem(many);
		csv_init(&c, f);
		assert_int_equal(csv_next(&c), -1);
		assert_non_null(strstr(c.err, "too many fields"));
		fclose(f);
	}
	{
		static const char nul[] = "a,b\0c\n";
		FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");

		csv_init(&c, f);
		assert_int_equal(csv_next(&c), -1);
		assert_non_null(strstr(c.err, "NUL"));
		fclose(f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
