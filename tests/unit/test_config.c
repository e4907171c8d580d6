/* The settings table: defaults, file, environment, flags, and refusals naming the setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "intake/intake.h"

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_defaults(void **state)
{
	struct config c;

	config_defaults(&c, "/data");
	assert_string_equal(c.data_dir, "/data");
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.otp_ttl, 600);
	assert_int_equal(c.otp_max_tries, 5);
	assert_int_equal(c.session_idle, 1800);
	assert_int_equal(c.session_absolute, 43200);
	assert_int_equal(c.upload_max_file, 20971520);
	assert_int_equal(c.quota_files, 60);
	assert_int_equal(c.zip_max_entries, 100);
	assert_int_equal(c.image_max_pixels, 40000000);
	/* The upload settings start where intake's own defaults are. */
	{
		struct intake_limits lim;

		intake_limits_default(&lim);
		assert_int_equal(c.upload_max_file, lim.file_max_bytes);
		assert_int_equal(c.image_max_pixels, lim.image_max_pixels);
		assert_int_equal(c.zip_max_entries, lim.zip_max_entries);
		assert_int_equal(c.zip_max_entry, lim.zip_entry_max_bytes);
		assert_int_equal(c.zip_max_total, lim.zip_total_max_bytes);
		assert_int_equal(c.zip_max_ratio, lim.zip_max_ratio);
		assert_int_equal(c.pdf_max_objects, lim.pdf_max_objects);
		assert_int_equal(c.pdf_memory_max, lim.pdf_memory_max_bytes);
		assert_int_equal(c.image_memory_max, lim.image_memory_max_bytes);
		assert_int_equal(c.parser_cpu_seconds, lim.pdf_cpu_seconds);
	}
	assert_true(config_known("otp_sink"));
	assert_false(config_known("no_such_setting"));
}

static void
test_set(void **state)
{
	struct config c;
	char err[256];

	config_defaults(&c, ".");
	assert_int_equal(config_set(&c, "threads", "4", err, sizeof(err)), 0);
	assert_int_equal(c.threads, 4);
	assert_int_equal(config_set(&c, "threads", "65", err, sizeof(err)), -1);
	assert_string_equal(err, "setting threads: '65' is not a whole number from 0 to 64");
	assert_int_equal(c.threads, 4);
	assert_int_equal(config_set(&c, "otp_ttl", "601", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "otp_ttl", "ten", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "secure_cookies", "yes", err, sizeof(err)), 0);
	assert_int_equal(c.secure_cookies, 1);
	assert_int_equal(config_set(&c, "secure_cookies", "maybe", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "listen", "0.0.0.0:443", err, sizeof(err)), 0);
	assert_int_equal(config_set(&c, "listen", "0.0.0.0", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "listen", "host:99999", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "otp_sink", "ftp://x", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "otp_sink", "https://sms.example/api", err,
	    sizeof(err)), 0);
	assert_int_equal(config_set(&c, "log_level", "loud", err, sizeof(err)), -1);
	assert_int_equal(config_set(&c, "nonsense", "1", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown setting 'nonsense'"));
}

static void
test_file_env(void **state)
{
	char dir[] = "/tmp/suraksha-conf.XXXXXX", path[256], err[512];
	struct config c;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.conf", dir);
	write_file(path, "# comment\n\n  otp_ttl = 300  \nthreads=2\n");
	config_defaults(&c, dir);
	assert_int_equal(config_load_file(&c, path, 1, err, sizeof(err)), 0);
	assert_int_equal(c.otp_ttl, 300);
	assert_int_equal(c.threads, 2);

	write_file(path, "otp_ttl = 300\nmax_connections = 0\n");
	config_defaults(&c, dir);
	assert_int_equal(config_load_file(&c, path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "s.conf:2: setting max_connections: '0' is not a whole "
	    "number from 1 to 100000"));
	write_file(path, "just words\n");
	assert_int_equal(config_load_file(&c, path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "s.conf:1: expected 'name = value'"));
	write_file(path, "colour = blue\n");
	assert_int_equal(config_load_file(&c, path, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown setting 'colour'"));
	unlink(path);
	assert_int_equal(config_load_file(&c, path, 0, err, sizeof(err)), 0);
	assert_int_equal(config_load_file(&c, path, 1, err, sizeof(err)), -1);

	config_defaults(&c, dir);
	setenv("SURAKSHA_OTP_MAX_TRIES", "3", 1);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), 0);
	assert_int_equal(c.otp_max_tries, 3);
	setenv("SURAKSHA_OTP_MAX_TRIES", "30", 1);
	assert_int_equal(config_load_env(&c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "otp_max_tries"));
	unsetenv("SURAKSHA_OTP_MAX_TRIES");

	/* What config_write writes, config_load_file reads back to the same values. */
	{
		struct config a, b;
		FILE *f;

		config_defaults(&a, dir);
		a.otp_ttl = 120;
		f = fopen(path, "w");
		config_write(&a, f);
		fclose(f);
		config_defaults(&b, dir);
		assert_int_equal(config_load_file(&b, path, 1, err, sizeof(err)), 0);
		assert_memory_equal(&a, &b, sizeof(a));
	}
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_file_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
