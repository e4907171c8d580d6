/* Letters benchmark (one thread): letters rendered and signed per second with the mean size,
 * and verifications per second. Built and run by tests/bench/letters.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "letters/letter.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "letters/verify.h"
#include "signer/signer.h"
#include "util/fsx.h"
#include "util/strict.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
by_signer(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return signer_sign(ctx, digest, sig, siglen) == SIGNER_OK ? 0 : -1;
}

/* Seal-signed letters through the signer process (the key in the data folder's token),
 * with a timestamp from tsa_url when given: what the server does per approval. */
static int
through_signer(const char *data, const char *tsa_url, struct letter_facts *f, int n)
{
	struct sig_key key = { NULL, NULL, by_signer, (void *)"seal", NULL, NULL, 5000 };
	struct config cfg;
	char keys[1024], ref[64];
	struct buf b;
	double t0, t1, bytes = 0;
	int i, rc = 1;

	config_defaults(&cfg, data);
	signer_set_program("./suraksha");
	if (fsx_join(keys, sizeof(keys), data, "keys") != 0 ||
	    pki_load_chain(keys, "seal.pem", &key.cert, &key.chain) != PKI_OK ||
	    (key.tsa_ca = pki_load_ca(keys)) == NULL || signer_start(&cfg) != SIGNER_OK)
		return 1;
	buf_init(&b, 1 << 20);
	for (int pass = 0; pass < (tsa_url != NULL ? 2 : 1); pass++) {
		key.tsa_url = pass == 1 ? tsa_url : NULL;
		t0 = now();
		for (i = 0; i < n; i++) {
			snprintf(ref, sizeof(ref), "HR/SOS/HLTH/2026/%06d", i + 1);
			f->ref = ref;
			buf_reset(&b);
			if (letter_issue_key(NULL, f, &key, &b) != LETTER_OK)
				goto out;
			bytes += (double)b.len;
		}
		t1 = now();
		printf("seal through the signer process%s: %d letters in %.3f s = %.0f letters/s, "
		    "%.1f us each, mean %.0f bytes\n", pass == 1 ? " + B-T timestamp (local TSA)" :
		    " (B-B)", n, t1 - t0, n / (t1 - t0), (t1 - t0) / n * 1e6, bytes / n);
		bytes = 0;
	}
	rc = 0;
out:
	signer_stop();
	buf_free(&b);
	X509_free(key.cert);
	X509_free(key.tsa_ca);
	sk_X509_pop_free(key.chain, X509_free);
	return rc;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, i;	/* bench-only tool: input is ours */
	EVP_PKEY *cak;
	X509 *cac;
	struct pki_signer s = { 0 };
	struct letter_facts f;
	struct buf b, keep;
	struct verify_report r;
	char ref[64];
	double t0, t1, bytes = 0;
	int64_t base = 1795425000;

	/* as serve does; LETTERS_BENCH_GLIBC=1 keeps the allocator's defaults, to compare */
	if (getenv("LETTERS_BENCH_GLIBC") == NULL)
		letter_heap_tune();
	if (pki_make_ca("Bench CA", base - 86400, base + 86400 * 3650LL, &cak, &cac) != PKI_OK ||
	    pki_make_leaf(cak, cac, "Dr. Ramesh Kumar Sharma", base - 86400, base + 86400 * 1000LL,
	    &s.key, &s.cert) != PKI_OK)
		return 1;
	s.chain = sk_X509_new_null();
	X509_up_ref(cac);
	sk_X509_push(s.chain, cac);
	memset(&f, 0, sizeof(f));
	f.issued_at = base;
	f.employee_name = "Sunita Devi";
	f.employee_id = "HKRNL-2019-004512";
	f.family_id = "7XK29QP41";
	f.department = "Health";
	f.office = "Civil Surgeon Office";
	f.district = "Rohtak";
	f.designation = "Staff Nurse";
	f.pay_level = 2;
	f.effective_date = date_from_ymd(2026, 12, 1);
	f.entry_pay = 19900;
	f.band_percent = 10;
	f.qualifying_years = 9;
	f.additional_remuneration = 2000;
	f.consolidated = 21900;
	f.hod_name = "Dr. Ramesh Kumar Sharma";
	f.hod_designation = "Director General of Health Services";
	f.verify_base_url = "https://sos.haryana.gov.in";
	buf_init(&b, 1 << 20);
	buf_init(&keep, 1 << 20);
	/* warm-up: the first letter of a thread loads the font */
	f.ref = "HR/SOS/HLTH/2026/000000";
	t0 = now();
	if (letter_issue(NULL, &f, &s, &keep) != LETTER_OK)
		return 1;
	printf("first letter (font load included): %.2f ms\n", (now() - t0) * 1e3);
	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(ref, sizeof(ref), "HR/SOS/HLTH/2026/%06d", i + 1);
		f.ref = ref;
		f.issued_at = base + i;
		buf_reset(&b);
		if (letter_issue(NULL, &f, &s, &b) != LETTER_OK)
			return 1;
		bytes += (double)b.len;
	}
	t1 = now();
	printf("render+sign: %d letters in %.3f s = %.0f letters/s, %.1f us each, "
	    "mean %.0f bytes (%.1f KiB)\n", n, t1 - t0, n / (t1 - t0), (t1 - t0) / n * 1e6,
	    bytes / n, bytes / n / 1024);
	/* in-process parse (the issue's self-check path), then the server's: the PDF parsed
	 * by a limited persistent worker process (pinned to the same core by taskset) */
	for (int iso = 0; iso < 2; iso++) {
		struct verify_ctx vc = { cac, NULL, NULL, NULL };
		uint64_t jobs, spawned;
		double in_us = 0;

		if (iso && verify_worker_start(1, 512ULL << 20, 10) != 0)
			return 1;
		t0 = now();
		for (i = 0; i < n; i++) {
			if (verify_pdf((const unsigned char *)b.data, b.len, &vc, &r) != 0 ||
			    !r.valid)
				return 1;
		}
		t1 = now();
		printf("verify (%s): %d in %.3f s = %.0f verifications/s, %.1f us each\n",
		    iso ? "parse in the limited worker" : "parse in-process", n, t1 - t0,
		    n / (t1 - t0), (t1 - t0) / n * 1e6);
		if (!iso) {
			in_us = (t1 - t0) / n * 1e6;
			(void)in_us;
			continue;
		}
		verify_worker_stats(&jobs, &spawned);
		printf("  worker: %llu files parsed, %llu worker(s) started\n",
		    (unsigned long long)jobs, (unsigned long long)spawned);
		{
			/* what the child itself costs: a round trip with a parse of almost nothing */
			static const char tiny[] = "%PDF-1.0\n1 0 obj<</Type/Catalog>>endobj\n"
			    "trailer<</Root 1 0 R>>\n%%EOF\n";
			struct verify_parsed *vp = malloc(sizeof(*vp));
			double a, c;

			a = now();
			for (i = 0; i < n; i++)
				verify_parse((const unsigned char *)tiny, sizeof(tiny) - 1, vp);
			c = now();
			printf("  tiny PDF parsed in-process: %.1f us; ", (c - a) / n * 1e6);
			a = now();
			for (i = 0; i < n; i++)
				verify_worker_parse((const unsigned char *)tiny, sizeof(tiny) - 1, vp);
			c = now();
			printf("through the worker: %.1f us (the difference is the child's cost)\n",
			    (c - a) / n * 1e6);
			free(vp);
		}
		verify_worker_stop();
	}
	if (argc > 2 && through_signer(argv[2], argc > 3 ? argv[3] : NULL, &f, n) != 0) {
		fprintf(stderr, "signing through the signer process failed\n");
		return 1;
	}
	buf_free(&b);
	buf_free(&keep);
	pki_signer_free(&s);
	EVP_PKEY_free(cak);
	X509_free(cac);
	letter_render_release();
	return 0;
}
