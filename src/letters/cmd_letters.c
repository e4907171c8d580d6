/* The command line of the letters module: `suraksha verify` (API.md) and `suraksha letter`
 * (keys and sample letters, for operators and tests). */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "commands.h"
#include "config.h"
#include "letters/letter.h"
#include "letters/pki.h"
#include "letters/sign.h"
#include "signer/keys.h"
#include "signer/signer.h"
#include "letters/store.h"
#include "db/db.h"
#include "util/crypt.h"
#include "letters/verify.h"
#include "util/buf.h"
#include "util/fsx.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define MAX_PDF		(32 * 1024 * 1024)
#define MAX_FACTS	(64 * 1024)

static const char verify_usage[] =
    "usage: suraksha verify FILE.pdf [--ca FILE] [--crl FILE] [--data DIR] [--offline]\n"
    "Verifies a signed offer letter and prints the report as JSON (docs/api.md).\n"
    "  --ca FILE   trusted CA certificate (default <data>/keys/ca.pem)\n"
    "  --crl FILE  the portal CA's CRL in DER, as GET /crl serves it (default\n"
    "              <data>/keys/crl.der when present)\n"
    "  --offline   do not consult the portal's database even if <data> has one\n"
    "With the portal's database (<data>/suraksha.db) the letter is valid only if the portal\n"
    "issued exactly this signed letter; without it the report says issuance was not checked.\n"
    "The PDF is parsed in a limited child process (pdf_memory_max, parser_cpu_seconds).\n"
    "Exit 0 when valid, 1 when invalid, 2 on bad usage or an unreadable file.\n";

int
cmd_verify(int argc, char **argv)
{
	struct cli_common c = { "./storage", NULL, 0 };
	const char *ca_path = NULL, *crl_path = NULL, *file = NULL, *v;
	char def_ca[PATH_MAX], def_crl[PATH_MAX];
	struct config cfg;
	struct buf pdf;
	struct verify_report r;
	struct letter_lookup lk = { 0 };
	struct verify_ctx vc = { NULL, NULL, NULL, NULL, NULL };
	char dbfile[PATH_MAX], dberr[256], seal[PATH_MAX];
	json_t *j = NULL;
	int i, rc = EXIT_USAGE, offline = 0, k;

	buf_init(&pdf, MAX_PDF);
	for (i = 1; i < argc;) {
		if ((k = cli_common_opt(argc, argv, &i, &c)) < 0)
			goto usage;
		if (k > 0)
			continue;
		if ((k = cli_opt(argc, argv, &i, "--ca", &v)) != 0) {
			if (k < 0)
				goto usage;
			ca_path = v;
		} else if ((k = cli_opt(argc, argv, &i, "--crl", &v)) != 0) {
			if (k < 0)
				goto usage;
			crl_path = v;
		} else if (strcmp(argv[i], "--offline") == 0) {
			offline = 1;
			i++;
		} else if (argv[i][0] != '-' && file == NULL)
			file = argv[i++];
		else {
			fprintf(stderr, "suraksha verify: unexpected argument '%s'\n", argv[i]);
			goto usage;
		}
	}
	if (c.help) {
		fputs(verify_usage, stdout);
		return EXIT_OK;
	}
	if (file == NULL)
		goto usage;
	if (cli_load_config(&c, &cfg) != 0)
		return EXIT_USAGE;
	if (ca_path == NULL) {
		if (fsx_join(def_ca, sizeof(def_ca), c.data, "keys/ca.pem") != 0)
			goto usage;
		ca_path = def_ca;
	}
	if ((vc.ca = pki_load_cert_file(ca_path)) == NULL) {
		fprintf(stderr, "suraksha verify: cannot read the CA certificate %s\n", ca_path);
		goto out;
	}
	if (crl_path == NULL && fsx_join(def_crl, sizeof(def_crl), c.data, "keys/crl.der") == 0 &&
	    access(def_crl, R_OK) == 0)
		crl_path = def_crl;
	if (crl_path != NULL && (vc.crl = pki_crl_load(crl_path, vc.ca)) == NULL) {
		fprintf(stderr, "suraksha verify: %s is not a CRL signed by the CA\n", crl_path);
		goto out;
	}
	/* the portal seal's certificate when the data folder has it: the report names it */
	if (fsx_join(seal, sizeof(seal), c.data, "keys/seal.pem") == 0 && access(seal, R_OK) == 0)
		vc.seal = pki_load_cert_file(seal);
	if (fsx_read(file, &pdf) != 0) {
		fprintf(stderr, "suraksha verify: cannot read %s\n", file);
		goto out;
	}
	/* With the portal's database at hand, also ask whether the portal issued this very
	 * letter and whether it was revoked; without it those stay unknown (null). */
	if (!offline && db_path(c.data, dbfile, sizeof(dbfile)) == 0 &&
	    access(dbfile, R_OK) == 0) {
		if ((lk.db = db_open(dbfile, 0, dberr, sizeof(dberr))) == NULL) {
			fprintf(stderr, "suraksha verify: %s\n", dberr);
			goto out;
		}
		vc.lookup = letter_store_lookup;
		vc.lookup_arg = &lk;
	}
	/* the same limited child process as the server's (one thread here: forking is safe) */
	if (verify_worker_start(1, (uint64_t)cfg.pdf_memory_max,
	    (unsigned)cfg.parser_cpu_seconds) != 0) {
		fprintf(stderr, "suraksha verify: cannot start the parser process\n");
		goto out;
	}
	if (verify_pdf((const unsigned char *)pdf.data, pdf.len, &vc, &r) != 0 &&
	    r.nreasons == 0) {
		fprintf(stderr, "suraksha verify: internal failure (database or memory)\n");
		goto out;
	}
	if ((j = verify_report_json(&r)) == NULL) {
		fprintf(stderr, "suraksha verify: out of memory\n");
		goto out;
	}
	json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	rc = r.valid ? EXIT_OK : EXIT_NEGATIVE;
out:
	verify_worker_stop();
	db_close(lk.db);
	json_decref(j);
	X509_free(vc.ca);
	X509_free(vc.seal);
	X509_CRL_free(vc.crl);
	buf_free(&pdf);
	return rc;
usage:
	fputs(verify_usage, stderr);
	buf_free(&pdf);
	return EXIT_USAGE;
}

static const char letter_usage[] =
    "usage: suraksha letter SUBCOMMAND [OPTIONS] [--data DIR]\n"
    "  ca                               create the portal CA in <data>/keys if absent\n"
    "  hod --hod USER --name CN [--days N]\n"
    "                                   issue a HoD key and certificate from the portal CA\n"
    "  import-p12 --hod USER --p12 FILE import a HoD's PKCS#12 (password on stdin)\n"
    "  sample --hod USER --out FILE.pdf [--facts FILE.json] [--template FILE]\n"
    "         [--fonts DIR]             render and sign a letter (built-in sample facts,\n"
    "                                   overridden by the keys of --facts; for tests)\n"
    "HoD keys live in the data folder's PKCS#11 token (label hod-USER, created by 'init' in\n"
    "<data>/hsm, or the pkcs11_* settings); certificates in <data>/keys/hod-USER.pem. A\n"
    "sample is signed through the signer process, like the server's letters.\n";

struct sample {
	struct letter_facts	f;
	json_t			*json;	/* owns the strings of f taken from --facts */
};

static void
sample_defaults(struct letter_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->ref = "HR/SOS/HLTH/2026/000123";
	f->issued_at = time_now();
	f->employee_name = "Sunita Devi";
	f->employee_id = "HKRNL-2019-004512";
	f->family_id = "7XK29QP41";
	f->department = "Health";
	f->office = "Civil Surgeon Office";
	f->district = "Rohtak";
	f->designation = "Staff Nurse";
	f->pay_level = 2;
	f->effective_date = date_from_ymd(2026, 12, 1);
	f->entry_pay = 19900;
	f->band_percent = 10;
	f->qualifying_years = 9;
	f->additional_remuneration = 2000;
	f->consolidated = 21900;
	f->hod_name = "Dr. Ramesh Kumar Sharma";
	f->hod_designation = "Director General of Health Services";
	f->verify_base_url = "https://sos.haryana.gov.in";
}

/* Overrides from a JSON object whose keys are the fields of struct letter_facts
 * (effective_date as "YYYY-MM-DD", issued_at as Unix seconds). */
static int
sample_from_json(struct sample *s, const char *path)
{
	static const struct {
		const char	*key;
		size_t		 off;
	} strs[] = {
#define S(k) { #k, offsetof(struct letter_facts, k) }
		S(ref), S(employee_name), S(employee_id), S(family_id), S(department),
		S(office), S(district), S(designation), S(hod_name), S(hod_designation),
		S(verify_base_url),
#undef S
	}, ints[] = {
#define I(k) { #k, offsetof(struct letter_facts, k) }
		I(pay_level), I(entry_pay), I(band_percent), I(qualifying_years),
		I(additional_remuneration), I(consolidated),
#undef I
	};
	json_error_t err;
	json_t *v;
	size_t i;

	if ((s->json = json_load_file(path, JSON_REJECT_DUPLICATES, &err)) == NULL ||
	    !json_is_object(s->json)) {
		fprintf(stderr, "suraksha letter: %s: %s\n", path, err.text);
		return -1;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if ((v = json_object_get(s->json, strs[i].key)) != NULL) {
			if (!json_is_string(v))
				return -1;
			*(const char **)((char *)&s->f + strs[i].off) = json_string_value(v);
		}
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if ((v = json_object_get(s->json, ints[i].key)) != NULL) {
			if (!json_is_integer(v) || json_integer_value(v) < INT_MIN ||
			    json_integer_value(v) > INT_MAX)
				return -1;
			*(int *)((char *)&s->f + ints[i].off) = (int)json_integer_value(v);
		}
	if ((v = json_object_get(s->json, "issued_at")) != NULL) {
		if (!json_is_integer(v))
			return -1;
		s->f.issued_at = json_integer_value(v);
	}
	if ((v = json_object_get(s->json, "effective_date")) != NULL &&
	    (!json_is_string(v) || strict_date(json_string_value(v), &s->f.effective_date)))
		return -1;
	return 0;
}

static int
keys_dir(const char *data_dir, char *out, size_t len)
{
	return fsx_join(out, len, data_dir, "keys");
}

static int
sign_by_signer(void *ctx, const unsigned char digest[32], unsigned char *sig, size_t *siglen)
{
	return signer_sign(ctx, digest, sig, siglen) == SIGNER_OK ? 0 : -1;
}

static int
letter_sample(const struct config *conf, const char *keys, const char *hod, const char *out,
    const char *facts, const struct letter_config *cfg)
{
	struct sig_key key = { NULL, NULL, sign_by_signer, NULL };
	char label[72], file[96];
	struct sample s;
	struct buf pdf;
	int rc = EXIT_USAGE, e;

	memset(&s, 0, sizeof(s));
	buf_init(&pdf, MAX_PDF);
	sample_defaults(&s.f);
	if (facts != NULL && sample_from_json(&s, facts) != 0) {
		fprintf(stderr, "suraksha letter: bad facts file %s\n", facts);
		goto out;
	}
	snprintf(label, sizeof(label), "hod-%s", hod);
	snprintf(file, sizeof(file), "%s.pem", label);
	key.ctx = label;
	if (strict_username(hod) != 0 ||
	    (e = pki_load_chain(keys, file, &key.cert, &key.chain)) != PKI_OK) {
		fprintf(stderr, "suraksha letter: no certificate for '%s' in %s\n", hod, keys);
		goto out;
	}
	if (signer_start(conf) != SIGNER_OK) {
		fprintf(stderr, "suraksha letter: cannot reach the key token\n");
		goto out;
	}
	e = letter_issue_key(cfg, &s.f, &key, &pdf);
	signer_stop();
	if (e != LETTER_OK) {
		fprintf(stderr, "suraksha letter: cannot issue the letter: %s\n",
		    letter_strerror(e));
		goto out;
	}
	if (fsx_write_atomic(out, pdf.data, pdf.len, 0644) != 0) {
		fprintf(stderr, "suraksha letter: cannot write %s\n", out);
		goto out;
	}
	printf("%s %zu bytes, ref %s\n", out, pdf.len, s.f.ref);
	rc = EXIT_OK;
out:
	X509_free(key.cert);
	sk_X509_pop_free(key.chain, X509_free);
	json_decref(s.json);
	buf_free(&pdf);
	return rc;
}

static int
read_password(char *out, size_t len)
{
	size_t n;

	if (fgets(out, (int)len, stdin) == NULL)
		out[0] = '\0';
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

int
cmd_letter(int argc, char **argv)
{
	const char *data_dir = "./storage", *hod = NULL, *name = NULL, *out = NULL;
	const char *facts = NULL, *p12 = NULL, *sub;
	struct letter_config cfg = { NULL, NULL };
	struct cli_common cc = { "./storage", NULL, 0 };
	struct config conf;
	char keys[PATH_MAX], pass[512], label[72];
	int64_t days = 0;
	int i, e;

	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fputs(letter_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0) {
			fputs(letter_usage, stdout);
			return EXIT_OK;
		}
		if (v == NULL)
			goto usage;
		i++;
		if (strcmp(a, "--data") == 0)
			data_dir = v;
		else if (strcmp(a, "--config") == 0)
			cc.config = v;
		else if (strcmp(a, "--hod") == 0)
			hod = v;
		else if (strcmp(a, "--name") == 0)
			name = v;
		else if (strcmp(a, "--out") == 0)
			out = v;
		else if (strcmp(a, "--facts") == 0)
			facts = v;
		else if (strcmp(a, "--p12") == 0)
			p12 = v;
		else if (strcmp(a, "--template") == 0)
			cfg.template_path = v;
		else if (strcmp(a, "--fonts") == 0)
			cfg.fonts_dir = v;
		else if (strcmp(a, "--days") == 0) {
			if (strict_int64(v, 1, 20 * 366, &days) != 0)
				goto usage;
		} else
			goto usage;
	}
	cc.data = data_dir;
	if (keys_dir(data_dir, keys, sizeof(keys)) != 0 || cli_load_config(&cc, &conf) != 0)
		goto usage;
	/* base_url: the CRL distribution point of the certificates issued here (issue 9) */
	pki_set_crl_base_url(conf.base_url);
	if (strcmp(sub, "ca") == 0) {
		if ((e = pki_ca_init(keys)) != PKI_OK) {
			fprintf(stderr, "suraksha letter: CA: %s\n", pki_strerror(e));
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (strcmp(sub, "hod") == 0 && hod != NULL && name != NULL) {
		snprintf(label, sizeof(label), "hod-%s", hod);
		if (strict_username(hod) != 0 ||
		    signer_keys_issue(&conf, label, name, (int)days) != 0) {
			fprintf(stderr, "suraksha letter: cannot issue a key for %s\n", hod);
			return EXIT_USAGE;
		}
		return EXIT_OK;
	}
	if (strcmp(sub, "import-p12") == 0 && hod != NULL && p12 != NULL) {
		read_password(pass, sizeof(pass));
		e = signer_keys_import_p12(&conf, hod, p12, pass);
		memset(pass, 0, sizeof(pass));
		return e == 0 ? EXIT_OK : EXIT_USAGE;
	}
	if (strcmp(sub, "sample") == 0 && hod != NULL && out != NULL)
		return letter_sample(&conf, keys, hod, out, facts, &cfg);
usage:
	fputs(letter_usage, stderr);
	return EXIT_USAGE;
}

/* suraksha hod import-p12 | issue: the HoD's signing key, by the names the issue tracker
 * and operators use; the work is cmd_letter's. */
int
cmd_hod(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "import-p12") == 0)
		return cmd_letter(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "issue") == 0) {
		argv[1] = (char *)"hod";
		return cmd_letter(argc, argv);
	}
	fprintf(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
	    "usage: suraksha hod import-p12 --hod USER --p12 FILE [--data DIR]  (password on stdin)\n"
	    "       suraksha hod issue --hod USER --name CN [--days N] [--data DIR]\n"
	    "  import a HoD's own PKCS#12, or issue a new key and certificate from the portal CA\n"
	    "  (suraksha user add --role hod issues one already).\n");
	return argc >= 2 && strcmp(argv[1], "--help") == 0 ? EXIT_OK : EXIT_USAGE;
}
