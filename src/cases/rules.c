/* The rules engine of RULES.md §1-§2. Paid service is kept as a short sorted list of
 * disjoint paid runs (spells merged, unpaid intervals cut out), with a running total, so
 * "paid days between a and b" is a binary search rather than a walk over days: a case costs
 * O(spells log spells) plus O(log runs) per one-year window tried. */
#include "cases/rules.h"

#include <string.h>

#include "util/strict.h"

/* Merged spells minus unpaid intervals: every merged spell can be split once by each
 * unpaid interval. */
#define MAX_RUNS	(RULES_MAX_SPELLS + RULES_MAX_UNPAID + 1)

struct paid {
	size_t		n;
	int32_t		from[MAX_RUNS];
	int32_t		to[MAX_RUNS];
	int64_t		before[MAX_RUNS];	/* paid days in the runs before this one */
};

static const char *const verdict_names[] = { "eligible", "ineligible", "incomplete" };

static const char *const reason_names[RULES_R__MAX] = {
	[RULES_R_NOT_IN_SERVICE] = "not_in_service",
	[RULES_R_INSUFFICIENT_SERVICE] = "insufficient_service",
	[RULES_R_REMUNERATION_CAP] = "remuneration_cap",
	[RULES_R_CENTRALLY_SPONSORED] = "centrally_sponsored",
	[RULES_R_PART_TIME] = "part_time",
	[RULES_R_AGE] = "age",
	[RULES_R_MARRIAGE_CLAUSE] = "marriage_clause",
};

static const char *const field_names[RULES_F__MAX] = {
	[RULES_F_DOB] = "dob",
	[RULES_F_ENGAGEMENT_MODE] = "engagement_mode",
	[RULES_F_MONTHLY_REMUNERATION] = "monthly_remuneration",
	[RULES_F_CENTRALLY_SPONSORED] = "centrally_sponsored",
	[RULES_F_PART_TIME] = "part_time",
	[RULES_F_MARRIAGE_CLAUSE] = "marriage_clause",
	[RULES_F_MARRIAGE_EXEMPTION] = "marriage_exemption",
	[RULES_F_PAY_LEVEL] = "pay_level",
	[RULES_F_SPELLS] = "spells",
};

/* The `reasons` strings of an incomplete outcome, static so the outcome owns nothing. */
static const char *const missing_names[RULES_F__MAX] = {
	[RULES_F_DOB] = "missing:dob",
	[RULES_F_ENGAGEMENT_MODE] = "missing:engagement_mode",
	[RULES_F_MONTHLY_REMUNERATION] = "missing:monthly_remuneration",
	[RULES_F_CENTRALLY_SPONSORED] = "missing:centrally_sponsored",
	[RULES_F_PART_TIME] = "missing:part_time",
	[RULES_F_MARRIAGE_CLAUSE] = "missing:marriage_clause",
	[RULES_F_MARRIAGE_EXEMPTION] = "missing:marriage_exemption",
	[RULES_F_PAY_LEVEL] = "missing:pay_level",
	[RULES_F_SPELLS] = "missing:spells",
};

const char *
rules_verdict_name(enum rules_verdict v)
{
	return (unsigned)v < 3 ? verdict_names[v] : "?";
}

const char *
rules_reason_name(enum rules_reason r)
{
	return (unsigned)r < RULES_R__MAX ? reason_names[r] : "?";
}

const char *
rules_field_name(enum rules_field f)
{
	return (unsigned)f < RULES_F__MAX ? field_names[f] : "?";
}

/* The anniversary `years` years after d; 29 February maps to 1 March in a common year,
 * the reading under which a period from 29 February ends on 28 February (RULES.md). */
static int32_t
anniversary(int32_t d, int years)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	y += years;
	if (m == 2 && dd == 29 && !date_is_leap(y)) {
		m = 3;
		dd = 1;
	}
	return date_from_ymd(y, m, dd);
}

int32_t
rules_attains_age(int32_t dob, int years)
{
	return anniversary(dob, years) - 1;
}

int32_t
rules_year_end(int32_t from)
{
	return anniversary(from, 1) - 1;
}

int64_t
rules_round_additional(int64_t entry_pay, int percent, int unit)
{
	/* entry_pay * percent is in hundredths of a rupee; work there to stay exact. */
	int64_t hundredths = entry_pay * percent;
	int64_t step = (int64_t)unit * 100;

	if (step <= 0)
		return hundredths / 100;
	return (hundredths + step / 2) / step * unit;
}

/* Insertion sort of intervals by start: at most 64 of them, usually two or three. */
static void
sort_intervals(int32_t *from, int32_t *to, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		int32_t f = from[i], t = to[i];

		for (j = i; j > 0 && from[j - 1] > f; j--) {
			from[j] = from[j - 1];
			to[j] = to[j - 1];
		}
		from[j] = f;
		to[j] = t;
	}
}

/* Merges sorted intervals that overlap or touch, in place; returns the new count. */
static size_t
merge_intervals(int32_t *from, int32_t *to, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k > 0 && from[i] <= to[k - 1] + 1) {
			if (to[i] > to[k - 1])
				to[k - 1] = to[i];
			continue;
		}
		from[k] = from[i];
		to[k] = to[i];
		k++;
	}
	return k;
}

/* The paid runs up to the cut-off: spells (overlaps counted once) minus unpaid days. */
static void
build_paid(const struct rules_case *c, int32_t cutoff, struct paid *pd)
{
	int32_t sf[RULES_MAX_SPELLS], st[RULES_MAX_SPELLS];
	int32_t uf[RULES_MAX_UNPAID], ut[RULES_MAX_UNPAID];
	size_t i, ns = 0, nu = 0, u = 0;
	int64_t total = 0;

	for (i = 0; i < c->nspells; i++) {
		if (c->spells[i].from > cutoff)
			continue;
		sf[ns] = c->spells[i].from;
		st[ns] = c->spells[i].to > cutoff ? cutoff : c->spells[i].to;
		ns++;
	}
	for (i = 0; i < c->nunpaid; i++) {
		uf[nu] = c->unpaid[i].from;
		ut[nu] = c->unpaid[i].to;
		nu++;
	}
	sort_intervals(sf, st, ns);
	ns = merge_intervals(sf, st, ns);
	sort_intervals(uf, ut, nu);
	nu = merge_intervals(uf, ut, nu);

	pd->n = 0;
	for (i = 0; i < ns; i++) {
		int32_t f = sf[i], t = st[i];
		size_t v;

		/* Unpaid intervals are sorted and disjoint: skip those wholly before this run,
		 * then cut out each that starts inside it. The last may reach the next run. */
		while (u < nu && ut[u] < f)
			u++;
		for (v = u; f <= t; v++) {
			int32_t end = v < nu && uf[v] <= t ? uf[v] - 1 : t;

			if (end >= f) {
				pd->from[pd->n] = f;
				pd->to[pd->n] = end;
				pd->before[pd->n] = total;
				total += (int64_t)end - f + 1;
				pd->n++;
			}
			if (end == t)
				break;
			f = ut[v] + 1;
		}
	}
}

/* Paid days on or before x. */
static int64_t
paid_upto(const struct paid *pd, int32_t x)
{
	size_t lo = 0, hi = pd->n;

	/* The last run starting on or before x. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pd->from[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return 0;
	lo--;
	return pd->before[lo] + (int64_t)(x < pd->to[lo] ? x : pd->to[lo]) - pd->from[lo] + 1;
}

static int
paid_between(const struct paid *pd, int32_t a, int32_t b)
{
	return (int)(paid_upto(pd, b) - paid_upto(pd, a - 1));
}

static void
add_period(struct rules_outcome *o, int32_t from, int32_t to, int paid, bool q)
{
	struct rules_period *r;

	if (o->nperiods >= RULES_MAX_PERIODS)
		return;	/* cannot happen: dates span at most 300 years */
	r = &o->periods[o->nperiods++];
	r->from = from;
	r->to = to;
	r->paid_days = paid;
	r->qualifies = q;
}

/* RULES.md §1, year_basis = service: from the first paid day, always the earliest
 * qualifying one-year period, then the earliest after it. Every period ends on or before
 * the cut-off and the period end only grows with its start, so the first start whose
 * period passes the cut-off ends the search. */
static void
count_service(const struct rules_params *p, const struct paid *pd, int32_t cutoff,
    struct rules_outcome *o)
{
	size_t i = 0;
	int32_t d, end;
	int paid;

	if (pd->n == 0)
		return;
	d = pd->from[0];
	while (i < pd->n) {
		end = rules_year_end(d);
		if (end > cutoff)
			break;
		paid = paid_between(pd, d, end);
		if (paid >= p->min_paid_days) {
			add_period(o, d, end, paid, true);
			o->qualifying_years++;
			/* The next period starts on the first paid day after this one. */
			while (i < pd->n && pd->to[i] <= end)
				i++;
			if (i == pd->n)
				break;
			d = pd->from[i] > end ? pd->from[i] : end + 1;
			continue;
		}
		/* Moving the start d days on within a run loses d paid days and gains at most
		 * d + 1 (a period is 365 or 366 days long), so a period short by two or more
		 * days cannot be mended before the next run: skip there. */
		if (paid + 1 < p->min_paid_days || d >= pd->to[i]) {
			if (++i < pd->n)
				d = pd->from[i];
		} else {
			d++;
		}
	}
}

/* year_basis = calendar: every calendar year up to the cut-off with a paid day. */
static void
count_calendar(const struct rules_params *p, const struct paid *pd, int32_t cutoff,
    struct rules_outcome *o)
{
	int y, y0, y1, m, dd;
	int32_t a, b;
	int paid;

	if (pd->n == 0)
		return;
	date_to_ymd(pd->from[0], &y0, &m, &dd);
	date_to_ymd(pd->to[pd->n - 1], &y1, &m, &dd);
	for (y = y0; y <= y1; y++) {
		a = date_from_ymd(y, 1, 1);
		b = date_from_ymd(y, 12, 31);
		if (b > cutoff)
			b = cutoff;
		paid = paid_between(pd, a, b);
		if (paid == 0)
			continue;
		add_period(o, a, b, paid, paid >= p->min_paid_days);
		if (paid >= p->min_paid_days)
			o->qualifying_years++;
	}
}

static enum rules_err
check_shape(const struct rules_case *c)
{
	size_t i;

	if (c->nspells > RULES_MAX_SPELLS || c->nunpaid > RULES_MAX_UNPAID)
		return RULES_ETOOMANY;
	for (i = 0; i < c->nspells; i++) {
		if (c->spells[i].to < c->spells[i].from ||
		    (unsigned)c->spells[i].kind > RULES_KIND_HSSC_REGULAR)
			return RULES_EINVAL;
	}
	for (i = 0; i < c->nunpaid; i++)
		if (c->unpaid[i].to < c->unpaid[i].from)
			return RULES_EINVAL;
	if (RULES_HAS(c, RULES_F_PAY_LEVEL) && (c->pay_level < 1 || c->pay_level > RULES_LEVELS))
		return RULES_EINVAL;
	if (RULES_HAS(c, RULES_F_ENGAGEMENT_MODE) &&
	    (unsigned)c->engagement_mode > RULES_MODE_HKRNL)
		return RULES_EINVAL;
	if (RULES_HAS(c, RULES_F_MONTHLY_REMUNERATION) && c->monthly_remuneration < 0)
		return RULES_EINVAL;
	return RULES_OK;
}

static unsigned
missing_fields(const struct rules_case *c)
{
	unsigned need = (1u << RULES_F_DOB) | (1u << RULES_F_ENGAGEMENT_MODE) |
	    (1u << RULES_F_CENTRALLY_SPONSORED) | (1u << RULES_F_PART_TIME) |
	    (1u << RULES_F_MARRIAGE_CLAUSE) | (1u << RULES_F_PAY_LEVEL) | (1u << RULES_F_SPELLS);
	unsigned present = c->present;

	/* The cap is for direct engagement only, so HKRNL needs no remuneration; while the
	 * mode is unknown, it may be needed. */
	if (!(RULES_HAS(c, RULES_F_ENGAGEMENT_MODE) && c->engagement_mode == RULES_MODE_HKRNL))
		need |= 1u << RULES_F_MONTHLY_REMUNERATION;
	if (c->nspells == 0)
		present &= ~(1u << RULES_F_SPELLS);
	return need & ~present;
}

static bool
in_service(const struct rules_case *c, int32_t cutoff)
{
	size_t i;

	for (i = 0; i < c->nspells; i++)
		if (c->spells[i].from <= cutoff && c->spells[i].to >= cutoff)
			return true;
	return false;
}

static void
set_pay(const struct rules_params *p, const struct rules_case *c, struct rules_outcome *o)
{
	size_t i;
	int percent = 0;

	for (i = 0; i < p->nbands; i++)
		if (o->qualifying_years >= p->bands[i].from_years)
			percent = p->bands[i].percent;
	o->has_pay = true;
	o->band_percent = percent;
	o->entry_pay = p->entry_pay[c->pay_level];
	o->additional = rules_round_additional(o->entry_pay, percent, p->rounding_unit);
	o->consolidated = o->entry_pay + o->additional;
}

enum rules_err
rules_eval(const struct rules_params *p, const struct rules_case *c, struct rules_outcome *o)
{
	int32_t cutoff = p->appointed_date - 1;
	struct paid pd;
	unsigned failed = 0;
	enum rules_err rc;
	int f, r;

	if ((rc = check_shape(c)) != RULES_OK)
		return rc;
	memset(o, 0, offsetof(struct rules_outcome, periods));

	if (c->nspells > 0) {
		build_paid(c, cutoff, &pd);
		o->has_service = true;
		if (p->year_basis == RULES_BASIS_CALENDAR)
			count_calendar(p, &pd, cutoff, o);
		else
			count_service(p, &pd, cutoff, o);
		if (!in_service(c, cutoff))
			failed |= 1u << RULES_R_NOT_IN_SERVICE;
		if (o->qualifying_years < p->min_years)
			failed |= 1u << RULES_R_INSUFFICIENT_SERVICE;
	}
	if (RULES_HAS(c, RULES_F_ENGAGEMENT_MODE) && c->engagement_mode == RULES_MODE_DIRECT &&
	    RULES_HAS(c, RULES_F_MONTHLY_REMUNERATION) &&
	    c->monthly_remuneration > p->remuneration_cap)
		failed |= 1u << RULES_R_REMUNERATION_CAP;
	if (RULES_HAS(c, RULES_F_CENTRALLY_SPONSORED) && c->centrally_sponsored)
		failed |= 1u << RULES_R_CENTRALLY_SPONSORED;
	if (RULES_HAS(c, RULES_F_PART_TIME) && c->part_time)
		failed |= 1u << RULES_R_PART_TIME;
	if (RULES_HAS(c, RULES_F_DOB) &&
	    rules_attains_age(c->dob, p->max_age) <= p->appointed_date)
		failed |= 1u << RULES_R_AGE;
	if (RULES_HAS(c, RULES_F_MARRIAGE_CLAUSE) && c->marriage_clause &&
	    !(RULES_HAS(c, RULES_F_MARRIAGE_EXEMPTION) && c->marriage_exemption))
		failed |= 1u << RULES_R_MARRIAGE_CLAUSE;

	o->failed = failed;
	o->missing = missing_fields(c);
	if (o->missing != 0) {
		o->verdict = RULES_INCOMPLETE;
		for (f = 0; f < RULES_F__MAX; f++)
			if ((o->missing >> f) & 1u)
				o->reasons[o->nreasons++] = missing_names[f];
	} else if (failed != 0) {
		o->verdict = RULES_INELIGIBLE;
		for (r = 0; r < RULES_R__MAX; r++)
			if ((failed >> r) & 1u)
				o->reasons[o->nreasons++] = reason_names[r];
	} else {
		o->verdict = RULES_ELIGIBLE;
		set_pay(p, c, o);
	}
	return RULES_OK;
}
