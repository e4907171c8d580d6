/* The page layer without a server: template escaping by context, sections and scopes,
 * malformed templates, catalogues, the shipped templates and catalogues themselves (every
 * key in both languages, every registry code translated), and form parsing. Run from the
 * repository root (make check does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>

#include "cases/case.h"
#include "cases/rules.h"
#include "errors.h"
#include "http/page.h"
#include "http/page_tmpl.h"
#include "intake/intake.h"
#include "letters/verify.h"
#include "util/fsx.h"

static struct page_cat en, hi;
static struct page_msgs msgs = { &hi, &en };

/* Renders src with the JSON context text; returns the output (static) or NULL on error. */
static const char *
render(const char *src, const char *ctx_json)
{
	static char out[8192];
	char err[256];
	struct buf b;
	json_t *ctx = json_loads(ctx_json, 0, NULL);
	int rc;

	assert_non_null(ctx);
	buf_init(&b, sizeof(out) - 1);
	rc = page_tmpl_render(src, strlen(src), ctx, &msgs, &b, err, sizeof(err));
	json_decref(ctx);
	if (rc != 0) {
		buf_free(&b);
		return NULL;
	}
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_free(&b);
	return out;
}

static void
test_escaping(void **state)
{
	assert_string_equal(render("<p>{{x}}</p>", "{\"x\": \"<script>\\\"'&\"}"),
	    "<p>&lt;script&gt;&quot;&#39;&amp;</p>");
	assert_string_equal(render("<a href=\"/c/{{u x}}\">", "{\"x\": \"a b/&\\\"<\"}"),
	    "<a href=\"/c/a%20b%2F%26%22%3C\">");
	assert_string_equal(render("{{{x}}}", "{\"x\": \"<b>ok</b>\"}"), "<b>ok</b>");
	assert_string_equal(render("{{n}} {{r}} {{yes}} [{{no}}] [{{missing}}]",
	    "{\"n\": 42, \"r\": 1.5, \"yes\": true, \"no\": false}"), "42 1.5 true [] []");
	/* a value never becomes a tag */
	assert_string_equal(render("{{x}}", "{\"x\": \"{{y}}\", \"y\": \"no\"}"), "{{y}}");
}

static void
test_sections(void **state)
{
	const char *ctx = "{\"title\": \"T\", \"list\": [{\"a\": \"1\"}, {\"a\": \"<2>\", \"title\":"
	    " \"inner\"}], \"empty\": [], \"obj\": {\"k\": \"v\"}, \"strs\": [\"x\", \"y\"]}";

	assert_string_equal(render("{{#each list}}[{{a}} {{title}}]{{/each}}", ctx),
	    "[1 T][&lt;2&gt; inner]");
	assert_string_equal(render("{{#if empty}}yes{{else}}no{{/if}}", ctx), "no");
	assert_string_equal(render("{{#unless empty}}none{{/unless}}", ctx), "none");
	assert_string_equal(render("{{#if obj.k}}{{obj.k}}{{/if}}", ctx), "v");
	assert_string_equal(render("{{#each strs}}{{.}},{{/each}}", ctx), "x,y,");
	assert_string_equal(render("{{#each list}}{{#if title}}({{title}}){{else}}-{{/if}}{{/each}}",
	    ctx), "(T)(inner)");
	assert_string_equal(render("a{{! a comment that is long enough to pass the tag limit of "
	    "one hundred and twenty eight bytes, which comments may do, and more }}b", ctx), "ab");
	/* nested sections of the same kind close in order */
	assert_string_equal(render("{{#if title}}{{#if obj}}in{{/if}}out{{/if}}", ctx), "inout");
}

static void
test_malformed(void **state)
{
	assert_null(render("{{#if x}}never closed", "{}"));
	assert_null(render("stray {{/if}}", "{}"));
	assert_null(render("{{#each x}}a{{else}}b{{/each}}", "{}"));
	assert_null(render("{{#with x}}a{{/with}}", "{}"));
	assert_null(render("{{#if x}}a{{/each}}", "{}"));
	assert_null(render("{{unterminated", "{}"));
	assert_null(render("{{}}", "{}"));
}

static void
test_catalogue(void **state)
{
	struct page_cat c;
	struct page_msgs m = { &c, NULL };
	char err[128];

	const char *text = "# c\n b = B \na=A=1\n\n";

	assert_int_equal(page_cat_parse(&c, text, strlen(text), err, sizeof(err)), 0);
	assert_string_equal(page_cat_get(&c, "a"), "A=1");
	assert_string_equal(page_cat_get(&c, "b"), "B");
	assert_null(page_cat_get(&c, "c"));
	assert_null(page_msgs_get(&m, "c"));
	page_cat_free(&c);
	assert_int_equal(page_cat_parse(&c, "a = 1\na = 2\n", 12, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "twice"));
	page_cat_free(&c);
	assert_int_equal(page_cat_parse(&c, "no equals\n", 10, err, sizeof(err)), -1);
	page_cat_free(&c);
	/* translated tags: the page language, then English, then the key itself */
	assert_string_equal(render("{{t nav.home}}|{{tv k}}|{{t no.such.key}}",
	    "{\"k\": \"nav.signout\"}"), "मुख पृष्ठ|साइन आउट|no.such.key");
}

static int
has(const char *key)
{
	return page_cat_get(&en, key) != NULL && page_cat_get(&hi, key) != NULL;
}

static void
test_shipped_catalogues(void **state)
{
	char key[96];
	size_t i;

	assert_int_equal(en.n, hi.n);
	for (i = 0; i < en.n; i++)
		if (page_cat_get(&hi, en.msgs[i].key) == NULL)
			fail_msg("hi.txt lacks %s", en.msgs[i].key);
	for (i = 1; i < ERR__MAX; i++) {
		snprintf(key, sizeof(key), "err.%s", err_code((enum err)i));
		if (!has(key))
			fail_msg("no text for %s", key);
		/* the page says what the API says */
		assert_string_equal(page_cat_get(&en, key), err_message((enum err)i));
	}
	for (i = 1; i < INTAKE__MAX; i++) {
		const struct intake_code_info *ci = intake_code_info((enum intake_code)i);

		snprintf(key, sizeof(key), "intake.%s", ci->code);
		if (!has(key))
			fail_msg("no text for %s", key);
		assert_string_equal(page_cat_get(&en, key), ci->message);
	}
	for (i = 0; i < VR__MAX; i++) {
		snprintf(key, sizeof(key), "vr.%s", verify_reason_code((enum verify_reason)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
}

/* Every shipped template renders, and every fixed text it names exists in both languages. */
static void
test_shipped_templates(void **state)
{
	DIR *d = opendir("templates/pages");
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		char path[512], err[256], key[128];
		const char *p;
		struct buf src, out;
		json_t *ctx;

		if (strstr(de->d_name, ".html") == NULL)
			continue;
		snprintf(path, sizeof(path), "templates/pages/%s", de->d_name);
		buf_init(&src, 1 << 20);
		buf_init(&out, 1 << 20);
		assert_int_equal(fsx_read(path, &src), 0);
		ctx = json_pack("{s:b, s:b, s:[{s:s}]}", "owner", 1, "signed_in", 1, "kinds",
		    "kind", "aadhaar");
		if (page_tmpl_render(buf_str(&src), src.len, ctx, &msgs, &out, err,
		    sizeof(err)) != 0)
			fail_msg("%s: %s", path, err);
		for (p = buf_str(&src); (p = strstr(p, "{{t ")) != NULL; p += 4) {
			size_t k = strcspn(p + 4, "}");

			snprintf(key, sizeof(key), "%.*s", (int)k, p + 4);
			if (!has(key))
				fail_msg("%s: no text for '%s' in both catalogues", path, key);
		}
		json_decref(ctx);
		buf_free(&src);
		buf_free(&out);
		n++;
	}
	closedir(d);
	assert_true(n >= 10);
}

static void
test_form(void **state)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	buf_init(&r.body, 4096);
	assert_int_equal(buf_puts(&r.body, "a=1&b=x+y%21&&csrf=abc&empty="), 0);
	assert_int_equal(page_form_parse(&r), 0);
	assert_string_equal(page_form_get(&r, "a"), "1");
	assert_string_equal(page_form_get(&r, "b"), "x y!");
	assert_string_equal(page_form_get(&r, "empty"), "");
	assert_null(page_form_get(&r, "c"));
	snprintf(r.csrf, sizeof(r.csrf), "abc");
	assert_true(page_csrf_ok(&r, page_form_get(&r, "csrf")));
	assert_false(page_csrf_ok(&r, "abd"));
	assert_false(page_csrf_ok(&r, "ab"));
	assert_false(page_csrf_ok(&r, NULL));
	r.csrf[0] = '\0';
	assert_false(page_csrf_ok(&r, ""));	/* no session token: nothing matches */
	buf_reset(&r.body);
	assert_int_equal(buf_puts(&r.body, "a=%zz"), 0);
	assert_int_equal(page_form_parse(&r), -1);
	buf_reset(&r.body);
	assert_int_equal(buf_puts(&r.body, "a=%00"), 0);
	assert_int_equal(page_form_parse(&r), -1);
	buf_reset(&r.body);
	assert_int_equal(buf_puts(&r.body, "novalue"), 0);
	assert_int_equal(page_form_parse(&r), -1);
	page_form_free(r.form);
	free(r.form);
	buf_free(&r.body);
}

/* The case pages translate the workflow's own names (h_pages_flow.c): every state, stage,
 * verdict, reason, discrepancy field and history action needs a text in both languages. */
static void
test_flow_texts(void **state)
{
	static const char *const acts[] = { "service", "submit", "verify", "return",
	    "discrepancy", "certify", "post", "waiting_post", "approve", "reject", "reeval" };
	static const char *const done[] = { "saved", "submitted", "verified", "returned",
	    "discrepancy", "certified", "approved", "rejected", "posts", "waiting" };
	char key[96];
	int i;

	for (i = 0; i < CASE__MAX; i++) {
		snprintf(key, sizeof(key), "state.%s", case_state_name((enum case_state)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i < RULES_STAGE__MAX; i++) {
		snprintf(key, sizeof(key), "stage.%s", rules_stage_name((enum rules_stage)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i <= RULES_INCOMPLETE; i++) {
		snprintf(key, sizeof(key), "verdict.%s", rules_verdict_name((enum rules_verdict)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i < RULES_R__MAX; i++) {
		snprintf(key, sizeof(key), "reason.%s", rules_reason_name((enum rules_reason)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i < CASE_F__MAX; i++) {
		snprintf(key, sizeof(key), "cfield.%s", case_field_name((enum case_field)i));
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i < (int)(sizeof(acts) / sizeof(acts[0])); i++) {
		snprintf(key, sizeof(key), "act.case.%s", acts[i]);
		if (!has(key))
			fail_msg("no text for %s", key);
	}
	for (i = 0; i < (int)(sizeof(done) / sizeof(done[0])); i++) {
		snprintf(key, sizeof(key), "done.%s", done[i]);
		if (!has(key))
			fail_msg("no text for %s", key);
	}
}

/* Repeated fields (the checkboxes of a bulk form) come back in order. */
static void
test_form_all(void **state)
{
	const char *v[4];
	struct req r;

	memset(&r, 0, sizeof(r));
	buf_init(&r.body, 4096);
	assert_int_equal(buf_puts(&r.body, "id=A&x=1&id=B&id=C&id=D&id=E"), 0);
	assert_int_equal(page_form_parse(&r), 0);
	assert_int_equal(page_form_all(&r, "id", v, 4), 4);
	assert_string_equal(v[0], "A");
	assert_string_equal(v[3], "D");
	assert_int_equal(page_form_all(&r, "x", v, 4), 1);
	assert_int_equal(page_form_all(&r, "none", v, 4), 0);
	page_form_free(r.form);
	free(r.form);
	buf_free(&r.body);
}

static int
setup(void **state)
{
	char err[256];

	if (page_cat_load(&en, "templates/i18n/en.txt", err, sizeof(err)) != 0 ||
	    page_cat_load(&hi, "templates/i18n/hi.txt", err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	page_cat_free(&en);
	page_cat_free(&hi);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_catalogue),
		cmocka_unit_test(test_shipped_catalogues),
		cmocka_unit_test(test_shipped_templates),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_form_all),
		cmocka_unit_test(test_flow_texts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
