// Browser tests of the pages: Debian's chromium driven by playwright-core, against the real
// server that tests/e2e/t_browser.sh started. Environment: BASE (server address), DATA (its
// data folder, for the OTP outbox), LETTER (a signed sample letter), CORPUS (tests/corpus),
// SHOTS (where the screenshots go). Prints one line per check; exits 1 on any failure.
import { chromium } from "playwright-core";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const BASE = process.env.BASE;
const DATA = process.env.DATA;
const LETTER = process.env.LETTER;
const CORPUS = process.env.CORPUS;
const SHOTS = process.env.SHOTS;
mkdirSync(SHOTS, { recursive: true });

let checks = 0, fails = 0;
function check(what, cond, extra) {
	if (cond) { checks++; return; }
	fails++;
	console.log(`FAIL: ${what}${extra !== undefined ? ": " + extra : ""}`);
}
const problems = [];	// CSP reports, script errors, failed subresources

function otpCount(employee) {
	return readFileSync(join(DATA, "outbox", "sms.jsonl"), "utf8").trim().split("\n")
	    .filter((l) => JSON.parse(l).employee_id === employee).length;
}

function lastOtp(employee) {
	const lines = readFileSync(join(DATA, "outbox", "sms.jsonl"), "utf8").trim().split("\n");
	for (let i = lines.length - 1; i >= 0; i--) {
		const o = JSON.parse(lines[i]);
		if (o.employee_id === employee)
			return o.otp;
	}
	return null;
}

async function watch(page) {
	// an error status of the page itself is often the point (a wrong OTP is 401); its
	// stylesheet, script and icon must always load
	page.on("console", (m) => {
		if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
			problems.push(`${page.url()}: console: ${m.text()}`);
	});
	page.on("response", (r) => {
		if (r.request().resourceType() !== "document" && r.status() >= 400)
			problems.push(`${r.url()}: ${r.status()}`);
	});
	page.on("pageerror", (e) => problems.push(`${page.url()}: script: ${e.message}`));
	// a load cut short because the page moved on (ERR_ABORTED) is not a failure
	page.on("requestfailed", (r) => {
		if (r.failure()?.errorText !== "net::ERR_ABORTED")
			problems.push(`${r.url()}: ${r.failure()?.errorText}`);
	});
}

async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// WCAG AA contrast of every element with its own text: 4.5:1, 3:1 for large text.
async function contrast(page, name) {
	const bad = await page.evaluate(() => {
		function rgb(s) {
			const m = s.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
			return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : [0, 0, 0, 0];
		}
		function lum(c) {
			const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
			return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
		}
		function background(el) {
			for (; el; el = el.parentElement) {
				const c = rgb(getComputedStyle(el).backgroundColor);
				if (c[3] > 0.5)
					return c;
			}
			return [255, 255, 255, 1];
		}
		const out = [];
		for (const el of document.querySelectorAll("body *")) {
			const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
			const st = getComputedStyle(el);
			if (!own || st.visibility === "hidden" || st.display === "none" || el.closest(".sr,[hidden]"))
				continue;
			const fg = rgb(st.color), bg = background(el);
			const a = lum(fg), b = lum(bg);
			const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
			const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight, 10) >= 700;
			const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
			if (ratio < need)
				out.push(`${el.tagName}.${el.className} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
		}
		return out;
	});
	check(`${name}: text contrast passes WCAG AA`, bad.length === 0, bad.slice(0, 5).join("; "));
}

async function noSideScroll(page, name) {
	const w = await page.evaluate(() => document.documentElement.scrollWidth);
	const vw = page.viewportSize().width;
	check(`${name}: fits ${vw} px without sideways scrolling`, w <= vw, `scrollWidth ${w}`);
}

async function notice(page) {
	const n = page.locator("#notice");
	return (await n.count()) ? (await n.innerText()).trim() : "";
}

async function staffLogin(ctx, user) {
	const page = await ctx.newPage();
	await watch(page);
	await page.goto(BASE + "/");
	await page.fill("#username", user);
	await page.fill("#password", "suraksha-demo");
	await Promise.all([page.waitForURL(/\/home$/), page.click("#staff-form button[type=submit]")]);
	return page;
}

const browser = await chromium.launch({
	executablePath: "/usr/bin/chromium",
	headless: true,
	args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const t0 = Date.now();
try {
	// --- employee: keyboard sign-in, a wrong OTP, then the right one -----------------------
	const emp = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	let page = await emp.newPage();
	await watch(page);
	await page.goto(BASE + "/");
	check("sign-in page title", (await page.title()).startsWith("Sign in"));
	check("every input has a label", await page.evaluate(() => [...document.querySelectorAll(
	    "input:not([type=hidden]), select, textarea")].every((i) => i.labels && i.labels.length > 0)));
	await contrast(page, "sign-in");
	await shot(page, "signin");
	// keyboard only: the skip link first, then focus moves visibly through the form
	await page.keyboard.press("Tab");
	check("first Tab reaches the skip link", await page.evaluate(() => document.activeElement.className === "skip"));
	await page.focus("#employee_id");
	const ring = await page.evaluate(() => {
		const s = getComputedStyle(document.activeElement);
		return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
	});
	check("focus is visible", ring);
	// typed as people type: lower case, a space at the end
	await page.keyboard.type("ucp-10001 ");
	await page.keyboard.press("Tab");
	check("Tab moves to the Family ID", await page.evaluate(() => document.activeElement.id) === "family_id");
	await page.keyboard.type("ppp10001a");
	await Promise.all([page.waitForURL(/\/login\/otp/), page.keyboard.press("Enter")]);
	check("a lower-case id gets its code", otpCount("UCP-10001") === 1);
	check("OTP page shows no mobile number (none that could be made up)",
	    !/\*{3}|\d{4}/.test(await page.locator("#sent").innerText()), await page.locator("#sent").innerText());
	check("resend waits (timer shown)", await page.locator("[data-countdown]").count() === 1);
	check("resend button waits while the timer runs", await page.locator("#resend").isDisabled());
	// the timer runs out (2 s in this test), then a new code can be asked for
	await page.waitForFunction(() => !document.getElementById("resend").disabled, null, { timeout: 5000 });
	const before = otpCount("UCP-10001");
	await Promise.all([page.waitForURL(/sent=1/), page.click("#resend")]);
	check("resend sends a new code", otpCount("UCP-10001") === before + 1);
	check("and the timer starts again", await page.locator("#resend").isDisabled());
	await page.fill("#otp", "000000");
	await Promise.all([page.waitForLoadState("load"), page.click("#otp-form button[type=submit]")]);
	check("wrong OTP says so", (await notice(page)).includes("That code is not right"), await notice(page));
	check("the code field points at the message", (await page.getAttribute("#otp", "aria-describedby")) === "notice" &&
	    (await page.getAttribute("#otp", "aria-invalid")) === "true");
	await shot(page, "otp-wrong");
	const code = lastOtp("UCP-10001");
	check("OTP found in the outbox", /^\d{6}$/.test(code || ""));
	await page.fill("#otp", code);
	await Promise.all([page.waitForURL(/\/home$/), page.click("#otp-form button[type=submit]")]);
	check("employee lands on My case", (await page.locator("h1").innerText()).includes("My case"));

	// --- the first screen: status and the next step; only this case's documents ---------
	const firstScreen = async (p, sel) => p.locator(sel).evaluate((e) => e.getBoundingClientRect().bottom + window.scrollY);
	check("the next step is said on the first screen", (await firstScreen(page, "#next-step")) < 900 &&
	    (await page.locator("#next-step").innerText()).includes("service record"), await page.locator("#next-step").innerText());
	check("the status is on the first screen", (await firstScreen(page, "#state-now")) < 900);
	const listed = await page.locator("#documents > .kinds > section.kind").count();
	check("only the case's document kinds are listed (5), the rest folded away",
	    listed === 5 && (await page.locator("#other-kinds").getAttribute("open")) === null, listed);
	// --- upload a good PDF, then a refused one -------------------------------------------
	await page.click("#other-kinds summary");
	await page.setInputFiles("#file-aadhaar", join(CORPUS, "pdf_simple.pdf"));
	await Promise.all([page.waitForURL(/uploaded=1/), page.click("#kind-aadhaar form.upload button[type=submit]")]);
	check("upload confirmed", (await notice(page)).includes("checked and stored"), await notice(page));
	check("after an upload the page is back at its kind, not the top", page.url().endsWith("#kind-aadhaar") &&
	    await page.evaluate(() => window.scrollY > 0), page.url());
	check("the document is listed under its kind",
	    (await page.locator("#kind-aadhaar .docs").innerText()).includes("pdf_simple.pdf"));
	const href = await page.locator("#kind-aadhaar .docs a").first().getAttribute("href");
	const dl = await page.request.get(BASE + href);
	check("the listed document downloads", dl.status() === 200 &&
	    (await dl.body()).equals(readFileSync(join(CORPUS, "pdf_simple.pdf"))));
	await contrast(page, "case");
	await shot(page, "case");
	await page.setInputFiles("#file-salary_proof", join(CORPUS, "pdf_launch.pdf"));
	await Promise.all([page.waitForURL(/refused=/), page.click("#kind-salary_proof form.upload button[type=submit]")]);
	check("refused upload gives the reason in plain words",
	    (await notice(page)).includes("scripts, actions, forms or attached files"), await notice(page));
	check("nothing was listed for the refused kind",
	    await page.locator("#kind-salary_proof .docs").count() === 0);
	await shot(page, "case-refused");

	// --- Hindi, remembered across pages ---------------------------------------------------
	await Promise.all([page.waitForLoadState("load"), page.click("header form[action='/lang'] button")]);
	check("Hindi switch: heading", (await page.locator("h1").innerText()).includes("मेरा मामला"));
	check("Hindi switch: html lang", (await page.getAttribute("html", "lang")) === "hi");
	check("Hindi switch: document kinds", (await page.locator("#h-aadhaar").innerText()).includes("आधार"));
	await page.goto(BASE + "/verify");
	check("Hindi is remembered", (await page.locator("h1").innerText()).includes("सत्यापित"));
	await shot(page, "verify-hi");
	await page.goto(BASE + "/home");
	await Promise.all([page.waitForLoadState("load"), page.click("#submit-form button[type=submit]")]);
	const hiRefusal = await notice(page);
	check("a refusal in Hindi: Hindi words that say what to do", hiRefusal.includes("सेवा विवरण भरें"), hiRefusal);
	check("a refusal in Hindi: no route, JSON key or code", !/\/|\[|\]|\{|\}|"|_|PUT|POST|spells|missing|\.\.\./.test(hiRefusal), hiRefusal);
	await shot(page, "refusal-hi");
	await page.goto(BASE + "/home?refused=pdf_encrypted");
	check("refusal reasons in Hindi", (await notice(page)).includes("पासवर्ड"), await notice(page));
	await shot(page, "case-hi");
	await Promise.all([page.waitForLoadState("load"), page.click("header form[action='/lang'] button")]);
	check("back to English", (await page.getAttribute("html", "lang")) === "en");

	// --- 360 px wide ---------------------------------------------------------------------
	const phone = await browser.newContext({ viewport: { width: 360, height: 740 },
		storageState: await emp.storageState(), isMobile: true, hasTouch: true });
	const p360 = await phone.newPage();
	await watch(p360);
	await p360.goto(BASE + "/home");
	await noSideScroll(p360, "case");
	await contrast(p360, "case at 360 px");
	await shot(p360, "case-360");
	await p360.goto(BASE + "/verify");
	await noSideScroll(p360, "verify");
	await phone.close();
	const anon360 = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
	const s360 = await anon360.newPage();
	await s360.goto(BASE + "/");
	await noSideScroll(s360, "sign-in");
	await shot(s360, "signin-360");
	await anon360.close();

	// sign out ends the session
	await Promise.all([page.waitForURL(/out=1/), page.click("header form[action='/logout'] button")]);
	check("signed out", (await notice(page)).includes("signed out"));
	const after = await page.request.get(BASE + "/home", { maxRedirects: 0 });
	check("after sign-out /home goes to sign-in", after.status() === 303);
	await emp.close();

	// --- staff: DDO home, an employee's documents ---------------------------------------
	const ddo = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	page = await staffLogin(ddo, "ddo.pwd.amb");
	check("DDO home lists what they can do", (await page.locator("main").innerText()).includes("What you can do here"));
	await contrast(page, "staff home");
	await shot(page, "staff-home");
	check("DDO: the search is the first thing on the page",
	    (await page.locator("main form").first().getAttribute("id")) === "queue-filter");
	const found = Number(await page.locator("#queue-found").innerText());
	check("DDO: 300 cases and more, 50 on a page", found >= 300 && await page.locator("#queue-rows li").count() === 50, found);
	await Promise.all([page.waitForURL(/page=2/), page.click("#queue-next")]);
	check("DDO: the next page", (await page.locator("#queue-from").innerText()) === "51");
	await page.fill("#q-q", "rajesh");
	await page.selectOption("#q-sort", "name");
	await Promise.all([page.waitForURL(/q=rajesh/), page.click("#queue-filter button[type=submit]")]);
	const names = await page.locator("#queue-rows li a").allInnerTexts();
	check("DDO: a part of a name, any case, finds every Rajesh in name order",
	    names.length === 7 && names[0] === "Rajesh Kumar" && names.join() === [...names].sort().join(), names.join());
	await shot(page, "ddo-search");
	const ddoPhone = await browser.newContext({ viewport: { width: 360, height: 740 },
		storageState: await ddo.storageState(), isMobile: true, hasTouch: true });
	const dp = await ddoPhone.newPage();
	await dp.goto(BASE + "/home");
	const findTop = await dp.locator("#q-q").evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
	check("DDO on a phone: the find box is on the first screen", findTop < 740, findTop);
	await noSideScroll(dp, "DDO home");
	await dp.screenshot({ path: join(SHOTS, "ddo-home-360-top.png") });
	await ddoPhone.close();
	await page.fill("#q-q", "ucp-10001 ");
	await Promise.all([page.waitForURL(/q=ucp/), page.click("#queue-filter button[type=submit]")]);
	await Promise.all([page.waitForURL(/\/cases\/UCP-10001$/), page.click("#queue-rows a[href='/cases/UCP-10001']")]);
	check("DDO sees the employee's document",
	    (await page.locator("#kind-aadhaar .docs").innerText()).includes("pdf_simple.pdf"));
	check("DDO gets no upload form", await page.locator("form.upload").count() === 0);
	await page.goto(BASE + "/cases/UCP-10003");	// another department's employee
	check("out of scope is not found", (await notice(page)).includes("Nothing was found"));
	await ddo.close();

	// --- auditor: verify a letter, the audit log ------------------------------------------
	const aud = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	page = await staffLogin(aud, "auditor");
	await page.goto(BASE + "/verify");
	await page.setInputFiles("#pdf", LETTER);
	await Promise.all([page.waitForLoadState("load"), page.click("#verify-form button[type=submit]")]);
	const rep = await page.locator("#report").innerText();
	check("verify: signature intact", /Unchanged since signing\s*Yes/.test(rep), rep);
	check("verify: signer certified by the portal", /Signer certified by the portal\s*Yes/.test(rep), rep);
	// a sample letter has no row in the portal's letters until the case workflow issues one:
	// then it is valid; until then the only reason may be that the portal did not issue it
	const validNow = rep.includes("genuine and in force");
	const onlyNotIssued = rep.includes("The portal has not issued this letter") &&
	    (await page.locator("#report .reasons li").count()) === 1;
	check("verify: valid, or only not issued by this portal", validNow || onlyNotIssued, rep);
	await contrast(page, "verify report");
	await shot(page, "verify-report");
	// the same letter with one signed byte changed
	const bytes = readFileSync(LETTER);
	// a letter or digit well inside the first signed range, changed to another of its kind
	let i = 400;
	while (!/[A-Za-z0-9]/.test(String.fromCharCode(bytes[i])))
		i++;
	bytes[i] = /[0-9]/.test(String.fromCharCode(bytes[i])) ? (bytes[i] === 0x30 ? 0x31 : 0x30) :
	    (bytes[i] === 0x41 ? 0x42 : 0x41);
	const tampered = join(SHOTS, "..", "tampered-letter.pdf");
	writeFileSync(tampered, bytes);
	await page.setInputFiles("#pdf", tampered);
	await Promise.all([page.waitForLoadState("load"), page.click("#verify-form button[type=submit]")]);
	const rep2 = await page.locator("#report").innerText();
	check("verify: a changed letter is not confirmed, with a reason",
	    rep2.includes("could not be confirmed") &&
	    (await page.locator("#report .reasons li").count()) >= 1, rep2);
	await shot(page, "verify-tampered");
	await page.goto(BASE + "/audit?action=document.upload");
	const actions = await page.locator("table.log tbody tr td:nth-child(4)").allInnerTexts();
	check("audit filter: only uploads, in words", actions.length >= 1 &&
	    actions.every((a) => a.includes("Document uploaded") && a.includes("document.upload")), actions.join(","));
	await page.goto(BASE + "/audit");
	check("audit log lists records", await page.locator("table.log tbody tr").count() >= 10);
	await contrast(page, "audit");
	await shot(page, "audit");
	await aud.close();

	// --- admin: add a user ---------------------------------------------------------------
	const adm = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	page = await staffLogin(adm, "admin");
	await page.goto(BASE + "/admin/users");
	await page.fill("#a-username", "ddo.pwd.new");
	await page.fill("#a-name", "New DDO");
	await page.selectOption("#a-role", "ddo");
	await page.fill("#a-password", "a-long-password");
	await page.fill("#a-offices", "PWD-AMB-01");
	await Promise.all([page.waitForURL(/done=added/), page.click("#add-user button[type=submit]")]);
	check("admin: user added", (await notice(page)).includes("The account was added"), await notice(page));
	check("admin: user listed", (await page.locator("#user-ddo\\.pwd\\.new").innerText()).includes("PWD-AMB-01"));
	await contrast(page, "users");
	await shot(page, "users");
	await page.click("#user-ddo\\.pwd\\.new details:has(form[action$='/disable']) summary");
	await page.check("#user-ddo\\.pwd\\.new form[action$='/disable'] input[name=confirm]");
	await Promise.all([page.waitForURL(/done=disabled/), page.click("#user-ddo\\.pwd\\.new form[action$='/disable'] button")]);
	check("admin: user disabled", (await page.locator("#user-ddo\\.pwd\\.new").innerText()).includes("Disabled"));
	await adm.close();

	// --- the whole case, in the pages: UCP-10003 (Health, Kurukshetra) -------------------
	const e3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	page = await e3.newPage();
	await watch(page);
	await page.goto(BASE + "/");
	await page.fill("#employee_id", "UCP-10003");
	await page.fill("#family_id", "PPP10003C");
	await Promise.all([page.waitForURL(/\/login\/otp/), page.press("#family_id", "Enter")]);
	await page.fill("#otp", lastOtp("UCP-10003"));
	await Promise.all([page.waitForURL(/\/home$/), page.click("#otp-form button[type=submit]")]);
	check("journey: employee on their case", (await page.locator("#state-now").innerText()).includes("Draft"));
	check("journey: every required document is listed as missing",
	    await page.locator("#required .tag.bad").count() === 5);
	// declare one spell, still in service
	await page.fill("#from_0", "2019-08-15");
	await page.check("#open_0");
	await page.selectOption("#kind_0", "contract");
	await page.fill("#org_0", "Civil Hospital, Kurukshetra");
	await Promise.all([page.waitForURL(/done=saved/), page.click("#service-form button[type=submit]")]);
	check("journey: spell saved", (await notice(page)).includes("service record was saved"), await notice(page));
	check("journey: the spell is kept", (await page.inputValue("#from_0")) === "2019-08-15" &&
	    await page.isChecked("#open_0"));
	check("journey: eligibility shown with its periods",
	    (await page.locator("#verdict").innerText()).includes("Eligible") &&
	    await page.locator("#outcome table.periods tbody tr").count() === 5);
	// the five documents the case needs
	const uploads = [["engagement_order", "pdf_simple.pdf"], ["salary_proof", "photo.jpg"],
	    ["dob_proof", "scan.png"], ["family_id", "pdf_multipage.pdf"],
	    ["marital_declaration", "pdf_object_streams.pdf"]];
	for (const [kind, file] of uploads) {
		await page.goto(BASE + "/home");
		await page.setInputFiles(`#file-${kind}`, join(CORPUS, file));
		await Promise.all([page.waitForURL(/uploaded=1/), page.click(`#kind-${kind} form.upload button[type=submit]`)]);
		check(`journey: ${file} stored as ${kind}`, (await page.locator(`#req-${kind}`).innerText()).includes(file),
		    await notice(page));
	}
	check("journey: nothing missing", await page.locator("#required .tag.bad").count() === 0);
	await contrast(page, "case ready");
	await shot(page, "case-ready");
	await Promise.all([page.waitForURL(/done=submitted/), page.click("#submit-form button[type=submit]")]);
	check("journey: submitted", (await page.locator("#state-now").innerText()).includes("Submitted"));
	check("journey: no edit or upload form after submitting", await page.locator("#service-form").count() === 0 &&
	    await page.locator("form.upload").count() === 0);
	check("journey: the timeline has the submission",
	    (await page.locator("#timeline").innerText()).includes("Submitted"));
	await shot(page, "case-submitted");
	const e3phone = await browser.newContext({ viewport: { width: 360, height: 740 },
		storageState: await e3.storageState(), isMobile: true, hasTouch: true });
	const e3p = await e3phone.newPage();
	await watch(e3p);
	await e3p.goto(BASE + "/home");
	await noSideScroll(e3p, "submitted case");
	await shot(e3p, "case-submitted-360");
	await e3p.screenshot({ path: join(SHOTS, "case-submitted-360-top.png") });
	await e3phone.close();

	// the DDO of the office: the queue, the documents beside the spells, verified
	const d3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	let sp = await staffLogin(d3, "ddo.hlt.kkr");
	check("journey: DDO queue counts", (await sp.locator("#queue").innerText()).includes("Submitted"));
	await sp.selectOption("#q-state", "submitted");
	await Promise.all([sp.waitForURL(/state=submitted/), sp.click("#queue-filter button[type=submit]")]);
	check("journey: DDO queue filtered", (await sp.locator("#queue-rows").innerText()).includes("UCP-10003"));
	await contrast(sp, "DDO queue");
	await shot(sp, "ddo-queue");
	await Promise.all([sp.waitForURL(/\/cases\/UCP-10003$/), sp.click("#queue-rows a[href='/cases/UCP-10003']")]);
	const img = sp.locator("#viewer img").first();
	check("journey: the photo is shown in the page", await img.count() === 1 &&
	    await img.evaluate((i) => i.complete && i.naturalWidth > 0));
	const pdfHref = await sp.locator("#viewer a.pdf").first().getAttribute("href");
	const pv = await sp.request.get(BASE + pdfHref);
	check("journey: a PDF is served inline and sandboxed", pv.status() === 200 &&
	    pv.headers()["content-disposition"] === "inline" &&
	    /(^|; )sandbox(;|$)/.test(pv.headers()["content-security-policy"] || ""),
	    JSON.stringify(pv.headers()));
	check("journey: the DDO sees the spell", (await sp.locator("#spells").innerText()).includes("15-08-2019"));
	await contrast(sp, "DDO case");
	await shot(sp, "ddo-case");
	check("journey: the particulars in question are shown beside the tick boxes",
	    (await sp.locator("label[for=df-mobile]").innerText()).match(/[6-9][0-9]{9}/) !== null);
	// a decision without remarks for a return: refused, and the choice is kept
	await sp.check("#d-returned");
	await sp.click("#verify-case button[type=submit]");
	await sp.waitForLoadState("load");
	check("journey: a return needs remarks, said plainly", (await notice(sp)).includes("what the employee must correct"), await notice(sp));
	check("journey: the chosen decision is kept", await sp.isChecked("#d-returned"));
	await sp.fill("#d-remarks", "The salary proof is for another month: upload the right one.");
	await Promise.all([sp.waitForURL(/done=returned/), sp.click("#verify-case button[type=submit]")]);
	check("journey: returned, on to the queue", /\/home\?done=returned/.test(sp.url()) || /prev=UCP-10003/.test(sp.url()), sp.url());
	// the employee replaces the wrong document
	await page.goto(BASE + "/home");
	check("journey: the employee reads the return", (await page.locator("#returned").innerText()).includes("salary proof"));
	const wrong = page.locator("#kind-salary_proof .docs form[action$='/delete'] button");
	check("journey: Delete is offered on the returned case", await wrong.count() === 1);
	await page.setInputFiles("#file-salary_proof", join(CORPUS, "pdf_simple.pdf"));
	await Promise.all([page.waitForURL(/uploaded=1/), page.click("#kind-salary_proof form.upload button[type=submit]")]);
	await Promise.all([page.waitForURL(/deleted=1/), page.locator("#kind-salary_proof .docs form[action$='/delete'] button").first().click()]);
	check("journey: the wrong document is gone, the right one stays",
	    (await page.locator("#kind-salary_proof .docs").innerText()).includes("pdf_simple.pdf") &&
	    !(await page.locator("#kind-salary_proof .docs").innerText()).includes("photo.jpg"));
	await shot(page, "case-replaced");
	await Promise.all([page.waitForURL(/done=submitted/), page.click("#submit-form button[type=submit]")]);
	await sp.goto(BASE + "/cases/UCP-10003");
	await sp.check("#d-verified");
	await Promise.all([sp.waitForURL(/done=verified/), sp.click("#verify-case button[type=submit]")]);
	await sp.goto(BASE + "/cases/UCP-10003");
	check("journey: verified", (await sp.locator("#state-now").innerText()).includes("Verified"), await notice(sp));
	await d3.close();

	// Finance: the post
	const f3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	sp = await staffLogin(f3, "finance");
	check("journey: finance lists the case by department",
	    (await sp.locator("#posts-form fieldset").first().innerText()).includes("HLT"));
	await sp.check("#p-UCP-10003");
	await sp.fill("#p-designation", "Staff Nurse (supernumerary)");
	await sp.fill("#p-level", "6");
	await contrast(sp, "finance");
	await shot(sp, "finance-posts");
	await Promise.all([sp.waitForURL(/done=posts/), sp.click("#posts-create")]);
	check("journey: post created", (await notice(sp)).includes("posts were created"), await notice(sp));
	await f3.close();

	// HoD: approve the ticked cases, the letter issued
	const h3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	sp = await staffLogin(h3, "hod.hlt");
	check("journey: HoD sees the case ready with its pay",
	    (await sp.locator("#approve-form").innerText()).includes("Staff Nurse (supernumerary)"));
	await contrast(sp, "HoD approvals");
	await shot(sp, "hod-approvals");
	await sp.check("#a-UCP-10003");
	await Promise.all([sp.waitForLoadState("load"), sp.click("#approve-form button[type=submit]")]);
	const res3 = await sp.locator("#r-UCP-10003").innerText();
	check("journey: approved with a letter", res3.includes("Approved") && /HR\/SOS\/HLT\//.test(res3), res3);
	await shot(sp, "approve-result");
	await h3.close();

	// the employee downloads the letter; the public page says it is valid
	await page.goto(BASE + "/home");
	const ref3 = (await page.locator("#letter-ref").innerText()).trim();
	check("journey: the employee sees the approval", (await page.locator("#state-now").innerText()).includes("Approved"));
	const lh = await page.locator("#letter-link").getAttribute("href");
	const lr = await page.request.get(BASE + lh);
	const lbody = await lr.body();
	check("journey: the letter downloads", lr.status() === 200 && lbody.subarray(0, 5).toString() === "%PDF-",
	    `${lr.status()} ${lh}`);
	await contrast(page, "approved case");
	await shot(page, "case-approved");
	// the HoD revokes it: the employee's page says so, with the reason
	const h4 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	sp = await staffLogin(h4, "hod.hlt");
	await sp.goto(BASE + "/verify/" + ref3);
	await sp.fill("#reason", "Issued in error: the service record is under review.");
	await sp.check("#revoke-confirm");
	await Promise.all([sp.waitForLoadState("load"), sp.click("form[action='/revoke'] button[type=submit]")]);
	await h4.close();
	await page.goto(BASE + "/home");
	check("journey: a revoked letter shows revoked, with its reason",
	    (await page.locator("#letter").innerText()).includes("revoked") &&
	    (await page.locator("#revoke-reason").innerText()).includes("Issued in error"), await page.locator("#letter").innerText());
	await shot(page, "case-revoked");
	await e3.close();
	const v3 = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	sp = await v3.newPage();
	await watch(sp);
	await sp.goto(BASE + "/verify/" + ref3);
	check("journey: /verify/{ref} says revoked", (await sp.locator("#ref-state").innerText()).includes("evoked"),
	    await sp.locator("#ref-state").innerText());
	await shot(sp, "verify-ref-valid");
	await v3.close();

	// --- the public page a letter's QR code opens ----------------------------------------
	const pub = await browser.newContext({ viewport: { width: 1100, height: 900 } });
	page = await pub.newPage();
	await watch(page);
	await page.goto(BASE + "/verify/HR/SOS/NONE/2026/000001");
	check("verify/{ref}: an unknown reference says so",
	    (await page.locator("#ref-state").innerText()).includes("no letter with this reference"));
	await shot(page, "verify-ref");
	await pub.close();
} catch (e) {
	fails++;
	console.log("FAIL: " + (e.stack || e));
} finally {
	await browser.close();
}
check("no CSP violations, script errors or failed loads", problems.length === 0, problems.join("\n"));
console.log(`${checks} checks passed, ${fails} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(fails ? 1 : 0);
