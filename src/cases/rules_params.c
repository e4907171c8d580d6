/* The rules parameter file: one declarative table {name, type, place, range, doc} gives
 * the defaults, the parser's checks and the written file, so the three cannot drift. */
#include "cases/rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/fsx.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define LINE_MAX_LEN	512
#define FILE_MAX	(256 * 1024)

enum ptype { P_DATE, P_INT, P_INT64, P_BASIS, P_BAND, P_DEADLINE };

struct param {
	const char	*name;
	enum ptype	 type;
	size_t		 off;	/* into struct rules_params; for P_BAND the band index */
	int64_t		 min;
	int64_t		 max;
	const char	*def;	/* the default, in the file's own syntax; NULL: none */
	const char	*doc;	/* comment written above it; NULL: none (same as the previous) */
};

#define OFF(m)	offsetof(struct rules_params, m)
#define ENTRY(n, v, doc)	{ "entry_pay." #n, P_INT64, OFF(entry_pay[n]), 1, 100000000, v, doc }
#define BAND(n, v, doc)		{ "band." #n, P_BAND, (n) - 1, 0, 0, v, doc }

/* RULES.md is the source of every default below. */
static const struct param params[] = {
	{ "appointed_date", P_DATE, OFF(appointed_date), 0, 0, "2024-08-15",
	  "§1 appointed date: service counts up to the day before, and the employee must be\n"
	  "# in service on that day and not have attained max_age on or before this date" },
	{ "remuneration_cap", P_INT64, OFF(remuneration_cap), 0, 1000000000, "50000",
	  "monthly remuneration on the appointed date at most this (rupees); direct engagement\n"
	  "# only, HKRNL deployment has no cap (assumption)" },
	{ "min_years", P_INT, OFF(min_years), 1, 100, "5",
	  "qualifying years of service needed" },
	{ "min_paid_days", P_INT, OFF(min_paid_days), 1, 366, "240",
	  "a year qualifies with at least this many paid days" },
	{ "year_basis", P_BASIS, OFF(year_basis), 0, 0, "service",
	  "how a year is cut: `service` (one-year periods from a paid day, the December 2024\n"
	  "# ordinance) or `calendar` (calendar years, the Act's original wording)" },
	{ "max_age", P_INT, OFF(max_age), 1, 150, "58",
	  "excluded when this age is attained on or before the appointed date (an age is\n"
	  "# attained the day before the birthday)" },
	BAND(1, "5 5",
	  "§2 bands of additional remuneration: band.N = YEARS PERCENT, from YEARS qualifying\n"
	  "# years on (up to the next band's YEARS - 1; the last band is open-ended) PERCENT %\n"
	  "# of entry pay. Numbered from 1 without holes, YEARS increasing, band.1 at most\n"
	  "# min_years. Giving any band.N in a file replaces all the default bands."),
	BAND(2, "8 10", NULL),
	BAND(3, "11 15", NULL),
	BAND(4, NULL, NULL), BAND(5, NULL, NULL), BAND(6, NULL, NULL), BAND(7, NULL, NULL),
	BAND(8, NULL, NULL),
	{ "rounding_unit", P_INT, OFF(rounding_unit), 1, 100000, "100",
	  "additional remuneration is rounded to the nearest multiple of this (half rounds up)" },
	ENTRY(1, "18000", "entry pay by pay level (rupees a month), the state's pay matrix"),
	ENTRY(2, "19900", NULL), ENTRY(3, "21700", NULL), ENTRY(4, "25500", NULL),
	ENTRY(5, "29200", NULL), ENTRY(6, "35400", NULL), ENTRY(7, "44900", NULL),
	ENTRY(8, "47600", NULL), ENTRY(9, "53100", NULL), ENTRY(10, "56100", NULL),
	{ "da_effective_date", P_DATE, OFF(da_effective_date), 0, 0, "2025-01-01",
	  "terms the offer letter states (the portal computes no salary): dearness allowance\n"
	  "# at the regular employees' rate from da_effective_date; the first annual increment\n"
	  "# on first_increment_date, then each 1 January or 1 July" },
	{ "first_increment_date", P_DATE, OFF(first_increment_date), 0, 0, "2025-07-01", NULL },
	{ "post_effective_date", P_DATE, OFF(post_effective_date), 0, 0, "2024-08-16",
	  "§3 supernumerary posts take effect on this date" },
	{ "deadline.registration", P_DEADLINE, OFF(deadline[RULES_STAGE_REGISTRATION]), 0, 0,
	  "2026-01-31 23:59",
	  "§4 windows close at these times, YYYY-MM-DD HH:MM in IST (Asia/Kolkata):\n"
	  "# registration and upload (employee), verification (DDO), creation of posts\n"
	  "# (Finance Department), approval and offer letter (Head of Department)" },
	{ "deadline.verification", P_DEADLINE, OFF(deadline[RULES_STAGE_VERIFICATION]), 0, 0,
	  "2026-02-28 23:59", NULL },
	{ "deadline.posts", P_DEADLINE, OFF(deadline[RULES_STAGE_POSTS]), 0, 0,
	  "2026-03-31 23:59", NULL },
	{ "deadline.approval", P_DEADLINE, OFF(deadline[RULES_STAGE_APPROVAL]), 0, 0,
	  "2026-04-30 23:59", NULL },
};
#define NPARAMS	(sizeof(params) / sizeof(params[0]))

static const char *const stage_names[RULES_STAGE__MAX] = {
	"registration", "verification", "posts", "approval",
};

const char *
rules_stage_name(enum rules_stage s)
{
	return (unsigned)s < RULES_STAGE__MAX ? stage_names[s] : "?";
}

static void
errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, errlen, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

/* Two integers separated by blanks, e.g. "8 10". */
static int
parse_pair(const char *v, int64_t *a, int64_t *b)
{
	char first[32];
	const char *sp = strchr(v, ' ');
	size_t n;

	if (sp == NULL || (n = (size_t)(sp - v)) >= sizeof(first))
		return -1;
	memcpy(first, v, n);
	first[n] = '\0';
	while (*sp == ' ')
		sp++;
	if (strict_int64(first, 0, 1000, a) != 0 || strict_int64(sp, 0, 1000, b) != 0)
		return -1;
	return 0;
}

/* Sets one parameter from its value text; returns NULL or what is wrong with the value. */
static const char *
set_param(const struct param *d, const char *v, struct rules_params *p)
{
	char *base = (char *)p;
	int64_t n, m;
	int32_t day;

	switch (d->type) {
	case P_DATE:
		if (strict_date(v, &day) != 0)
			return "not a date YYYY-MM-DD";
		memcpy(base + d->off, &day, sizeof(day));
		return NULL;
	case P_INT:
	case P_INT64:
		if (strict_int64(v, INT64_MIN, INT64_MAX, &n) != 0)
			return "not a whole number";
		if (n < d->min || n > d->max)
			return "out of range";
		if (d->type == P_INT) {
			int i = (int)n;
			memcpy(base + d->off, &i, sizeof(i));
		} else {
			memcpy(base + d->off, &n, sizeof(n));
		}
		return NULL;
	case P_BASIS:
		if (strcmp(v, "service") == 0)
			p->year_basis = RULES_BASIS_SERVICE;
		else if (strcmp(v, "calendar") == 0)
			p->year_basis = RULES_BASIS_CALENDAR;
		else
			return "not `service` or `calendar`";
		return NULL;
	case P_BAND:
		if (parse_pair(v, &n, &m) != 0)
			return "not `YEARS PERCENT`";
		if (n < 1 || n > 100 || m > 100)
			return "out of range (YEARS 1-100, PERCENT 0-100)";
		p->bands[d->off].from_years = (int)n;
		p->bands[d->off].percent = (int)m;
		return NULL;
	case P_DEADLINE:
		if (time_parse_ist(v, &n) != 0 || v[10] != ' ')
			return "not `YYYY-MM-DD HH:MM`";
		memcpy(base + d->off, &n, sizeof(n));
		return NULL;
	}
	return "unknown type";
}

void
rules_defaults(struct rules_params *p)
{
	size_t i;
	const char *bad;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < NPARAMS; i++) {
		if (params[i].def == NULL)
			continue;
		bad = set_param(&params[i], params[i].def, p);
		(void)bad;	/* the defaults are checked by the unit tests */
		if (params[i].type == P_BAND && params[i].off + 1 > p->nbands)
			p->nbands = params[i].off + 1;
	}
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Checks what single lines cannot: the bands given are numbered without holes, rise, and
 * every eligible employee (min_years or more) falls in one. */
static const char *
check_whole(const struct rules_params *p)
{
	size_t i;

	if (p->nbands == 0)
		return "no band.1";
	for (i = 1; i < p->nbands; i++) {
		if (p->bands[i].from_years == 0)
			return "bands must be numbered from band.1 without a hole";
		if (p->bands[i].from_years <= p->bands[i - 1].from_years)
			return "band YEARS must increase with N";
	}
	if (p->bands[0].from_years > p->min_years)
		return "band.1 starts above min_years: an eligible employee would have no band";
	return NULL;
}

enum rules_err
rules_parse(const char *text, size_t len, const char *name, struct rules_params *out,
    char *err, size_t errlen)
{
	struct rules_params p;
	bool seen[NPARAMS] = { false };
	bool bands_given = false;
	char line[LINE_MAX_LEN + 2];
	size_t pos = 0, n, i;
	int lineno = 0, last_line = 0;
	const char *bad;

	rules_defaults(&p);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		char *s, *eq, *key, *val, *hash;

		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		if (n > LINE_MAX_LEN) {
			errf(err, errlen, "%s:%d: line too long (at most %d bytes)", name, lineno,
			    LINE_MAX_LEN);
			return RULES_EPARSE;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (strlen(line) != n) {
			errf(err, errlen, "%s:%d: NUL byte in line", name, lineno);
			return RULES_EPARSE;
		}
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		s = trim(line);
		if (*s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			errf(err, errlen, "%s:%d: expected `name = value`", name, lineno);
			return RULES_EPARSE;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		for (i = 0; i < NPARAMS; i++)
			if (strcmp(key, params[i].name) == 0)
				break;
		if (i == NPARAMS) {
			errf(err, errlen, "%s:%d: unknown parameter '%.64s'", name, lineno, key);
			return RULES_EPARSE;
		}
		if (seen[i]) {
			errf(err, errlen, "%s:%d: duplicate parameter '%s'", name, lineno, key);
			return RULES_EPARSE;
		}
		seen[i] = true;
		if (params[i].type == P_BAND && !bands_given) {
			/* A file's bands replace the defaults as a whole. */
			bands_given = true;
			memset(p.bands, 0, sizeof(p.bands));
			p.nbands = 0;
		}
		if ((bad = set_param(&params[i], val, &p)) != NULL) {
			errf(err, errlen, "%s:%d: %s: %s: '%.64s'", name, lineno, key, bad, val);
			return RULES_EPARSE;
		}
		if (params[i].type == P_BAND && params[i].off + 1 > p.nbands)
			p.nbands = params[i].off + 1;
		last_line = lineno;
	}
	if ((bad = check_whole(&p)) != NULL) {
		errf(err, errlen, "%s:%d: %s", name, last_line, bad);
		return RULES_EPARSE;
	}
	*out = p;
	return RULES_OK;
}

enum rules_err
rules_load(const char *path, struct rules_params *p, char *err, size_t errlen)
{
	struct buf b;
	enum rules_err rc;

	buf_init(&b, FILE_MAX);
	if (fsx_read(path, &b) != 0) {
		errf(err, errlen, "%s: cannot read (missing, unreadable or over %d bytes)", path,
		    FILE_MAX);
		rc = RULES_EIO;
		goto out;
	}
	rc = rules_parse(b.data, b.len, path, p, err, errlen);
out:
	buf_free(&b);
	return rc;
}

static int
format_value(const struct param *d, const struct rules_params *p, struct buf *b)
{
	const char *base = (const char *)p;
	char date[11];
	int64_t n;
	int32_t day;
	int i;

	switch (d->type) {
	case P_DATE:
		memcpy(&day, base + d->off, sizeof(day));
		date_format(day, date);
		return buf_puts(b, date);
	case P_INT:
		memcpy(&i, base + d->off, sizeof(i));
		return buf_printf(b, "%d", i);
	case P_INT64:
		memcpy(&n, base + d->off, sizeof(n));
		return buf_printf(b, "%lld", (long long)n);
	case P_BASIS:
		return buf_puts(b, p->year_basis == RULES_BASIS_CALENDAR ? "calendar" : "service");
	case P_BAND:
		return buf_printf(b, "%d %d", p->bands[d->off].from_years,
		    p->bands[d->off].percent);
	case P_DEADLINE: {
		int64_t local, secs;
		int32_t days;

		memcpy(&n, base + d->off, sizeof(n));
		local = n + IST_OFFSET;
		days = (int32_t)((local >= 0 ? local : local - 86399) / 86400);
		secs = local - (int64_t)days * 86400;
		date_format(days, date);
		return buf_printf(b, "%s %02d:%02d", date, (int)(secs / 3600),
		    (int)(secs % 3600 / 60));
	}
	}
	return -1;
}

int
rules_format(const struct rules_params *p, struct buf *b)
{
	size_t i;

	if (buf_puts(b,
	    "# suraksha rules parameters (RULES.md §1-§4), read by the server at start.\n"
	    "# Format: one `name = value` a line; `#` starts a comment; blank lines are\n"
	    "# ignored. Each name at most once; a name left out keeps its default (RULES.md).\n"
	    "# An unknown name, a bad or out-of-range value or a duplicate refuses the whole\n"
	    "# file, naming the line. Dates are YYYY-MM-DD, money whole rupees.\n") != 0)
		return -1;
	for (i = 0; i < NPARAMS; i++) {
		/* Bands past the effective count are not written: they do not exist. */
		if (params[i].type == P_BAND && params[i].off >= p->nbands) {
			if (params[i].doc != NULL)
				return -1;	/* band.1 always exists (check_whole) */
			continue;
		}
		if (params[i].doc != NULL && buf_printf(b, "\n# %s\n", params[i].doc) != 0)
			return -1;
		if (buf_printf(b, "%s = ", params[i].name) != 0 ||
		    format_value(&params[i], p, b) != 0 || buf_puts(b, "\n") != 0)
			return -1;
	}
	return 0;
}
