/* The rules engine against cases worked out by hand from RULES.md §1-§2.
 *
 * Every case starts from BASE and overrides some of its fields (an override whose value is
 * "ABSENT" deletes the field). Conventions for the working below: the appointed date is
 * 2024-08-15, so the cut-off C (last counted day) is 2024-08-14; "P(a..b)=n" is a one-year
 * period on the service basis with n paid days; 2024 has 227 days up to C (Jan 1..Aug 14).
 * BASE: born 1980-01-01, direct, 30000, no exclusion, level 2 (entry 19900), one contract
 * spell 2010-01-01..open: periods 2010..2023 are full calendar-aligned years (14), the next
 * 2024-01-01..2024-12-31 passes C -> 14 years, band 15 %, 19900 x 15 % = 2985 -> 3000,
 * consolidated 22900. Texts use ' for " to stay readable.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "cases/rules.h"
#include "cases/rules_json.h"
#include "util/strict.h"

#define BASE "{'dob':'1980-01-01','engagement_mode':'direct','monthly_remuneration':30000," \
    "'centrally_sponsored':false,'part_time':false,'marriage_clause':false,'pay_level':2," \
    "'spells':[{'from':'2010-01-01','to':null,'kind':'contract','organisation':'PWD'}]}"
#define SPELL(f, t) "{'from':'" f "','to':" t ",'kind':'contract'}"
#define OPEN "null"
#define N (-1)	/* expected null */

struct tcase {
	const char	*name;
	const char	*over;		/* object merged over BASE */
	int		 calendar;	/* year_basis = calendar */
	const char	*outcome;
	const char	*reasons;	/* space separated, in order */
	int		 years;
	int		 band, entry, additional, consolidated;
	int		 nperiods;	/* N: not checked (null when years is null) */
	const char	*periods;	/* "from/to/paid/y|n ..." or NULL: not checked */
};

static const struct tcase cases[] = {
	/* --- the plain case and each exclusion alone --- */
	{ "base eligible", "{}", 0, "eligible", "", 14, 15, 19900, 3000, 22900, 14, NULL },
	{ "centrally sponsored alone", "{'centrally_sponsored':true}", 0, "ineligible",
	  "centrally_sponsored", 14, N, N, N, N, 14, NULL },
	{ "part-time alone", "{'part_time':true}", 0, "ineligible", "part_time",
	  14, N, N, N, N, 14, NULL },
	{ "marriage clause, no exemption recorded", "{'marriage_clause':true}", 0,
	  "ineligible", "marriage_clause", 14, N, N, N, N, 14, NULL },
	{ "marriage clause, exemption false", "{'marriage_clause':true,"
	  "'marriage_exemption':false}", 0, "ineligible", "marriage_clause",
	  14, N, N, N, N, 14, NULL },
	{ "marriage clause with exemption", "{'marriage_clause':true,'marriage_exemption':true}",
	  0, "eligible", "", 14, 15, 19900, 3000, 22900, 14, NULL },
	{ "exemption without the clause changes nothing", "{'marriage_exemption':true}", 0,
	  "eligible", "", 14, 15, 19900, 3000, 22900, 14, NULL },

	/* --- remuneration cap: 50000 at most, direct only --- */
	{ "direct at the cap 50000", "{'monthly_remuneration':50000}", 0, "eligible", "",
	  14, 15, 19900, 3000, 22900, 14, NULL },
	{ "direct at 50001", "{'monthly_remuneration':50001}", 0, "ineligible",
	  "remuneration_cap", 14, N, N, N, N, 14, NULL },
	{ "hkrnl above the cap", "{'engagement_mode':'hkrnl','monthly_remuneration':90000}", 0,
	  "eligible", "", 14, 15, 19900, 3000, 22900, 14, NULL },
	/* HKRNL has no cap, so its remuneration is not needed at all. */
	{ "hkrnl without remuneration", "{'engagement_mode':'hkrnl',"
	  "'monthly_remuneration':'ABSENT'}", 0, "eligible", "", 14, 15, 19900, 3000, 22900,
	  14, NULL },

	/* --- age 58: attained the day before the 58th birthday; excluded when that day is on
	 * or before 2024-08-15 --- */
	/* born 1966-08-15: birthday 2024-08-15, attains 58 on 2024-08-14, the day before. */
	{ "age 58 the day before the appointed date", "{'dob':'1966-08-15'}", 0, "ineligible",
	  "age", 14, N, N, N, N, 14, NULL },
	/* born 1966-08-16: attains 58 on 2024-08-15 itself (RULES.md's example). */
	{ "age 58 on the appointed date", "{'dob':'1966-08-16'}", 0, "ineligible", "age",
	  14, N, N, N, N, 14, NULL },
	/* born 1966-08-17: attains 58 on 2024-08-16, after. */
	{ "age 58 the day after the appointed date", "{'dob':'1966-08-17'}", 0, "eligible", "",
	  14, 15, 19900, 3000, 22900, 14, NULL },

	/* --- joining date: five one-year periods end exactly on C or not --- */
	/* 2019-08-15: P(2019-08-15..2020-08-14)=366 (holds 2020-02-29), three of 365, and
	 * P(2023-08-15..2024-08-14)=366 -> 5 years, band 5 %: 995 -> 1000. */
	{ "joined 2019-08-15", "{'spells':[" SPELL("2019-08-15", OPEN) "]}", 0, "eligible", "",
	  5, 5, 19900, 1000, 20900, 5,
	  "2019-08-15/2020-08-14/366/y 2020-08-15/2021-08-14/365/y 2021-08-15/2022-08-14/365/y "
	  "2022-08-15/2023-08-14/365/y 2023-08-15/2024-08-14/366/y" },
	/* 2019-08-16: the fifth period would end 2024-08-15, past C -> 4. */
	{ "joined 2019-08-16", "{'spells':[" SPELL("2019-08-16", OPEN) "]}", 0, "ineligible",
	  "insufficient_service", 4, N, N, N, N, 4,
	  "2019-08-16/2020-08-15/366/y 2020-08-16/2021-08-15/365/y 2021-08-16/2022-08-15/365/y "
	  "2022-08-16/2023-08-15/365/y" },

	/* --- band edges: joining on Y-08-15 gives exactly 2024 - Y periods --- */
	{ "7 years, band 5 %", "{'spells':[" SPELL("2017-08-15", OPEN) "]}", 0, "eligible", "",
	  7, 5, 19900, 1000, 20900, 7, NULL },
	/* 19900 x 10 % = 1990 -> 2000 (RULES.md's worked example). */
	{ "8 years, band 10 %", "{'spells':[" SPELL("2016-08-15", OPEN) "]}", 0, "eligible", "",
	  8, 10, 19900, 2000, 21900, 8, NULL },
	{ "10 years, band 10 %", "{'spells':[" SPELL("2014-08-15", OPEN) "]}", 0, "eligible", "",
	  10, 10, 19900, 2000, 21900, 10, NULL },
	/* 19900 x 15 % = 2985 -> 3000. */
	{ "11 years, band 15 %", "{'spells':[" SPELL("2013-08-15", OPEN) "]}", 0, "eligible", "",
	  11, 15, 19900, 3000, 22900, 11, NULL },

	/* --- rounding to the nearest 100, 50 up --- */
	/* L4 25500 x 10 % = 2550.00: exactly 50 over, rounds up to 2600. */
	{ "rounding: exactly 50 rounds up", "{'pay_level':4,'spells':["
	  SPELL("2016-08-15", OPEN) "]}", 0, "eligible", "", 8, 10, 25500, 2600, 28100, 8, NULL },
	/* L7 44900 x 5 % = 2245 -> 2200. */
	{ "rounding: 45 rounds down", "{'pay_level':7,'spells':[" SPELL("2019-08-15", OPEN) "]}",
	  0, "eligible", "", 5, 5, 44900, 2200, 47100, 5, NULL },
	/* L9 53100 x 15 % = 7965 -> 8000. */
	{ "rounding: 65 rounds up", "{'pay_level':9}", 0, "eligible", "", 14, 15, 53100, 8000,
	  61100, 14, NULL },
	/* L1 18000 x 5 % = 900, already round. */
	{ "rounding: already round", "{'pay_level':1,'spells':[" SPELL("2019-08-15", OPEN) "]}",
	  0, "eligible", "", 5, 5, 18000, 900, 18900, 5, NULL },
	/* L10 56100 x 10 % = 5610 -> 5600. */
	{ "level 10", "{'pay_level':10,'spells':[" SPELL("2016-08-15", OPEN) "]}", 0,
	  "eligible", "", 8, 10, 56100, 5600, 61700, 8, NULL },

	/* --- gaps --- */
	/* 2016-2018 (3 periods), a gap, 2021-01-01..open: 2021, 2022, 2023 -> 6; the gap costs
	 * nothing. */
	{ "gap between periods", "{'spells':[" SPELL("2016-01-01", "'2018-12-31'") ","
	  SPELL("2021-01-01", OPEN) "]}", 0, "eligible", "", 6, 5, 19900, 1000, 20900, 6,
	  "2016-01-01/2016-12-31/366/y 2017-01-01/2017-12-31/365/y 2018-01-01/2018-12-31/365/y "
	  "2021-01-01/2021-12-31/365/y 2022-01-01/2022-12-31/365/y "
	  "2023-01-01/2023-12-31/365/y" },
	/* 2019-08-15..2019-12-31 (139) and 2020-06-01..open: every window from a 2019 day holds
	 * 139 - k + 75 + k = 214 < 240 paid days; then P(2020-06-01..2021-05-31) and three more
	 * -> 4 years. */
	{ "gap inside a period", "{'spells':[" SPELL("2019-08-15", "'2019-12-31'") ","
	  SPELL("2020-06-01", OPEN) "]}", 0, "ineligible", "insufficient_service", 4,
	  N, N, N, N, 4,
	  "2020-06-01/2021-05-31/365/y 2021-06-01/2022-05-31/365/y 2022-06-01/2023-05-31/365/y "
	  "2023-06-01/2024-05-31/366/y" },
	/* 2018-01-01..03-31 (90), gap Apr-Oct, 2018-11-01..open: windows from Jan-Mar hold
	 * 365 - 214 = 151; then 2018-11-01 starts 5 periods ending 2023-10-31. */
	{ "a failed start, then a later qualifying one", "{'spells':["
	  SPELL("2018-01-01", "'2018-03-31'") "," SPELL("2018-11-01", OPEN) "]}", 0,
	  "eligible", "", 5, 5, 19900, 1000, 20900, 5, NULL },

	/* --- overlapping spells count once --- */
	/* Two posts over 2018-01-01..06-30 (181 days, not 362) cannot make 2018 qualify; then
	 * 2019-2023 -> 5. */
	{ "two posts over the same days", "{'spells':[" SPELL("2018-01-01", "'2018-06-30'") ","
	  SPELL("2018-01-01", "'2018-06-30'") "," SPELL("2019-01-01", OPEN) "]}", 0,
	  "eligible", "", 5, 5, 19900, 1000, 20900, 5, NULL },
	{ "overlapping spells", "{'spells':[" SPELL("2019-01-01", "'2021-12-31'") ","
	  SPELL("2020-01-01", OPEN) "]}", 0, "eligible", "", 5, 5, 19900, 1000, 20900, 5,
	  "2019-01-01/2019-12-31/365/y 2020-01-01/2020-12-31/366/y 2021-01-01/2021-12-31/365/y "
	  "2022-01-01/2022-12-31/365/y 2023-01-01/2023-12-31/365/y" },
	/* A spell inside another adds nothing: 2015..2023 = 9 periods, 10 %. */
	{ "spell inside another", "{'spells':[" SPELL("2015-01-01", OPEN) ","
	  SPELL("2016-03-01", "'2016-05-31'") "]}", 0, "eligible", "", 9, 10, 19900, 2000, 21900,
	  9, NULL },

	/* --- HSSC regular service --- */
	/* hssc 2012-2013 (2 periods), gap, contract 2021..open (3) -> 5. */
	{ "hssc spell with a gap", "{'spells':[{'from':'2012-01-01','to':'2013-12-31',"
	  "'kind':'hssc_regular'}," SPELL("2021-01-01", OPEN) "]}", 0, "eligible", "",
	  5, 5, 19900, 1000, 20900, 5,
	  "2012-01-01/2012-12-31/366/y 2013-01-01/2013-12-31/365/y 2021-01-01/2021-12-31/365/y "
	  "2022-01-01/2022-12-31/365/y 2023-01-01/2023-12-31/365/y" },
	/* hssc 2012-01-01..06-30 (182), gap Jul-Sep, contract 2012-10-01..open (92 in 2012):
	 * P(2012)=274, the gap not counted; then 2013..2023 (11) -> 12 years, 15 %. */
	{ "hssc gap inside the first period", "{'spells':[{'from':'2012-01-01','to':"
	  "'2012-06-30','kind':'hssc_regular'}," SPELL("2012-10-01", OPEN) "]}", 0, "eligible",
	  "", 12, 15, 19900, 3000, 22900, 12, NULL },

	/* --- unpaid intervals --- */
	/* 2019-08-15..open minus 2020-01-01..05-01 (122): P1 = 366 - 122 = 244, still 5. */
	{ "unpaid interval, period still qualifies", "{'spells':[" SPELL("2019-08-15", OPEN)
	  "],'unpaid':[{'from':'2020-01-01','to':'2020-05-01'}]}", 0, "eligible", "",
	  5, 5, 19900, 1000, 20900, 5, NULL },
	/* minus 2020-01-01..05-06 (127): windows from 2019 days hold 239; the last, from
	 * 2019-12-31, 1 + 238; then 2020-05-07 starts 4 periods -> 4. */
	{ "unpaid interval breaks a period", "{'spells':[" SPELL("2019-08-15", OPEN)
	  "],'unpaid':[{'from':'2020-01-01','to':'2020-05-06'}]}", 0, "ineligible",
	  "insufficient_service", 4, N, N, N, N, 4,
	  "2020-05-07/2021-05-06/365/y 2021-05-07/2022-05-06/365/y 2022-05-07/2023-05-06/365/y "
	  "2023-05-07/2024-05-06/366/y" },
	/* minus 2020-01-01..05-05 (126): P1 = 366 - 126 = 240, exactly min_paid_days. */
	{ "exactly 240 paid days qualify", "{'spells':[" SPELL("2019-08-15", OPEN)
	  "],'unpaid':[{'from':'2020-01-01','to':'2020-05-05'}]}", 0, "eligible", "",
	  5, 5, 19900, 1000, 20900, 5, NULL },
	/* Leave without pay on the cut-off day does not take one out of service:
	 * 2018..2023 -> 6. */
	{ "unpaid on the cut-off day", "{'spells':[" SPELL("2018-01-01", OPEN)
	  "],'unpaid':[{'from':'2024-08-01','to':'2024-08-14'}]}", 0, "eligible", "",
	  6, 5, 19900, 1000, 20900, 6, NULL },
	/* Unpaid 2016-12-01..2017-03-31 across the end of one spell, the gap and the start of
	 * the next: P(2015)=365, P(2016)=366-31=335, then from 2017-04-01 seven periods to
	 * 2024-03-31 -> 9, band 10 %. */
	{ "unpaid across two spells", "{'spells':[" SPELL("2015-01-01", "'2016-12-31'") ","
	  SPELL("2017-03-01", OPEN) "],'unpaid':[{'from':'2016-12-01','to':'2017-03-31'}]}", 0,
	  "eligible", "", 9, 10, 19900, 2000, 21900, 9, NULL },
	/* Overlapping unpaid intervals count their days once: 2020-01-01..02-29 and
	 * 2020-02-01..03-31 are 91 days -> P(2019-08-15..)=275, still 5. */
	{ "overlapping unpaid intervals", "{'spells':[" SPELL("2019-08-15", OPEN)
	  "],'unpaid':[{'from':'2020-01-01','to':'2020-02-29'},{'from':'2020-02-01',"
	  "'to':'2020-03-31'}]}", 0, "eligible", "", 5, 5, 19900, 1000, 20900, 5,
	  "2019-08-15/2020-08-14/275/y 2020-08-15/2021-08-14/365/y 2021-08-15/2022-08-14/365/y "
	  "2022-08-15/2023-08-14/365/y 2023-08-15/2024-08-14/366/y" },

	/* --- in service on C --- */
	{ "spell ends the day before C", "{'spells':[" SPELL("2010-01-01", "'2024-08-13'") "]}",
	  0, "ineligible", "not_in_service", 14, N, N, N, N, 14, NULL },
	{ "spell ends on C", "{'spells':[" SPELL("2010-01-01", "'2024-08-14'") "]}", 0,
	  "eligible", "", 14, 15, 19900, 3000, 22900, 14, NULL },
	/* Starting on the appointed date: not in service on C, and no day counts. */
	{ "spell starts on the appointed date", "{'spells':[" SPELL("2024-08-15", OPEN) "]}", 0,
	  "ineligible", "not_in_service insufficient_service", 0, N, N, N, N, 0, "" },
	/* 29 February: P(2020-02-29..2021-02-28)=366, then from 1 March three more; the next,
	 * 2024-03-01..2025-02-28, passes C -> 4. */
	{ "period from 29 February", "{'spells':[" SPELL("2020-02-29", OPEN) "]}", 0,
	  "ineligible", "insufficient_service", 4, N, N, N, N, 4,
	  "2020-02-29/2021-02-28/366/y 2021-03-01/2022-02-28/365/y 2022-03-01/2023-02-28/365/y "
	  "2023-03-01/2024-02-29/366/y" },
	/* HKRNL deployment counts like a contract: 2016-08-15.. -> 8 years, 10 %. */
	{ "hkrnl spells", "{'engagement_mode':'hkrnl','spells':[{'from':'2016-08-15','to':null,"
	  "'kind':'hkrnl','organisation':'HKRNL'}]}", 0, "eligible", "", 8, 10, 19900, 2000,
	  21900, 8, NULL },
	/* Every rule failed at once: listed in API.md's order. */
	{ "every rule failed", "{'dob':'1960-01-01','monthly_remuneration':60000,"
	  "'centrally_sponsored':true,'part_time':true,'marriage_clause':true,"
	  "'spells':[" SPELL("2022-01-01", "'2023-12-31'") "]}", 0, "ineligible",
	  "not_in_service insufficient_service remuneration_cap centrally_sponsored part_time "
	  "age marriage_clause", 2, N, N, N, N, 2, NULL },

	/* --- missing data: absent or null, each field; incomplete wins --- */
	{ "missing dob", "{'dob':'ABSENT'}", 0, "incomplete", "missing:dob", 14, N, N, N, N,
	  14, NULL },
	{ "null engagement_mode", "{'engagement_mode':null}", 0, "incomplete",
	  "missing:engagement_mode", 14, N, N, N, N, 14, NULL },
	{ "missing monthly_remuneration (direct)", "{'monthly_remuneration':'ABSENT'}", 0,
	  "incomplete", "missing:monthly_remuneration", 14, N, N, N, N, 14, NULL },
	{ "null centrally_sponsored", "{'centrally_sponsored':null}", 0, "incomplete",
	  "missing:centrally_sponsored", 14, N, N, N, N, 14, NULL },
	{ "missing part_time", "{'part_time':'ABSENT'}", 0, "incomplete", "missing:part_time",
	  14, N, N, N, N, 14, NULL },
	{ "null marriage_clause", "{'marriage_clause':null}", 0, "incomplete",
	  "missing:marriage_clause", 14, N, N, N, N, 14, NULL },
	{ "null pay_level", "{'pay_level':null}", 0, "incomplete", "missing:pay_level",
	  14, N, N, N, N, 14, NULL },
	{ "empty spells", "{'spells':[]}", 0, "incomplete", "missing:spells", N, N, N, N, N,
	  N, NULL },
	{ "null spells", "{'spells':null}", 0, "incomplete", "missing:spells", N, N, N, N, N,
	  N, NULL },
	{ "several missing, in field order", "{'spells':'ABSENT','pay_level':'ABSENT',"
	  "'dob':null,'engagement_mode':'ABSENT','monthly_remuneration':'ABSENT'}", 0,
	  "incomplete", "missing:dob missing:engagement_mode missing:monthly_remuneration "
	  "missing:pay_level missing:spells", N, N, N, N, N, N, NULL },
	{ "incomplete wins over ineligible", "{'part_time':true,'dob':'ABSENT'}", 0,
	  "incomplete", "missing:dob", 14, N, N, N, N, 14, NULL },

	/* --- calendar basis --- */
	/* 2010..2023 qualify, 2024 holds 227 < 240 and is listed as not qualifying. */
	{ "calendar: base", "{}", 1, "eligible", "", 14, 15, 19900, 3000, 22900, 15, NULL },
	/* 2019: 139 days; 2020-2023 qualify; 2024: 227 -> 4 (service basis gives 5). */
	{ "calendar: joined 2019-08-15", "{'spells':[" SPELL("2019-08-15", OPEN) "]}", 1,
	  "ineligible", "insufficient_service", 4, N, N, N, N, 6,
	  "2019-01-01/2019-12-31/139/n 2020-01-01/2020-12-31/366/y 2021-01-01/2021-12-31/365/y "
	  "2022-01-01/2022-12-31/365/y 2023-01-01/2023-12-31/365/y 2024-01-01/2024-08-14/227/n" },
	/* May 1..Aug 31 of the next year three times, then 2023-01-01..: calendar years 2015
	 * (245), 2016 (244), 2017 (245), 2018 (243), 2019 (245), 2020 (244), 2023 -> 7; on the
	 * service basis each stretch holds one period (the next window has 123) -> 4. */
	{ "calendar more generous", "{'spells':[" SPELL("2015-05-01", "'2016-08-31'") ","
	  SPELL("2017-05-01", "'2018-08-31'") "," SPELL("2019-05-01", "'2020-08-31'") ","
	  SPELL("2023-01-01", OPEN) "]}", 1, "eligible", "", 7, 5, 19900, 1000, 20900, 8, NULL },
	{ "service basis of the same", "{'spells':[" SPELL("2015-05-01", "'2016-08-31'") ","
	  SPELL("2017-05-01", "'2018-08-31'") "," SPELL("2019-05-01", "'2020-08-31'") ","
	  SPELL("2023-01-01", OPEN) "]}", 0, "ineligible", "insufficient_service", 4,
	  N, N, N, N, 4,
	  "2015-05-01/2016-04-30/366/y 2017-05-01/2018-04-30/365/y 2019-05-01/2020-04-30/366/y "
	  "2023-01-01/2023-12-31/365/y" },
	/* 2019-05-06..Dec 31 is 240 days: the first, partly served, year qualifies; with
	 * 2020-2023 -> 5; 2024 (227) listed, not qualifying. */
	{ "calendar: a first year of exactly 240", "{'spells':[" SPELL("2019-05-06", OPEN) "]}",
	  1, "eligible", "", 5, 5, 19900, 1000, 20900, 6, NULL },
	/* From 2019-05-07, 239 days in 2019 -> 4. */
	{ "calendar: a first year of 239", "{'spells':[" SPELL("2019-05-07", OPEN) "]}", 1,
	  "ineligible", "insufficient_service", 4, N, N, N, N, 6, NULL },
	/* Calendar basis with a gap year: 2016..2018, nothing in 2019-2020, 2021..2023. */
	{ "calendar: gap years are not listed", "{'spells':[" SPELL("2016-01-01", "'2018-12-31'")
	  "," SPELL("2021-01-01", OPEN) "]}", 1, "eligible", "", 6, 5, 19900, 1000, 20900, 7,
	  NULL },
};

/* Single quotes to double quotes: the tables above never need a literal '. */
static char *
dq(const char *s)
{
	char *r = strdup(s), *p;

	assert_non_null(r);
	for (p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

static char *
case_json(const char *over)
{
	char *base = dq(BASE), *ov = dq(over), *out;
	json_error_t je;
	json_t *b, *o, *v;
	const char *k;
	void *tmp;

	b = json_loads(base, 0, &je);
	o = json_loads(ov, 0, &je);
	assert_non_null(b);
	assert_non_null(o);
	json_object_foreach_safe(o, tmp, k, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), "ABSENT") == 0)
			json_object_del(b, k);
		else
			json_object_set(b, k, v);
	}
	out = json_dumps(b, JSON_COMPACT);
	assert_non_null(out);
	json_decref(b);
	json_decref(o);
	free(base);
	free(ov);
	return out;
}

static void
periods_text(const struct rules_outcome *o, char *out, size_t len)
{
	size_t i, n = 0;
	char a[11], b[11];

	out[0] = '\0';
	for (i = 0; i < o->nperiods; i++) {
		date_format(o->periods[i].from, a);
		date_format(o->periods[i].to, b);
		n += (size_t)snprintf(out + n, len - n, "%s%s/%s/%d/%s", i ? " " : "", a, b,
		    o->periods[i].paid_days, o->periods[i].qualifies ? "y" : "n");
		assert_true(n < len);
	}
}

static void
test_cases(void **state)
{
	static struct rules_case c;
	static struct rules_outcome o;
	struct rules_params p;
	char err[256], reasons[512], periods[4096];
	size_t i, j, n;

	rules_defaults(&p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		char *json = case_json(t->over);

		printf("case %zu: %s\n", i, t->name);
		p.year_basis = t->calendar ? RULES_BASIS_CALENDAR : RULES_BASIS_SERVICE;
		if (rules_case_from_json(json, strlen(json), &c, err, sizeof(err)) != RULES_OK)
			fail_msg("%s: parse: %s", t->name, err);
		assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
		assert_string_equal(rules_verdict_name(o.verdict), t->outcome);
		for (j = 0, n = 0, reasons[0] = '\0'; j < o.nreasons; j++)
			n += (size_t)snprintf(reasons + n, sizeof(reasons) - n, "%s%s",
			    j ? " " : "", o.reasons[j]);
		assert_string_equal(reasons, t->reasons);
		assert_int_equal(o.has_service, t->years != N);
		if (t->years != N)
			assert_int_equal(o.qualifying_years, t->years);
		assert_int_equal(o.has_pay, t->band != N);
		if (t->band != N) {
			assert_int_equal(o.band_percent, t->band);
			assert_int_equal(o.entry_pay, t->entry);
			assert_int_equal(o.additional, t->additional);
			assert_int_equal(o.consolidated, t->consolidated);
		}
		if (t->nperiods != N)
			assert_int_equal(o.nperiods, t->nperiods);
		if (t->periods != NULL) {
			periods_text(&o, periods, sizeof(periods));
			assert_string_equal(periods, t->periods);
		}
		free(json);
	}
	assert_true(i >= 45);
}

/* The API.md example, field for field, through the JSON writer. */
static void
test_api_example(void **state)
{
	static const char *in = "{\"dob\":\"1968-05-01\",\"engagement_mode\":\"direct\","
	    "\"monthly_remuneration\":24000,\"centrally_sponsored\":false,\"part_time\":false,"
	    "\"marriage_clause\":false,\"marriage_exemption\":false,\"pay_level\":2,\"spells\":["
	    "{\"from\":\"2015-03-01\",\"to\":\"2018-02-28\",\"kind\":\"contract\","
	    "\"organisation\":\"PWD\"},{\"from\":\"2018-06-01\",\"to\":null,\"kind\":\"contract\","
	    "\"organisation\":\"Health\"},{\"from\":\"2011-01-01\",\"to\":\"2012-05-31\","
	    "\"kind\":\"hssc_regular\"}],\"unpaid\":[{\"from\":\"2020-04-01\","
	    "\"to\":\"2020-06-30\"}]}";
	static struct rules_case c;
	static struct rules_outcome o;
	struct rules_params p;
	struct buf b;
	char err[256];
	json_t *got, *periods, *p0, *p1, *want;

	rules_defaults(&p);
	assert_int_equal(rules_case_from_json(in, strlen(in), &c, err, sizeof(err)), RULES_OK);
	assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
	buf_init(&b, 1 << 20);
	assert_int_equal(rules_outcome_write(&o, &b), 0);
	got = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(got);
	assert_string_equal(json_string_value(json_object_get(got, "outcome")), "eligible");
	assert_int_equal(json_array_size(json_object_get(got, "reasons")), 0);
	assert_int_equal(json_integer_value(json_object_get(got, "qualifying_years")), 10);
	assert_int_equal(json_integer_value(json_object_get(got, "band_percent")), 10);
	assert_int_equal(json_integer_value(json_object_get(got, "entry_pay")), 19900);
	assert_int_equal(json_integer_value(json_object_get(got, "additional")), 2000);
	assert_int_equal(json_integer_value(json_object_get(got, "consolidated")), 21900);
	periods = json_object_get(got, "periods");
	/* 2011 (365); 2012 holds 152 and fails; 2015-03-01.. three periods; 2018-06-01..
	 * 2019-05-31; 2019-06-01..2020-05-31 less Apr-May = 305; June is unpaid, so
	 * 2020-07-01.. four periods to 2024-06-30 -> 10. */
	assert_int_equal(json_array_size(periods), 10);
	p0 = json_array_get(periods, 0);
	p1 = json_array_get(periods, 1);
	want = json_pack("{s:s,s:s,s:i,s:b}", "from", "2011-01-01", "to", "2011-12-31",
	    "paid_days", 365, "qualifies", 1);
	assert_true(json_equal(p0, want));
	json_decref(want);
	want = json_pack("{s:s,s:s,s:i,s:b}", "from", "2015-03-01", "to", "2016-02-29",
	    "paid_days", 366, "qualifies", 1);
	assert_true(json_equal(p1, want));
	json_decref(want);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(periods, 5),
	    "paid_days")), 305);
	assert_string_equal(json_string_value(json_object_get(json_array_get(periods, 6),
	    "from")), "2020-07-01");
	json_decref(got);
	buf_free(&b);
}

/* The hand-written JSON and the jansson object agree on every table case. */
static void
test_writer_matches_jansson(void **state)
{
	static struct rules_case c;
	static struct rules_outcome o;
	struct rules_params p;
	char err[256];
	size_t i;

	rules_defaults(&p);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *json = case_json(cases[i].over);
		struct buf b;
		json_t *a, *j;

		p.year_basis = cases[i].calendar ? RULES_BASIS_CALENDAR : RULES_BASIS_SERVICE;
		assert_int_equal(rules_case_from_json(json, strlen(json), &c, err, sizeof(err)), 0);
		assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
		buf_init(&b, 1 << 20);
		assert_int_equal(rules_outcome_write(&o, &b), 0);
		a = json_loads(buf_str(&b), JSON_REJECT_DUPLICATES, NULL);
		j = rules_outcome_json(&o);
		assert_non_null(a);
		assert_non_null(j);
		assert_int_equal(json_object_size(a), 8);
		assert_true(json_equal(a, j));
		json_decref(a);
		json_decref(j);
		buf_free(&b);
		free(json);
	}
}

static void
test_helpers(void **state)
{
	/* Born 29 February: the anniversary in a common year is 1 March, so the age is
	 * attained on 28 February. */
	assert_int_equal(rules_attains_age(date_from_ymd(2000, 2, 29), 1),
	    date_from_ymd(2001, 2, 28));
	assert_int_equal(rules_attains_age(date_from_ymd(2000, 2, 29), 4),
	    date_from_ymd(2004, 2, 28));
	assert_int_equal(rules_attains_age(date_from_ymd(1966, 8, 16), 58),
	    date_from_ymd(2024, 8, 15));
	assert_int_equal(rules_year_end(date_from_ymd(2024, 2, 29)), date_from_ymd(2025, 2, 28));
	assert_int_equal(rules_year_end(date_from_ymd(2023, 3, 1)), date_from_ymd(2024, 2, 29));
	assert_int_equal(rules_year_end(date_from_ymd(2023, 2, 28)), date_from_ymd(2024, 2, 27));
	assert_int_equal(rules_round_additional(19900, 10, 100), 2000);
	assert_int_equal(rules_round_additional(25500, 10, 100), 2600);	/* 2550 */
	assert_int_equal(rules_round_additional(25499, 10, 100), 2500);	/* 2549.9 */
	assert_int_equal(rules_round_additional(44900, 5, 100), 2200);	/* 2245 */
	assert_int_equal(rules_round_additional(19900, 0, 100), 0);
	assert_int_equal(rules_round_additional(19900, 5, 1), 995);
}

/* A case built in C, not JSON: the engine's own shape checks and caps. */
static void
test_shape(void **state)
{
	static struct rules_case c;
	static struct rules_outcome o;
	struct rules_params p;

	rules_defaults(&p);
	memset(&c, 0, sizeof(c));
	c.present = (1u << RULES_F__MAX) - 1;
	c.dob = date_from_ymd(1980, 1, 1);
	c.pay_level = 3;
	c.nspells = 1;
	c.spells[0].from = date_from_ymd(2010, 1, 1);
	c.spells[0].to = RULES_OPEN;
	assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
	assert_int_equal(o.verdict, RULES_ELIGIBLE);
	assert_int_equal(o.entry_pay, 21700);
	c.pay_level = 11;
	assert_int_equal(rules_eval(&p, &c, &o), RULES_EINVAL);
	c.pay_level = 3;
	c.spells[0].to = date_from_ymd(2009, 1, 1);
	assert_int_equal(rules_eval(&p, &c, &o), RULES_EINVAL);
	c.spells[0].to = RULES_OPEN;
	c.nspells = RULES_MAX_SPELLS + 1;
	assert_int_equal(rules_eval(&p, &c, &o), RULES_ETOOMANY);
	c.nspells = 1;
	c.nunpaid = 1;
	c.unpaid[0].from = date_from_ymd(2011, 1, 2);
	c.unpaid[0].to = date_from_ymd(2011, 1, 1);
	assert_int_equal(rules_eval(&p, &c, &o), RULES_EINVAL);
}

/* 64 spells of 250 days with 115-day gaps each make one period; 64 unpaid intervals
 * inside them too: the caps are reachable and the count stays right. */
static void
test_many_spells(void **state)
{
	static struct rules_case c;
	static struct rules_outcome o;
	struct rules_params p;
	int32_t d = date_from_ymd(1950, 1, 1);
	size_t i;

	rules_defaults(&p);
	memset(&c, 0, sizeof(c));
	c.present = (1u << RULES_F__MAX) - 1;
	c.dob = date_from_ymd(1970, 1, 1);
	c.pay_level = 1;
	for (i = 0; i < RULES_MAX_SPELLS; i++) {
		c.spells[i].from = d;
		c.spells[i].to = d + 249;
		c.unpaid[i].from = d + 100;
		c.unpaid[i].to = d + 100;	/* one day: leaves 249 paid */
		d += 365;
	}
	c.spells[RULES_MAX_SPELLS - 1].to = RULES_OPEN;
	c.nspells = RULES_MAX_SPELLS;
	c.nunpaid = RULES_MAX_UNPAID;
	assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
	/* Each 365-day stride (a period of 365 or 366 days) holds 249 paid days, but the
	 * strides drift against leap years; every period still starts on a spell's first day
	 * or later and holds at least 240 paid days. */
	assert_true(o.qualifying_years >= 60);
	for (i = 0; i < o.nperiods; i++)
		assert_true(o.periods[i].paid_days >= 240 && o.periods[i].qualifies);
	assert_int_equal(o.verdict, RULES_ELIGIBLE);
}

/* The engine against the definition of RULES.md taken literally, day by day: a paid-day
 * array from 1900 to the cut-off, and for the service basis "from the first paid day on,
 * always the earliest period that qualifies" by trying every day in turn. Random cases
 * with a fixed seed, under a few parameter sets (leap-day cut-offs, odd thresholds). */
#define NAIVE_DAYS	(300 * 366)

static unsigned long nrng = 58;

static unsigned
nrand(unsigned m)
{
	nrng = nrng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(nrng >> 33) % m;
}

static void
naive(const struct rules_params *p, const struct rules_case *c, int *years,
    struct rules_period *per, size_t *nper)
{
	static unsigned char paid[NAIVE_DAYS];
	static int pre[NAIVE_DAYS + 1];	/* pre[i]: paid days before index i */
	int32_t base = date_from_ymd(1900, 1, 1), cut = p->appointed_date - 1, d, e;
	size_t i;
	int n = cut - base + 1, y;

	memset(paid, 0, sizeof(paid));
	for (i = 0; i < c->nspells; i++)
		for (d = c->spells[i].from; d <= c->spells[i].to && d <= cut; d++)
			paid[d - base] = 1;
	for (i = 0; i < c->nunpaid; i++)
		for (d = c->unpaid[i].from; d <= c->unpaid[i].to && d <= cut; d++)
			paid[d - base] = 0;
	for (i = 0; i < (size_t)n; i++)
		pre[i + 1] = pre[i] + paid[i];
	*years = 0;
	*nper = 0;
	if (p->year_basis == RULES_BASIS_SERVICE) {
		for (d = base; d <= cut; d++) {
			if (!paid[d - base])
				continue;
			e = rules_year_end(d);
			if (e > cut)
				break;
			if (pre[e - base + 1] - pre[d - base] >= p->min_paid_days) {
				per[*nper].from = d;
				per[*nper].to = e;
				per[*nper].paid_days = pre[e - base + 1] - pre[d - base];
				per[*nper].qualifies = true;
				(*nper)++;
				(*years)++;
				d = e;
			}
		}
		return;
	}
	for (y = 1900; y <= 2199; y++) {
		int32_t a = date_from_ymd(y, 1, 1), b = date_from_ymd(y, 12, 31);
		int k;

		if (a > cut)
			break;
		if (b > cut)
			b = cut;
		k = pre[b - base + 1] - pre[a - base];
		if (k == 0)
			continue;
		per[*nper].from = a;
		per[*nper].to = b;
		per[*nper].paid_days = k;
		per[*nper].qualifies = k >= p->min_paid_days;
		*years += k >= p->min_paid_days;
		(*nper)++;
	}
}

static void
test_against_naive(void **state)
{
	static struct rules_case c;
	static struct rules_outcome o;
	static struct rules_period per[RULES_MAX_PERIODS];
	static const int thresholds[] = { 240, 1, 365, 366, 180 };
	struct rules_params p;
	size_t nper, i, k;
	int years, round, total = 0;

	rules_defaults(&p);
	memset(&c, 0, sizeof(c));
	c.present = (1u << RULES_F__MAX) - 1;
	c.dob = date_from_ymd(1980, 1, 1);
	c.pay_level = 5;
	for (round = 0; round < 6000; round++) {
		int32_t lo;

		p.year_basis = round % 2 ? RULES_BASIS_CALENDAR : RULES_BASIS_SERVICE;
		p.min_paid_days = thresholds[nrand(5)];
		switch (nrand(4)) {
		case 0:	/* a cut-off on 28 or 29 February, 30 or 31 December */
			p.appointed_date = date_from_ymd(2020 + (int)nrand(5), 2 + (int)nrand(2),
			    1 + (int)nrand(2));
			break;
		case 1:
			p.appointed_date = date_from_ymd(2021 + (int)nrand(4), 1, 1) -
			    (int32_t)nrand(2);
			break;
		default:
			p.appointed_date = date_from_ymd(2024, 8, 15);
		}
		/* Boundaries on a coarse grid, so spells, unpaid intervals and the cut-off often
		 * start, end or touch on the same day. */
		lo = date_from_ymd(2000 + (int)nrand(20), 1, 1);
		c.nspells = 1 + nrand(8);
		for (i = 0; i < c.nspells; i++) {
			c.spells[i].from = lo + 61 * (int32_t)nrand(150) + (int32_t)nrand(3) - 1;
			c.spells[i].to = nrand(5) ? c.spells[i].from + 61 * (int32_t)nrand(18) +
			    (int32_t)nrand(3) - 1 : RULES_OPEN;
			if (c.spells[i].to < c.spells[i].from)
				c.spells[i].to = c.spells[i].from;
		}
		c.nunpaid = nrand(6);
		for (i = 0; i < c.nunpaid; i++) {
			c.unpaid[i].from = lo + 61 * (int32_t)nrand(150) + (int32_t)nrand(3) - 1;
			c.unpaid[i].to = c.unpaid[i].from + (int32_t)nrand(3) * 61 - (int32_t)nrand(2);
			if (c.unpaid[i].to < c.unpaid[i].from)
				c.unpaid[i].to = c.unpaid[i].from;
		}
		assert_int_equal(rules_eval(&p, &c, &o), RULES_OK);
		naive(&p, &c, &years, per, &nper);
		if (o.qualifying_years != years || o.nperiods != nper)
			fail_msg("round %d: engine %d years / %zu periods, naive %d / %zu", round,
			    o.qualifying_years, o.nperiods, years, nper);
		for (k = 0; k < nper; k++) {
			assert_int_equal(o.periods[k].from, per[k].from);
			assert_int_equal(o.periods[k].to, per[k].to);
			assert_int_equal(o.periods[k].paid_days, per[k].paid_days);
			assert_int_equal(o.periods[k].qualifies, per[k].qualifies);
		}
		total += years;
	}
	assert_true(total > 6000);	/* the cases were not all empty */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_api_example),
		cmocka_unit_test(test_writer_matches_jansson),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_many_spells),
		cmocka_unit_test(test_against_naive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
