/* Renders the offer letter with libharu. The wording comes from the template file (see
 * templates/letter.txt for its format); the layout (letterhead, pay table, terms, QR code,
 * signature block) is fixed here so the letter always looks the same. */
#include "letters/letter.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_streams.h>
#include <qrencode.h>

#include "letters/pdfupd.h"
#include "letters/template.h"
#include "letters/text.h"
#include "util/fsx.h"
#include "util/log.h"
#include "util/strict.h"
#include "util/timeutil.h"

#define PAGE_W		595.276f
#define PAGE_H		841.89f
#define MARGIN_L	62.0f
#define MARGIN_R	62.0f
#define MARGIN_T	50.0f
#define TEXT_W		(PAGE_W - MARGIN_L - MARGIN_R)
#define FOOT_TOP	178.0f		/* body text must stay above this */
#define FONT_REGULAR	"DejaVuSerif-subset.ttf"
/* Bold is drawn from the regular font by also stroking the outlines (as word processors
 * do for a missing bold face): a second embedded font would cost ~4.5 KB a letter, and the
 * letter must stay under 32 KB with its 16 KB signature reservation. */
#define BOLD_STROKE	0.032f

static const char *const err_names[LETTER_ERR__MAX] = {
	[LETTER_OK] = "ok",
	[LETTER_ERR_FACTS] = "bad_facts",
	[LETTER_ERR_TEMPLATE] = "bad_template",
	[LETTER_ERR_FONT] = "font",
	[LETTER_ERR_OVERFLOW] = "page_overflow",
	[LETTER_ERR_PDF] = "pdf",
	[LETTER_ERR_SIGN] = "sign",
	[LETTER_ERR_NOMEM] = "nomem",
};

const char *
letter_strerror(int err)
{
	if (err < 0 || err >= LETTER_ERR__MAX)
		return "unknown";
	return err_names[err];
}

/* ---- per-thread libharu document with its fonts loaded once ---- */

/* libharu keeps loaded font definitions across HPDF_NewDoc (it only clears their
 * per-document state), so one HPDF_Doc per thread, reset for each letter, pays the font
 * parsing once. libharu itself is told not to embed the font: it would read the font file
 * and deflate it again for every letter (most of the rendering time). Instead the font
 * program is deflated once here and embedded by an incremental update (embed_font). */
struct render_cache {
	HPDF_Doc	 pdf;
	char		 fonts_dir[PATH_MAX];
	char		 regular[128];
	unsigned long	 last_error;
	unsigned char	*font_z;	/* the font program, deflated once */
	size_t		 font_z_len;
	size_t		 font_len;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void
cache_free(void *p)
{
	struct render_cache *c = p;

	if (c == NULL)
		return;
	if (c->pdf != NULL)
		HPDF_Free(c->pdf);
	free(c->font_z);
	free(c);
}

static void
cache_key_init(void)
{
	if (pthread_key_create(&cache_key, cache_free) != 0)
		abort();	/* only when the process is out of keys: unusable anyway */
}

static void
hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	struct render_cache *c = user_data;

	c->last_error = (unsigned long)error_no;
	log_warn("letters: libharu error 0x%04lx detail %lu", (unsigned long)error_no,
	    (unsigned long)detail_no);
}

void
letter_render_release(void)
{
	struct render_cache *c;

	pthread_once(&cache_once, cache_key_init);
	c = pthread_getspecific(cache_key);
	cache_free(c);
	pthread_setspecific(cache_key, NULL);
}

/* Deflates the font file with libharu's own stream filter (zlib at its default level). */
static int
deflate_font(struct render_cache *c, const char *path)
{
	struct buf raw;
	HPDF_Stream src = NULL, dst = NULL;
	HPDF_UINT i, n, len;
	HPDF_BYTE *chunk;
	size_t at = 0;
	int rc = LETTER_ERR_FONT;

	buf_init(&raw, 4 * 1024 * 1024);
	if (fsx_read(path, &raw) != 0 || raw.len == 0)
		goto out;
	if ((src = HPDF_MemStream_New(c->pdf->mmgr, 8192)) == NULL ||
	    (dst = HPDF_MemStream_New(c->pdf->mmgr, 8192)) == NULL ||
	    HPDF_Stream_Write(src, (const HPDF_BYTE *)raw.data, (HPDF_UINT)raw.len) != HPDF_OK ||
	    HPDF_Stream_Seek(src, 0, HPDF_SEEK_SET) != HPDF_OK ||
	    HPDF_Stream_WriteToStream(src, dst, HPDF_STREAM_FILTER_FLATE_DECODE, NULL) !=
	    HPDF_OK)
		goto out;
	if ((c->font_z = malloc(HPDF_Stream_Size(dst) + 1)) == NULL) {
		rc = LETTER_ERR_NOMEM;
		goto out;
	}
	n = HPDF_MemStream_GetBufCount(dst);
	for (i = 0; i < n; i++) {
		if ((chunk = HPDF_MemStream_GetBufPtr(dst, i, &len)) == NULL ||
		    at + len > HPDF_Stream_Size(dst))
			goto out;
		memcpy(c->font_z + at, chunk, len);
		at += len;
	}
	if (at != HPDF_Stream_Size(dst))
		goto out;
	c->font_z_len = at;
	c->font_len = raw.len;
	rc = LETTER_OK;
out:
	if (src != NULL)
		HPDF_Stream_Free(src);
	if (dst != NULL)
		HPDF_Stream_Free(dst);
	buf_free(&raw);
	return rc;
}

static int
load_font(struct render_cache *c, const char *file, char *name, size_t namelen)
{
	char path[PATH_MAX];
	const char *n;
	int len;

	if (fsx_join(path, sizeof(path), c->fonts_dir, file) != 0)
		return LETTER_ERR_FONT;
	if ((n = HPDF_LoadTTFontFromFile(c->pdf, path, HPDF_FALSE)) == NULL) {
		log_error("letters: cannot load font %s", path);
		return LETTER_ERR_FONT;
	}
	len = snprintf(name, namelen, "%s", n);
	if (len < 0 || (size_t)len >= namelen)
		return LETTER_ERR_FONT;
	return deflate_font(c, path);
}

static int
cache_get(const char *fonts_dir, struct render_cache **out)
{
	struct render_cache *c;
	int rc;

	pthread_once(&cache_once, cache_key_init);
	c = pthread_getspecific(cache_key);
	if (c != NULL && strcmp(c->fonts_dir, fonts_dir) == 0) {
		*out = c;
		return LETTER_OK;
	}
	letter_render_release();
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return LETTER_ERR_NOMEM;
	if (snprintf(c->fonts_dir, sizeof(c->fonts_dir), "%s", fonts_dir) >=
	    (int)sizeof(c->fonts_dir)) {
		free(c);
		return LETTER_ERR_FONT;
	}
	if ((c->pdf = HPDF_New(hpdf_error, c)) == NULL) {
		free(c);
		return LETTER_ERR_NOMEM;
	}
	if (HPDF_SetCompressionMode(c->pdf, HPDF_COMP_ALL) != HPDF_OK ||
	    (rc = load_font(c, FONT_REGULAR, c->regular, sizeof(c->regular))) != LETTER_OK) {
		cache_free(c);
		return LETTER_ERR_FONT;
	}
	pthread_setspecific(cache_key, c);
	*out = c;
	return LETTER_OK;
}

/* ---- drawing ---- */

enum weight { W_REGULAR, W_BOLD };

struct pen {
	HPDF_Doc	pdf;
	HPDF_Page	page;
	HPDF_Font	font;
	float		y;	/* baseline of the next line */
	int		overflow;
};

static void
begin_text(struct pen *p, enum weight w, float size)
{
	HPDF_Page_BeginText(p->page);
	HPDF_Page_SetFontAndSize(p->page, p->font, size);
	if (w == W_BOLD) {
		HPDF_Page_SetTextRenderingMode(p->page, HPDF_FILL_THEN_STROKE);
		HPDF_Page_SetLineWidth(p->page, size * BOLD_STROKE);
	}
}

static void
end_text(struct pen *p, enum weight w)
{
	if (w == W_BOLD)
		HPDF_Page_SetTextRenderingMode(p->page, HPDF_FILL);
	HPDF_Page_EndText(p->page);
}

static void
text_at(struct pen *p, enum weight w, float size, float x, float y, const char *s)
{
	begin_text(p, w, size);
	HPDF_Page_TextOut(p->page, x, y, s);
	end_text(p, w);
}

static float
width_of(struct pen *p, float size, const char *s)
{
	return (float)HPDF_Font_TextWidth(p->font, (const HPDF_BYTE *)s,
	    (HPDF_UINT)strlen(s)).width * size / 1000.0f;
}

/* The size at which s fits width, at most size. */
static float
fit(struct pen *p, float size, const char *s, float width)
{
	float w = width_of(p, size, s);

	return w > width ? size * width / w : size;
}

/* Centred lines, wrapped at the text width; advances p->y by lead after each line. */
static void
centered(struct pen *p, enum weight w, float size, float lead, const char *s)
{
	char line[MAX_PARA];
	size_t len = strlen(s), off = 0;
	HPDF_UINT n;
	HPDF_REAL real;

	while (off < len) {
		while (s[off] == ' ')
			off++;
		if (off >= len)
			break;
		n = HPDF_Font_MeasureText(p->font, (const HPDF_BYTE *)s + off,
		    (HPDF_UINT)(len - off), TEXT_W, size, 0, 0, HPDF_TRUE, &real);
		if (n == 0)
			n = HPDF_Font_MeasureText(p->font, (const HPDF_BYTE *)s + off,
			    (HPDF_UINT)(len - off), TEXT_W, size, 0, 0, HPDF_FALSE, &real);
		if (n == 0)
			n = 1;
		memcpy(line, s + off, n);
		off += n;
		while (n > 0 && line[n - 1] == ' ')
			n--;
		line[n] = '\0';
		text_at(p, w, size, (PAGE_W - width_of(p, size, line)) / 2, p->y, line);
		p->y -= lead;
	}
}

/* Wraps text to width at x; justified except the last line. hang: indent of lines after
 * the first. */
static void
paragraph(struct pen *p, enum weight wt, float size, float lead, float x, float width,
    float hang, const char *text, int justify)
{
	char line[MAX_PARA];
	size_t len = strlen(text), off = 0;
	int first = 1;

	while (off < len) {
		float w = width - (first ? 0 : hang), real = 0;
		HPDF_UINT n;
		size_t end, spaces = 0, i;

		while (text[off] == ' ')
			off++;
		if (off >= len)
			break;
		n = HPDF_Font_MeasureText(p->font, (const HPDF_BYTE *)text + off,
		    (HPDF_UINT)(len - off), w, size, 0, 0, HPDF_TRUE, &real);
		if (n == 0)	/* one word wider than the line: break it anywhere */
			n = HPDF_Font_MeasureText(p->font, (const HPDF_BYTE *)text + off,
			    (HPDF_UINT)(len - off), w, size, 0, 0, HPDF_FALSE, &real);
		if (n == 0)
			n = 1;
		end = off + n;
		memcpy(line, text + off, n);
		while (n > 0 && line[n - 1] == ' ')
			n--;
		line[n] = '\0';
		if (p->y < FOOT_TOP)
			p->overflow = 1;
		for (i = 0; i < n; i++)
			spaces += line[i] == ' ';
		begin_text(p, wt, size);
		if (justify && end < len && spaces > 0)
			HPDF_Page_SetWordSpace(p->page,
			    (w - width_of(p, size, line)) / (float)spaces);
		else
			HPDF_Page_SetWordSpace(p->page, 0);
		HPDF_Page_TextOut(p->page, x + (first ? 0 : hang), p->y, line);
		end_text(p, wt);
		p->y -= lead;
		off = end;
		first = 0;
	}
	HPDF_Page_SetWordSpace(p->page, 0);
}

/* A paragraph of the template: "! " bold, "N. " hanging number. */
static void
template_para(struct pen *p, const char *para, float size, float lead)
{
	enum weight font = W_REGULAR;
	const char *s = para;
	size_t digits = 0;

	if (strncmp(s, "! ", 2) == 0) {
		font = W_BOLD;
		s += 2;
	}
	while (s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (digits > 0 && digits < 3 && s[digits] == '.' && s[digits + 1] == ' ') {
		char num[4];
		float hang = 18;

		memcpy(num, s, digits + 1);
		num[digits + 1] = '\0';
		text_at(p, font, size, MARGIN_L, p->y, num);
		paragraph(p, font, size, lead, MARGIN_L + hang, TEXT_W - hang, 0,
		    s + digits + 2, font == W_REGULAR);
	} else
		paragraph(p, font, size, lead, MARGIN_L, TEXT_W, 0, s, font == W_REGULAR);
	p->y -= lead * 0.45f;
}

static void
rule(struct pen *p, float y, float w)
{
	HPDF_Page_SetLineWidth(p->page, w);
	HPDF_Page_MoveTo(p->page, MARGIN_L, y);
	HPDF_Page_LineTo(p->page, PAGE_W - MARGIN_R, y);
	HPDF_Page_Stroke(p->page);
}

static void
draw_letterhead(struct pen *p, const struct buf *sec)
{
	const char *s = buf_str(sec), *end = s + sec->len;
	char line[MAX_PARA];
	int i = 0;
	static const float sizes[] = { 15, 12.5f, 10.5f };

	p->y = PAGE_H - MARGIN_T - 12;
	while (letter_next_line(&s, end, line, sizeof(line)) == 1) {
		float size = sizes[i < 2 ? i : 2];

		centered(p, i < 2 ? W_BOLD : W_REGULAR, size, size + 5, line);
		i++;
	}
	p->y += 4;
	rule(p, p->y, 1.6f);
	rule(p, p->y - 3, 0.5f);
	p->y -= 22;
}

static void
draw_ref_line(struct pen *p, const struct fact_kv *kv)
{
	char left[300], right[300];

	snprintf(left, sizeof(left), "No. %s", kv[0].value);
	snprintf(right, sizeof(right), "Dated: %s", kv[1].value);
	text_at(p, W_BOLD, 10.5f, MARGIN_L, p->y, left);
	text_at(p, W_REGULAR, 10.5f, PAGE_W - MARGIN_R - width_of(p, 10.5f, right),
	    p->y, right);
	p->y -= 22;
}

static void
draw_pairs(struct pen *p, const struct buf *sec)
{
	const char *s = buf_str(sec), *end = s + sec->len;
	char line[MAX_PARA], *label, *value;

	while (letter_next_line(&s, end, line, sizeof(line)) == 1) {
		if (letter_split_pair(line, &label, &value) != 0)
			continue;
		text_at(p, W_REGULAR, 10.5f, MARGIN_L, p->y, label);
		text_at(p, W_BOLD, 10.5f, MARGIN_L + 92, p->y, value);
		p->y -= 14;
	}
	p->y -= 8;
}

static void
draw_section(struct pen *p, const struct buf *sec, float size, float lead)
{
	const char *s = buf_str(sec), *end = s + sec->len;
	char para[MAX_PARA];

	while (letter_next_para(&s, end, para, sizeof(para)) == 1)
		template_para(p, para, size, lead);
}

/* The pay table: label | value rows in a ruled box; the last row (the consolidated
 * remuneration) in bold. */
static void
draw_pay_table(struct pen *p, const struct buf *sec)
{
	const char *s = buf_str(sec), *end = s + sec->len;
	char line[MAX_PARA], *label, *value;
	char rows[8][2][MAX_PARA / 8];
	int n = 0, i;
	float row_h = 18, x0 = MARGIN_L + 18, x2 = PAGE_W - MARGIN_R - 18, x1 = x2 - 118;
	float top = p->y + 12;

	while (n < 8 && letter_next_line(&s, end, line, sizeof(line)) == 1) {
		if (letter_split_pair(line, &label, &value) != 0)
			continue;
		snprintf(rows[n][0], sizeof(rows[n][0]), "%s", label);
		snprintf(rows[n][1], sizeof(rows[n][1]), "%s", value);
		n++;
	}
	HPDF_Page_SetLineWidth(p->page, 0.6f);
	HPDF_Page_SetRGBFill(p->page, 0.93f, 0.93f, 0.93f);
	if (n > 0) {
		HPDF_Page_Rectangle(p->page, x0, top - n * row_h, x2 - x0, row_h);
		HPDF_Page_Fill(p->page);
	}
	HPDF_Page_SetRGBFill(p->page, 0, 0, 0);
	HPDF_Page_Rectangle(p->page, x0, top - n * row_h, x2 - x0, n * row_h);
	HPDF_Page_Stroke(p->page);
	for (i = 1; i < n; i++) {
		HPDF_Page_MoveTo(p->page, x0, top - i * row_h);
		HPDF_Page_LineTo(p->page, x2, top - i * row_h);
	}
	HPDF_Page_MoveTo(p->page, x1, top);
	HPDF_Page_LineTo(p->page, x1, top - n * row_h);
	HPDF_Page_Stroke(p->page);
	for (i = 0; i < n; i++) {
		enum weight f = i == n - 1 ? W_BOLD : W_REGULAR;
		float y = top - i * row_h - 12.5f;

		if (top - (i + 1) * row_h < FOOT_TOP)
			p->overflow = 1;
		text_at(p, f, 10, x0 + 6, y, rows[i][0]);
		text_at(p, f, 10, x2 - 6 - width_of(p, 10, rows[i][1]), y, rows[i][1]);
	}
	p->y = top - n * row_h - 20;
}

/* The QR code as a 1-bit image with a 4-module quiet zone; the URL is plain ASCII. */
static int
draw_qr(struct pen *p, const char *url, float x, float y, float size)
{
	QRcode *qr;
	HPDF_Image img;
	unsigned char *bits = NULL;
	int w, W, line, r, c, rc = LETTER_ERR_PDF;

	if ((qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) == NULL)
		return LETTER_ERR_PDF;
	w = qr->width;
	W = w + 8;
	line = (W + 7) / 8;
	if ((bits = calloc((size_t)line, (size_t)W)) == NULL) {
		rc = LETTER_ERR_NOMEM;
		goto out;
	}
	for (r = 0; r < w; r++)
		for (c = 0; c < w; c++)
			if (qr->data[r * w + c] & 1)
				bits[(r + 4) * line + (c + 4) / 8] |=
				    (unsigned char)(0x80 >> ((c + 4) % 8));
	img = HPDF_Image_LoadRaw1BitImageFromMem(p->pdf, bits, (HPDF_UINT)W, (HPDF_UINT)W,
	    (HPDF_UINT)line, HPDF_FALSE, HPDF_TRUE);
	if (img != NULL && HPDF_Page_DrawImage(p->page, img, x, y, size, size) == HPDF_OK)
		rc = LETTER_OK;
out:
	free(bits);
	QRcode_free(qr);
	return rc;
}

void
letter_sig_lines(const char *signer_name, int64_t t, char l1[LETTER_SIG_LINE],
    char l2[LETTER_SIG_LINE], char l3[LETTER_SIG_LINE])
{
	char iso[26];

	time_iso_ist(t, iso);	/* 2026-11-22T15:30:00+05:30 */
	snprintf(l1, LETTER_SIG_LINE, "Digitally signed by");
	snprintf(l2, LETTER_SIG_LINE, "%s", signer_name);
	snprintf(l3, LETTER_SIG_LINE, "Date: %.10s %.8s IST", iso, iso + 11);
}

/* Bottom of the page: QR and verification note on the left, signature block on the
 * right with the rectangle the signature widget will cover. */
static int
draw_foot(struct pen *p, const struct tmpl *t, const struct fact_kv *kv,
    const struct letter_facts *f, float rect[4], float *name_pt)
{
	const char *s = buf_str(&t->sec[S_SIGNATURE]), *end = s + t->sec[S_SIGNATURE].len;
	char line[MAX_PARA], utf_name[LETTER_SIG_LINE];
	float qr = 78, sx = PAGE_W - MARGIN_R - 190, y;
	int first = 1, rc;

	/* signature block: widget box, then the names under it */
	rect[0] = sx;
	rect[1] = 118;
	rect[2] = PAGE_W - MARGIN_R;
	rect[3] = 160;
	/* the signer draws the block with this font (embedded whole): it must be printable */
	if (text_to_winansi(f->hod_name, utf_name, sizeof(utf_name)) != 0)
		return LETTER_ERR_FACTS;
	y = 104;
	while (letter_next_line(&s, end, line, sizeof(line)) == 1) {
		text_at(p, first ? W_BOLD : W_REGULAR,
		    fit(p, first ? 10.5f : 9.5f, line, PAGE_W - MARGIN_R - sx), sx, y, line);
		y -= first ? 13 : 12;
		first = 0;
	}
	/* the signer's name in the signature block, sized here where the metrics are */
	*name_pt = fit(p, 10, utf_name, rect[2] - rect[0] - 14);
	/* verification: QR and the note beside it */
	if ((rc = draw_qr(p, kv[18].value, MARGIN_L - 6, 62, qr)) != LETTER_OK)
		return rc;
	{
		struct pen q = *p;
		const char *vs = buf_str(&t->sec[S_VERIFY]);
		const char *ve = vs + t->sec[S_VERIFY].len;
		char para[MAX_PARA];

		q.y = 128;
		while (letter_next_para(&vs, ve, para, sizeof(para)) == 1)
			paragraph(&q, W_REGULAR, 7.5f, 9.5f, MARGIN_L + qr, sx - MARGIN_L - qr - 14,
			    0, para, 0);
	}
	rule(p, 46, 0.4f);
	/* the footer lines are never wrapped, so the address stays whole (and copyable) */
	s = buf_str(&t->sec[S_FOOTER]);
	end = s + t->sec[S_FOOTER].len;
	for (y = 36; letter_next_line(&s, end, line, sizeof(line)) == 1; y -= 9)
		text_at(p, W_REGULAR, 7, MARGIN_L, y, line);
	return LETTER_OK;
}

/* Reads "/Size N" and "startxref\nM" from libharu's trailer and checks "/Root R 0 R". */
static int
parse_trailer(const struct buf *pdf, struct letter_layout *lay)
{
	const char *tail, *p;
	size_t from = pdf->len > 400 ? pdf->len - 400 : 0;
	char num[16], root[32];
	int64_t v;
	size_t n;

	tail = pdf->data + from;
	if ((p = memmem(tail, pdf->len - from, "\ntrailer\n", 9)) == NULL)
		return -1;
	snprintf(root, sizeof(root), "/Root %u 0 R\n", lay->catalog_obj);
	if (memmem(p, pdf->len - (size_t)(p - pdf->data), root, strlen(root)) == NULL)
		return -1;
	if ((p = memmem(p, pdf->len - (size_t)(p - pdf->data), "/Size ", 6)) == NULL)
		return -1;
	p += 6;
	for (n = 0; n < sizeof(num) - 1 && p[n] >= '0' && p[n] <= '9'; n++)
		num[n] = p[n];
	num[n] = '\0';
	if (strict_int64(num, 1, 100000, &v) != 0)
		return -1;
	lay->base_size = (unsigned)v;
	if ((p = memmem(p, pdf->len - (size_t)(p - pdf->data), "startxref\n", 10)) == NULL)
		return -1;
	p += 10;
	for (n = 0; n < sizeof(num) - 1 && p[n] >= '0' && p[n] <= '9'; n++)
		num[n] = p[n];
	num[n] = '\0';
	if (strict_int64(num, 1, (int64_t)pdf->len, &v) != 0)
		return -1;
	lay->base_xref = (size_t)v;
	return memcmp(pdf->data + lay->base_xref, "xref\n", 5) == 0 ? 0 : -1;
}

static unsigned
obj_num(void *obj)
{
	return ((HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

static int
save(struct render_cache *c, struct buf *pdf)
{
	HPDF_UINT32 size, got;
	size_t at = pdf->len;

	if (HPDF_SaveToStream(c->pdf) != HPDF_OK)
		return LETTER_ERR_PDF;
	size = HPDF_GetStreamSize(c->pdf);
	if (size == 0)
		return LETTER_ERR_PDF;
	/* grow by appending zeros, then read over them */
	{
		static const char zeros[4096];
		HPDF_UINT32 left = size;

		while (left > 0) {
			HPDF_UINT32 k = left > sizeof(zeros) ? (HPDF_UINT32)sizeof(zeros) : left;

			if (buf_append(pdf, zeros, k) != 0)
				return LETTER_ERR_NOMEM;
			left -= k;
		}
	}
	HPDF_ResetStream(c->pdf);
	got = size;
	if (HPDF_ReadFromStream(c->pdf, (HPDF_BYTE *)pdf->data + at, &got) != HPDF_OK &&
	    got != size)
		return LETTER_ERR_PDF;
	return got == size ? LETTER_OK : LETTER_ERR_PDF;
}

static int
set_info(HPDF_Doc pdf, const struct letter_facts *f, const struct fact_kv *kv)
{
	char title[300], tmp[300];
	HPDF_Date d;
	int64_t t = f->issued_at + IST_OFFSET;
	int y, m, dd;

	snprintf(title, sizeof(title), "Offer letter %s", f->ref);
	date_to_ymd((int32_t)(t / 86400), &y, &m, &dd);
	memset(&d, 0, sizeof(d));
	d.year = y;
	d.month = m;
	d.day = dd;
	d.hour = (int)(t % 86400 / 3600);
	d.minutes = (int)(t % 3600 / 60);
	d.seconds = (int)(t % 60);
	d.ind = '+';
	d.off_hour = 5;
	d.off_minutes = 30;
	if (text_to_winansi(kv[16].value, tmp, sizeof(tmp)) != 0)
		return LETTER_ERR_FACTS;
	if (HPDF_SetInfoAttr(pdf, HPDF_INFO_TITLE, title) != HPDF_OK ||
	    HPDF_SetInfoAttr(pdf, HPDF_INFO_SUBJECT, f->ref) != HPDF_OK ||
	    HPDF_SetInfoAttr(pdf, HPDF_INFO_AUTHOR, tmp) != HPDF_OK ||
	    HPDF_SetInfoAttr(pdf, HPDF_INFO_CREATOR, "suraksha") != HPDF_OK ||
	    HPDF_SetInfoDateAttr(pdf, HPDF_INFO_CREATION_DATE, d) != HPDF_OK)
		return LETTER_ERR_PDF;
	return LETTER_OK;
}

/* Appends the update that embeds the font program: a FontFile2 stream and libharu's font
 * descriptor re-emitted to point at it. */
static int
embed_font(struct render_cache *c, HPDF_Font font, struct buf *pdf, struct letter_layout *lay)
{
	HPDF_FontDef def = ((HPDF_FontAttr)font->attr)->fontdef;
	struct pdfupd_base base = { lay->base_xref, lay->base_size };
	struct pdfupd u;
	char extra[64];
	unsigned ff = lay->base_size, desc;

	if (def == NULL || def->descriptor == NULL ||
	    !(def->descriptor->header.obj_id & HPDF_OTYPE_INDIRECT))
		return LETTER_ERR_PDF;
	desc = def->descriptor->header.obj_id & 0x00FFFFFF;
	pdfupd_begin(&u, pdf);
	if (pdfupd_obj(&u, ff) != 0 ||
	    buf_printf(pdf, "%u 0 obj\n<<\n/Length %zu\n/Length1 %zu\n/Filter /FlateDecode\n>>\n"
	    "stream\r\n", ff, c->font_z_len, c->font_len) != 0 ||
	    buf_append(pdf, c->font_z, c->font_z_len) != 0 ||
	    buf_puts(pdf, "\r\nendstream\nendobj\n") != 0 ||
	    snprintf(extra, sizeof(extra), "/FontFile2 %u 0 R\n", ff) >= (int)sizeof(extra) ||
	    pdfupd_reemit(&u, &base, desc, extra, "/FontFile") != 0 ||
	    pdfupd_finish(&u, ff + 1, lay->catalog_obj, lay->info_obj, lay->base_xref,
	    &lay->startxref) != 0) {
		pdfupd_abort(&u);
		return LETTER_ERR_PDF;
	}
	lay->size = ff + 1;
	return LETTER_OK;
}

int
letter_render(const struct letter_config *cfg, const struct letter_facts *f, struct buf *pdf,
    struct letter_layout *layout)
{
	struct render_cache *c;
	struct fact_kv kv[N_FACTS];
	struct tmpl t;
	struct pen p;
	const char *tpath = cfg && cfg->template_path ? cfg->template_path :
	    "templates/letter.txt";
	const char *fdir = cfg && cfg->fonts_dir ? cfg->fonts_dir : "fonts";
	int rc, fit_try;

	memset(layout, 0, sizeof(*layout));
	if (pdf->len != 0)
		return LETTER_ERR_PDF;
	if (f == NULL || letter_facts_check(f) != 0 || letter_facts_table(f, kv) != 0)
		return LETTER_ERR_FACTS;
	if ((rc = letter_tmpl_load(tpath, kv, N_FACTS, &t)) != LETTER_OK)
		return rc;
	if ((rc = cache_get(fdir, &c)) != LETTER_OK)
		goto out;
	/* Long names (an office, a department, a post) can push the terms past the foot: the
	 * terms are then set a little tighter, twice at most, before the letter is refused. */
	for (fit_try = 0; fit_try < 3; fit_try++) {
		rc = LETTER_ERR_PDF;
		c->last_error = 0;
		if (HPDF_NewDoc(c->pdf) != HPDF_OK)
			goto out;
		memset(&p, 0, sizeof(p));
		p.pdf = c->pdf;
		if ((rc = set_info(c->pdf, f, kv)) != LETTER_OK)
			goto out;
		rc = LETTER_ERR_PDF;
		if ((p.page = HPDF_AddPage(c->pdf)) == NULL ||
		    HPDF_Page_SetSize(p.page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT) != HPDF_OK ||
		    (p.font = HPDF_GetFont(c->pdf, c->regular, "WinAnsiEncoding")) == NULL)
			goto out;
		draw_letterhead(&p, &t.sec[S_LETTERHEAD]);
		draw_ref_line(&p, kv);
		draw_pairs(&p, &t.sec[S_ADDRESSEE]);
		draw_section(&p, &t.sec[S_SUBJECT], 10.5f, 13.5f);
		p.y -= 2;
		draw_section(&p, &t.sec[S_BODY], 10.5f, 14);
		p.y -= 4;
		draw_pay_table(&p, &t.sec[S_PAY]);
		draw_section(&p, &t.sec[S_TERMS], 9.5f - 0.5f * (float)fit_try,
		    12.5f - 1.0f * (float)fit_try);
		if (!p.overflow)
			break;
	}
	/* checked before the foot: libharu leaks the QR image's filter parameters of a
	 * document that is never saved */
	if (p.overflow) {
		rc = LETTER_ERR_OVERFLOW;
		goto out;
	}
	if ((rc = draw_foot(&p, &t, kv, f, layout->sig_rect, &layout->sig_name_pt)) != LETTER_OK)
		goto out;
	if (c->last_error != 0) {
		rc = LETTER_ERR_PDF;
		goto out;
	}
	layout->catalog_obj = obj_num(c->pdf->catalog);
	layout->page_obj = obj_num(p.page);
	layout->info_obj = obj_num(c->pdf->info);
	layout->font_obj = obj_num(p.font);
	if ((rc = save(c, pdf)) != LETTER_OK)
		goto out;
	if (parse_trailer(pdf, layout) != 0) {
		log_error("letters: unexpected trailer in libharu output");
		rc = LETTER_ERR_PDF;
		goto out;
	}
	rc = embed_font(c, p.font, pdf, layout);
out:
	if (rc != LETTER_OK)
		buf_reset(pdf);
	letter_tmpl_free(&t);
	return rc;
}
