/* libFuzzer harness for every intake parser of untrusted bytes: the full entry point
 * (libmagic dispatch) and, so the fuzzer need not first satisfy libmagic, each deep
 * validator directly, and the name and markup checks (issue 10). Seeds: tests/corpus. Run: make fuzz [FUZZ_SECONDS=60]. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake/intake_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A 500 on bytes from a client is a bug (found once: libmagic failing on content), so it
 * is reported like a crash. */
static void
no_internal(const struct intake_result *res)
{
	if (res->code == INTAKE_INTERNAL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct intake_limits lim;
	struct intake_result res;

	intake_limits_default(&lim);
	/* Smaller caps keep each run fast; the code paths are the same. */
	lim.image_max_pixels = 4u * 1000 * 1000;
	lim.zip_total_max_bytes = 16u * 1024 * 1024;
	lim.zip_entry_max_bytes = 8u * 1024 * 1024;
	lim.pdf_max_objects = 100000;
	lim.pdf_memory_max_bytes = 0;	/* no fork under the fuzzer */
	lim.image_memory_max_bytes = 0;

	intake_validate_buffer(data, size, &lim, &res);
	no_internal(&res);
	intake_result_free(&res);

	memset(&res, 0, sizeof(res));
	intake_pdf_check(data, size, &lim, &res);
	no_internal(&res);
	memset(&res, 0, sizeof(res));
	intake_jpeg_check(data, size, &lim, &res);
	no_internal(&res);
	memset(&res, 0, sizeof(res));
	intake_png_check(data, size, &lim, &res);
	no_internal(&res);
	memset(&res, 0, sizeof(res));
	intake_zip_check(data, size, &lim, NULL, &res);
	no_internal(&res);
	intake_result_free(&res);

	/* issue 10: the name and markup checks on the same bytes. */
	{
		char name[INTAKE_NAME_MAX], what[96];
		const char *why = "";
		size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

		intake_name_chars(data, size, &why);
		memcpy(name, data, n);
		name[n] = '\0';
		intake_name_type(name, &why);
		memset(&res, 0, sizeof(res));
		intake_name_check(name, &res);
		no_internal(&res);
		intake_markup_find(data, size, 1, what, sizeof(what));
	}
	return 0;
}
