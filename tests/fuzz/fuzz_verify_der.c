/* libFuzzer harness for the one hand-written DER walk of verification (verify_der.c),
 * and for the CMS parse that follows it in verify.c: any input either splits into
 * certificates plus a stripped ContentInfo that lie inside it, or is refused; nothing is
 * read out of bounds (ASan). Seeds: tests/fuzz/verify_der/ (the CMS of a real letter).
 * Build and run: make fuzz-verify. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <openssl/cms.h>

#include "letters/verify_der.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verify_der_split cs;
	const unsigned char *p;
	CMS_ContentInfo *cms;
	unsigned i;

	buf_init(&cs.stripped, 65536);
	if (verify_der_split(data, size, &cs) == 0) {
		if (cs.der_len > size || cs.ncerts == 0 || cs.ncerts > VERIFY_DER_MAX_CERTS)
			abort();
		for (i = 0; i < cs.ncerts; i++)
			if (cs.cert[i] < data || cs.cert[i] + cs.cert_len[i] > data + size)
				abort();
		p = (const unsigned char *)cs.stripped.data;
		cms = d2i_CMS_ContentInfo(NULL, &p, (long)cs.stripped.len);
		CMS_ContentInfo_free(cms);
	}
	buf_free(&cs.stripped);
	return 0;
}
