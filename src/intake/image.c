/* JPEG and PNG validation: dimensions are read from the header and capped before any
 * pixel is decoded (a 100-byte file can declare a 4-gigapixel image), then every row is
 * decoded with warnings promoted to errors, and not one byte may follow EOI / IEND. Rows
 * are decoded into one row buffer: we only need to know the image decodes.
 *
 * Memory: a single-scan (baseline) JPEG decodes one band of rows at a time, at most a few
 * MB for the widest JPEG (65,500 pixels), so it is decoded in the server. A JPEG with
 * several scans (progressive, or one scan per component) makes libjpeg keep every DCT
 * coefficient of the image, 2 bytes per pixel per component (240 MB for a 40 Mpx colour
 * image); above a small budget it is decoded in a limited child (isolate.c). Every PNG
 * goes to a child too: interlacing itself costs nothing here (passes are read row by row
 * into one row buffer), but libpng's row buffers grow with the width, which the pixel cap
 * allows up to 40 million pixels (320 MB a row at 16-bit RGBA, and libpng holds two), and
 * libpng keeps every text chunk it inflated (up to 255 of 4 MB: 1 GB from a 1 MB file).
 * Bounding those in-process would mean refusing valid files; the child bounds them all. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include "intake/intake_int.h"

/* A progressive JPEG may carry any number of scans, each one a full pass of work;
 * libjpeg-turbo's own tools cap them the same way. */
#define JPEG_MAX_SCANS 500
/* Memory libjpeg may take for a multi-scan image's coefficients when no image memory limit
 * is set (it has no backing store, so a larger need fails cleanly); otherwise that limit.
 * 40 Mpx x 3 components x 2 bytes, with room to spare. */
#define JPEG_MAX_MEMORY (320L * 1024 * 1024)
/* Coefficient memory a multi-scan JPEG may take in the server itself; above it the decode
 * goes to a child. Eight uploads at once stay within 16 MB; a 0.3 Mpx colour progressive
 * image (a typical web picture) still decodes in-process, without a fork. */
#define JPEG_INPROCESS_COEF_MAX (2u * 1024 * 1024)
/* Ancillary PNG chunks (text, ICC profiles) are bounded in size and count. */
#define PNG_CHUNK_MALLOC_MAX (4u * 1024 * 1024)
#define PNG_CHUNK_CACHE_MAX 256

struct jerr {
	struct jpeg_error_mgr	pub;
	jmp_buf			jb;
	char			msg[JMSG_LENGTH_MAX];
};

static void
jpeg_fail(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;

	c->err->format_message(c, e->msg);
	longjmp(e->jb, 1);
}

/* Level -1 is a warning: libjpeg "recovers" from corrupt data with one, we refuse. */
static void
jpeg_message(j_common_ptr c, int level)
{
	if (level < 0)
		jpeg_fail(c);
}

static void
jpeg_progress(j_common_ptr c)
{
	j_decompress_ptr d = (j_decompress_ptr)c;

	if (c->is_decompressor && d->input_scan_number > JPEG_MAX_SCANS) {
		snprintf(((struct jerr *)c->err)->msg, JMSG_LENGTH_MAX, "more than %d scans",
		    JPEG_MAX_SCANS);
		longjmp(((struct jerr *)c->err)->jb, 2);
	}
}

/* A libjpeg source reading the upload's file with pread, for a decode in the server: the
 * file's mapping would put every page of it in the server's RSS (20 MB per upload, one per
 * worker thread), a 64 KB buffer does not. End of data behaves as jpeg_mem_src: a warning
 * (which we make an error) and a fake EOI. */
#define JPEG_FD_BUF (64u * 1024)

struct fd_src {
	struct jpeg_source_mgr	 pub;
	int			 fd;
	uint64_t		 off, len;	/* next file offset to read; file size */
	JOCTET			*buf;
};

static void
fd_src_init(j_decompress_ptr c)
{
	(void)c;
}

static boolean
fd_src_fill(j_decompress_ptr c)
{
	static const JOCTET eoi[2] = { 0xFF, JPEG_EOI };
	struct fd_src *s = (struct fd_src *)c->src;
	uint64_t want = s->len - s->off < JPEG_FD_BUF ? s->len - s->off : JPEG_FD_BUF;
	ssize_t n = 0;

	if (want > 0) {
		do
			n = pread(s->fd, s->buf, (size_t)want, (off_t)s->off);
		while (n < 0 && errno == EINTR);
	}
	if (n <= 0) {
		WARNMS(c, JWRN_JPEG_EOF);
		s->pub.next_input_byte = eoi;
		s->pub.bytes_in_buffer = 2;
		return TRUE;
	}
	s->off += (uint64_t)n;
	s->pub.next_input_byte = s->buf;
	s->pub.bytes_in_buffer = (size_t)n;
	return TRUE;
}

static void
fd_src_skip(j_decompress_ptr c, long n)
{
	struct jpeg_source_mgr *p = c->src;

	if (n <= 0)
		return;
	while ((size_t)n > p->bytes_in_buffer) {
		n -= (long)p->bytes_in_buffer;
		(void)fd_src_fill(c);
	}
	p->next_input_byte += n;
	p->bytes_in_buffer -= (size_t)n;
}

static void
fd_src_term(j_decompress_ptr c)
{
	(void)c;
}

static void
jpeg_fd_src(j_decompress_ptr c, int fd, uint64_t len)
{
	struct fd_src *s = (*c->mem->alloc_small)((j_common_ptr)c, JPOOL_PERMANENT,
	    sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->buf = (*c->mem->alloc_small)((j_common_ptr)c, JPOOL_PERMANENT, JPEG_FD_BUF);
	s->fd = fd;
	s->len = len;
	s->pub.init_source = fd_src_init;
	s->pub.fill_input_buffer = fd_src_fill;
	s->pub.skip_input_data = fd_src_skip;
	s->pub.resync_to_restart = jpeg_resync_to_restart;
	s->pub.term_source = fd_src_term;
	c->src = &s->pub;
}

/* Bytes of the input not consumed by the decoder. */
static uint64_t
jpeg_unread(j_decompress_ptr c, int fd)
{
	const struct fd_src *s = (const struct fd_src *)c->src;

	if (fd < 0)
		return c->src->bytes_in_buffer;
	return c->src->bytes_in_buffer + (s->len - s->off);
}

/* What libjpeg will allocate for the coefficients of the whole image when it has several
 * scans (jdcoefct.c: one block array per component, its sides rounded up to the sampling
 * factor; adding the factor over-estimates by at most one unit); 0 for a single scan,
 * which needs none. Valid after jpeg_read_header. */
static uint64_t
jpeg_coef_bytes(j_decompress_ptr c)
{
	uint64_t total = 0, w, h;
	int i;

	if (!jpeg_has_multiple_scans(c))
		return 0;
	for (i = 0; i < c->num_components; i++) {
		w = c->comp_info[i].width_in_blocks + (unsigned)c->comp_info[i].h_samp_factor;
		h = c->comp_info[i].height_in_blocks + (unsigned)c->comp_info[i].v_samp_factor;
		total += w * h * sizeof(JBLOCK);
	}
	return total;
}

/* The strict decode. With may_isolate set, a multi-scan image above the in-process budget
 * is not decoded: *isolate is set and the caller sends it to a child. fd (-1 or the file
 * d is mapped from) is read instead of d when set. */
static enum intake_code
jpeg_run(const unsigned char *d, size_t len, int fd, const struct intake_limits *lim,
    struct intake_result *res, int may_isolate, int *isolate)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_progress_mgr prog;
	struct jerr err;
	JSAMPARRAY row;
	volatile enum intake_code code = INTAKE_OK;
	uint64_t pixels;

	res->type = INTAKE_TYPE_JPEG;
	memset(&cinfo, 0, sizeof(cinfo));
	memset(&prog, 0, sizeof(prog));
	cinfo.err = jpeg_std_error(&err.pub);
	err.pub.error_exit = jpeg_fail;
	err.pub.emit_message = jpeg_message;
	err.msg[0] = '\0';
	*isolate = 0;
	if (setjmp(err.jb)) {
		/* Out of memory is the image's size, not damage (in a child: its limit). */
		if (err.pub.msg_code == JERR_OUT_OF_MEMORY ||
		    err.pub.msg_code == JERR_NO_BACKING_STORE)
			code = intake_fail(res, INTAKE_IMAGE_TOO_COMPLEX, "libjpeg: %s", err.msg);
		else
			code = intake_fail(res, INTAKE_IMAGE_CORRUPT, "libjpeg: %s", err.msg);
		goto out;
	}
	jpeg_create_decompress(&cinfo);
	cinfo.mem->max_memory_to_use = lim->image_memory_max_bytes != 0 &&
	    lim->image_memory_max_bytes < (uint64_t)LONG_MAX ?
	    (long)lim->image_memory_max_bytes : JPEG_MAX_MEMORY;
	prog.progress_monitor = jpeg_progress;
	cinfo.progress = &prog;
	if (fd >= 0)
		jpeg_fd_src(&cinfo, fd, len);
	else
		jpeg_mem_src(&cinfo, d, (unsigned long)len);
	jpeg_read_header(&cinfo, TRUE);
	pixels = (uint64_t)cinfo.image_width * cinfo.image_height;
	if (pixels > lim->image_max_pixels) {
		code = intake_fail(res, INTAKE_IMAGE_TOO_LARGE, "%ux%u pixels",
		    cinfo.image_width, cinfo.image_height);
		goto out;
	}
	if (may_isolate && jpeg_coef_bytes(&cinfo) > JPEG_INPROCESS_COEF_MAX) {
		*isolate = 1;
		goto out;
	}
	cinfo.dct_method = JDCT_IFAST;
	cinfo.do_fancy_upsampling = FALSE;
	jpeg_start_decompress(&cinfo);
	row = (*cinfo.mem->alloc_sarray)((j_common_ptr)&cinfo, JPOOL_IMAGE,
	    cinfo.output_width * cinfo.output_components, 1);
	while (cinfo.output_scanline < cinfo.output_height)
		jpeg_read_scanlines(&cinfo, row, 1);
	jpeg_finish_decompress(&cinfo);
	if (jpeg_unread(&cinfo, fd) != 0)
		code = intake_fail(res, INTAKE_TRAILING_DATA, "%llu bytes after EOI",
		    (unsigned long long)jpeg_unread(&cinfo, fd));
out:
	jpeg_destroy_decompress(&cinfo);
	return code;
}

enum intake_code
intake_jpeg_check(const unsigned char *d, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	int isolate;

	return jpeg_run(d, len, -1, lim, res, 0, &isolate);
}

enum intake_code
intake_image_check(enum intake_type type, const unsigned char *d, size_t len, int fd,
    const struct intake_limits *lim, struct intake_result *res)
{
	enum intake_code code;
	int isolate = 0;

	if (type == INTAKE_TYPE_PNG)
		return intake_check_isolated(INTAKE_CHECK_PNG, d, len, fd, lim, res);
	code = jpeg_run(d, len, fd, lim, res, lim->image_memory_max_bytes != 0, &isolate);
	if (!isolate)
		return code;
	return intake_check_isolated(INTAKE_CHECK_JPEG, d, len, fd, lim, res);
}

struct png_src {
	const unsigned char	*d;
	size_t			 len, pos;
	int			 oom;	/* an allocation failed: the image is too big, not damaged */
	char			 msg[160];
};

static png_voidp
png_alloc(png_structp png, png_alloc_size_t n)
{
	struct png_src *s = png_get_mem_ptr(png);
	void *p = malloc(n);

	if (p == NULL)
		s->oom = 1;
	return p;
}

static void
png_release(png_structp png, png_voidp p)
{
	(void)png;
	free(p);
}

static void
png_fail(png_structp png, png_const_charp msg)
{
	struct png_src *s = png_get_error_ptr(png);

	snprintf(s->msg, sizeof(s->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void
png_read_mem(png_structp png, png_bytep out, size_t n)
{
	struct png_src *s = png_get_io_ptr(png);

	if (n > s->len - s->pos)
		png_error(png, "file cut short");
	memcpy(out, s->d + s->pos, n);
	s->pos += n;
}

/* Markup in the text chunks libpng inflated (zTXt, compressed iTXt): the raw scan cannot
 * see inside them. */
static enum intake_code
png_text_check(png_structp png, png_infop info, struct intake_result *res)
{
	png_textp text = NULL;
	int n = 0, i;
	size_t tl;

	if (png_get_text(png, info, &text, &n) <= 0 || text == NULL)
		return INTAKE_OK;
	for (i = 0; i < n; i++) {
		if (text[i].text == NULL)
			continue;
		tl = text[i].compression > 0 ? text[i].itxt_length : text[i].text_length;
		if (tl == 0)
			tl = strlen(text[i].text);
		if (intake_markup_check((const unsigned char *)text[i].text, tl, 0, res) !=
		    INTAKE_OK)
			return res->code;
	}
	return INTAKE_OK;
}

enum intake_code
intake_png_check(const unsigned char *d, size_t len, const struct intake_limits *lim,
    struct intake_result *res)
{
	struct png_src src = { d, len, 0, 0, "" };
	png_structp png = NULL;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	volatile enum intake_code code = INTAKE_OK;
	png_uint_32 w, h, y;
	int passes, p;

	res->type = INTAKE_TYPE_PNG;
	/* The IHDR must be the first chunk; its size is checked here so that a side beyond
	 * libpng's own limits is reported as too large rather than as damage. */
	if (len >= 24 && memcmp(d + 12, "IHDR", 4) == 0) {
		w = (png_uint_32)d[16] << 24 | (png_uint_32)d[17] << 16 | d[18] << 8 | d[19];
		h = (png_uint_32)d[20] << 24 | (png_uint_32)d[21] << 16 | d[22] << 8 | d[23];
		if ((uint64_t)w * h > lim->image_max_pixels)
			return intake_fail(res, INTAKE_IMAGE_TOO_LARGE, "%ux%u pixels", w, h);
	}
	/* Warnings take the error path: libpng keeps going after bad ancillary CRCs and
	 * other damage when they are only warnings. */
	png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &src, png_fail, png_fail, &src,
	    png_alloc, png_release);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		code = intake_fail(res, INTAKE_INTERNAL, "png_create_read_struct");
		goto out;
	}
	if (setjmp(png_jmpbuf(png))) {
		code = intake_fail(res, src.oom ? INTAKE_IMAGE_TOO_COMPLEX : INTAKE_IMAGE_CORRUPT,
		    "libpng: %s", src.msg);
		goto out;
	}
	png_set_read_fn(png, &src, png_read_mem);
	png_set_benign_errors(png, 0);
	png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
	png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
	png_set_chunk_malloc_max(png, PNG_CHUNK_MALLOC_MAX);
	png_set_chunk_cache_max(png, PNG_CHUNK_CACHE_MAX);
	png_read_info(png, info);
	w = png_get_image_width(png, info);
	h = png_get_image_height(png, info);
	if ((uint64_t)w * h > lim->image_max_pixels) {
		code = intake_fail(res, INTAKE_IMAGE_TOO_LARGE, "%ux%u pixels", w, h);
		goto out;
	}
	passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	row = malloc(png_get_rowbytes(png, info));
	if (row == NULL) {
		code = intake_fail(res, INTAKE_IMAGE_TOO_COMPLEX, "no memory for a row of %zu bytes",
		    (size_t)png_get_rowbytes(png, info));
		goto out;
	}
	for (p = 0; p < passes; p++)
		for (y = 0; y < h; y++)
			png_read_row(png, row, NULL);
	png_read_end(png, info);
	if (src.pos != len)
		code = intake_fail(res, INTAKE_TRAILING_DATA, "%zu bytes after IEND",
		    len - src.pos);
	else
		code = png_text_check(png, info, res);
out:
	free(row);
	if (png != NULL)
		png_destroy_read_struct(&png, info ? &info : NULL, NULL);
	return code;
}
