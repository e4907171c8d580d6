/* The letter template: sections, {{placeholder}} expansion, and the facts table. */
#include "letters/template.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "letters/text.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

static const char *const section_names[S__MAX] = {
	"letterhead", "addressee", "subject", "body", "pay_table", "terms", "verify",
	"signature", "footer",
};

void
letter_tmpl_free(struct tmpl *t)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		buf_free(&t->sec[i]);
}

static int
expand_line(const char *line, size_t len, const struct fact_kv *kv, size_t nkv,
    struct buf *out)
{
	char utf[MAX_PARA], win[MAX_PARA];
	struct buf tmp;
	size_t i = 0, k;
	int rc = LETTER_ERR_TEMPLATE;

	buf_init(&tmp, sizeof(utf) - 1);
	while (i < len) {
		const char *open = memmem(line + i, len - i, "{{", 2), *close;

		if (open == NULL) {
			if (buf_append(&tmp, line + i, len - i) != 0)
				goto out;
			break;
		}
		if (buf_append(&tmp, line + i, (size_t)(open - (line + i))) != 0)
			goto out;
		close = memmem(open + 2, len - (size_t)(open + 2 - line), "}}", 2);
		if (close == NULL)
			goto out;
		for (k = 0; k < nkv; k++)
			if (strlen(kv[k].name) == (size_t)(close - open - 2) &&
			    memcmp(kv[k].name, open + 2, (size_t)(close - open - 2)) == 0)
				break;
		if (k == nkv) {
			log_error("letters: unknown placeholder {{%.*s}} in template",
			    (int)(close - open - 2), open + 2);
			goto out;
		}
		if (buf_puts(&tmp, kv[k].value) != 0)
			goto out;
		i = (size_t)(close + 2 - line);
	}
	if (text_to_winansi(buf_str(&tmp), win, sizeof(win)) != 0) {
		rc = LETTER_ERR_FACTS;
		goto out;
	}
	rc = buf_puts(out, win) == 0 && buf_puts(out, "\n") == 0 ? LETTER_OK :
	    LETTER_ERR_TEMPLATE;
out:
	buf_free(&tmp);
	return rc;
}

int
letter_tmpl_load(const char *path, const struct fact_kv *kv, size_t nkv, struct tmpl *t)
{
	struct buf file;
	const char *p, *end, *nl;
	int cur = -1, i, rc = LETTER_ERR_TEMPLATE;
	int seen[S__MAX] = { 0 };

	for (i = 0; i < S__MAX; i++)
		buf_init(&t->sec[i], MAX_TEMPLATE);
	buf_init(&file, MAX_TEMPLATE);
	if (fsx_read(path, &file) != 0) {
		log_error("letters: cannot read template %s", path);
		goto out;
	}
	for (p = file.data, end = file.data + file.len; p < end; p = nl + 1) {
		size_t len;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && p[0] == '#')
			continue;
		if (len > 2 && p[0] == '[' && p[len - 1] == ']') {
			for (cur = 0; cur < S__MAX; cur++)
				if (strlen(section_names[cur]) == len - 2 &&
				    memcmp(section_names[cur], p + 1, len - 2) == 0)
					break;
			if (cur == S__MAX || seen[cur]) {
				log_error("letters: unknown or repeated section %.*s", (int)len, p);
				goto out;
			}
			seen[cur] = 1;
			continue;
		}
		if (cur < 0) {
			if (len == 0)
				continue;
			goto out;
		}
		if ((rc = expand_line(p, len, kv, nkv, &t->sec[cur])) != LETTER_OK)
			goto out;
		rc = LETTER_ERR_TEMPLATE;
	}
	for (i = 0; i < S__MAX; i++)
		if (!seen[i]) {
			log_error("letters: template lacks section [%s]", section_names[i]);
			goto out;
		}
	rc = LETTER_OK;
out:
	buf_free(&file);
	if (rc != LETTER_OK)
		letter_tmpl_free(t);
	return rc;
}

/* Next paragraph of a section: consecutive non-blank lines joined by one space. Returns 0
 * at the end. */
int
letter_next_para(const char **pp, const char *end, char *out, size_t outlen)
{
	const char *p = *pp, *nl;
	size_t n = 0;

	while (p < end && *p == '\n')
		p++;
	if (p >= end)
		return 0;
	while (p < end && *p != '\n') {
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - p);
		if (n + len + 2 > outlen)
			return -1;
		if (n > 0)
			out[n++] = ' ';
		memcpy(out + n, p, len);
		n += len;
		p = nl < end ? nl + 1 : end;
	}
	out[n] = '\0';
	*pp = p;
	return 1;
}

/* Next line of a section (for label | value sections). */
int
letter_next_line(const char **pp, const char *end, char *out, size_t outlen)
{
	const char *p = *pp, *nl;
	size_t len;

	while (p < end && *p == '\n')
		p++;
	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		nl = end;
	len = (size_t)(nl - p);
	if (len + 1 > outlen)
		return -1;
	memcpy(out, p, len);
	out[len] = '\0';
	*pp = nl < end ? nl + 1 : end;
	return 1;
}

int
letter_split_pair(char *line, char **label, char **value)
{
	char *bar = strchr(line, '|');
	char *e;

	if (bar == NULL)
		return -1;
	*bar = '\0';
	for (e = bar; e > line && e[-1] == ' '; e--)
		e[-1] = '\0';
	*label = line;
	for (bar++; *bar == ' '; bar++)
		;
	*value = bar;
	return 0;
}

/* ---- facts ---- */

static int
check_str(const char *s, size_t max)
{
	return s != NULL && strict_text(s, max) == 0 ? 0 : -1;
}

int
letter_facts_check(const struct letter_facts *f)
{
	if (check_str(f->ref, 64) || check_str(f->employee_name, 128) ||
	    check_str(f->employee_id, 32) || check_str(f->family_id, 16) ||
	    check_str(f->department, 128) || check_str(f->office, 160) ||
	    check_str(f->designation, 128) || check_str(f->hod_name, 128) ||
	    check_str(f->hod_designation, 160) || check_str(f->verify_base_url, 200))
		return -1;
	if (f->district != NULL && f->district[0] != '\0' && check_str(f->district, 64))
		return -1;
	if (strncmp(f->ref, "HR/SOS/", 7) != 0 || strchr(f->ref, ' ') != NULL)
		return -1;
	if (strncmp(f->verify_base_url, "https://", 8) != 0 &&
	    strncmp(f->verify_base_url, "http://", 7) != 0)
		return -1;
	if (f->pay_level < 1 || f->pay_level > 18 || f->entry_pay <= 0 ||
	    f->entry_pay > 1000000 || f->additional_remuneration < 0 ||
	    f->additional_remuneration > 1000000 || f->band_percent < 0 ||
	    f->band_percent > 100 || f->qualifying_years < 0 || f->qualifying_years > 60 ||
	    f->consolidated != f->entry_pay + f->additional_remuneration)
		return -1;
	if (f->effective_date < date_from_ymd(2024, 1, 1) ||
	    f->effective_date > date_from_ymd(2199, 12, 31) || f->issued_at <= 0)
		return -1;
	return 0;
}

static const char *const months[12] = { "January", "February", "March", "April", "May",
	"June", "July", "August", "September", "October", "November", "December" };

static void
date_words(int32_t days, char *out, size_t len)
{
	int y, m, d;

	date_to_ymd(days, &y, &m, &d);
	snprintf(out, len, "%d %s %d", d, months[m - 1], y);
}

/* The wording of the letter's names as people write them (issue 12): "Department of
 * Public Works Department", "Ambala, Ambala" and "a supernumerary post of Clerk
 * (supernumerary)" are what plain substitution made of the master data. */

/* "Health" is "Department of Health"; "Public Works Department" stays as it is. */
static int
department_title(const char *name, char *out, size_t len)
{
	int n = strcasestr(name, "department") != NULL ? snprintf(out, len, "%s", name) :
	    snprintf(out, len, "Department of %s", name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The office, and its district unless the office's name already says it. */
static int
office_place(const char *office, const char *district, char *out, size_t len)
{
	int n = district == NULL || district[0] == '\0' || strcasestr(office, district) != NULL ?
	    snprintf(out, len, "%s", office) : snprintf(out, len, "%s, %s", office, district);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The post's name without a "supernumerary" the letter already says. */
static int
post_name(const char *designation, char *out, size_t len)
{
	static const char *const cut[] = { "(supernumerary)", "supernumerary", "- ", "-" };
	size_t n, i, w;
	int again = 1;

	if (snprintf(out, len, "%s", designation) < 0 || strlen(designation) >= len)
		return -1;
	while (again) {
		again = 0;
		n = strlen(out);
		while (n > 0 && out[n - 1] == ' ')
			out[--n] = '\0';
		for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
			w = strlen(cut[i]);
			if (n > w && strcasecmp(out + n - w, cut[i]) == 0) {
				out[n - w] = '\0';
				again = 1;
				break;
			}
		}
	}
	if (strncasecmp(out, "supernumerary ", 14) == 0)
		memmove(out, out + 14, strlen(out + 14) + 1);
	return out[0] != '\0' ? 0 : snprintf(out, len, "%s", designation) < 0 ? -1 : 0;
}

int
letter_facts_table(const struct letter_facts *f, struct fact_kv *kv)
{
	static const char *const names[N_FACTS] = { "ref", "date", "employee_name",
		"employee_id", "family_id", "department", "office", "district", "designation",
		"pay_level", "effective_date", "entry_pay", "band", "qualifying_years",
		"additional_remuneration", "consolidated", "hod_name", "hod_designation",
		"verify_url", "signed_on", "department_title", "office_place" };
	int i, n = 0;

	for (i = 0; i < N_FACTS; i++)
		kv[i].name = names[i];
#define SET(i, ...) do { n = snprintf(kv[i].value, sizeof(kv[i].value), __VA_ARGS__); \
	if (n < 0 || (size_t)n >= sizeof(kv[i].value)) return -1; } while (0)
	SET(0, "%s", f->ref);
	date_words((int32_t)((f->issued_at + IST_OFFSET) / 86400), kv[1].value,
	    sizeof(kv[1].value));
	SET(2, "%s", f->employee_name);
	SET(3, "%s", f->employee_id);
	SET(4, "%s", f->family_id);
	SET(5, "%s", f->department);
	SET(6, "%s", f->office);
	SET(7, "%s", f->district ? f->district : "");
	if (post_name(f->designation, kv[8].value, sizeof(kv[8].value)) != 0)
		return -1;
	SET(9, "%d", f->pay_level);
	date_words(f->effective_date, kv[10].value, sizeof(kv[10].value));
	text_rupees(f->entry_pay, kv[11].value, sizeof(kv[11].value));
	SET(12, "%d", f->band_percent);
	SET(13, "%d", f->qualifying_years);
	text_rupees(f->additional_remuneration, kv[14].value, sizeof(kv[14].value));
	text_rupees(f->consolidated, kv[15].value, sizeof(kv[15].value));
	SET(16, "%s", f->hod_name);
	SET(17, "%s", f->hod_designation);
	SET(18, "%s/verify/%s", f->verify_base_url, f->ref);
	SET(19, "%s", kv[1].value);
	if (department_title(f->department, kv[20].value, sizeof(kv[20].value)) != 0 ||
	    office_place(f->office, f->district, kv[21].value, sizeof(kv[21].value)) != 0)
		return -1;
#undef SET
	return 0;
}

