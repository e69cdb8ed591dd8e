/* File operations shared by the routes that serve files: the owner's
 * download, a share recipient's, and a public link's. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "json.h"
#include "log.h"
#include "range.h"
#include "app.h"
#include "sql.h"

json_object *
files_json(const struct db_res *res, size_t i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_col_int(res, i, F_ID));
	json_object_object_add(o, "name", json_col(res, i, F_NAME));
	json_object_object_add(o, "size", json_col_int(res, i, F_SIZE));
	json_object_object_add(o, "mime_type", json_col(res, i, F_MIME));
	json_object_object_add(o, "folder_id", json_col_int(res, i, F_FOLDER));
	json_object_object_add(o, "created_at", json_col(res, i, F_CREATED));
	json_object_object_add(o, "updated_at", json_col(res, i, F_UPDATED));
	return o;
}

/* RFC 6266 + RFC 8187: an ASCII fallback and the exact UTF-8 name. */
void
files_disposition(struct http *h, const char *name)
{
	static const char attr[] = "!#$&+-.^_`|~";
	size_t n = strlen(name), i, o = 0, e = 0;
	char *ascii = xmalloc(n + 1), *enc = xmalloc(n * 3 + 1);

	for (i = 0; i < n; i++) {
		unsigned char c = name[i];

		ascii[o++] = (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ?
		    '_' : c;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || (c && strchr(attr, c)))
			enc[e++] = c;
		else
			e += sprintf(enc + e, "%%%02X", c);
	}
	ascii[o] = enc[e] = '\0';
	http_set_header(h, "Content-Disposition",
	    "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
	free(ascii);
	free(enc);
}

static void
set_last_modified(struct http *h, const char *updated)
{
	char buf[64];
	long long t;
	struct tm tm;
	time_t tt;

	if (updated == NULL || time_parse(updated, &t) == -1)
		return;
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	http_set_header(h, "Last-Modified", "%s", buf);
}

/* If-None-Match: a list of entity tags or "*" (RFC 9110 §13.1.2). */
static int
etag_matches(const char *inm, const char *etag)
{
	const char *p = inm;
	size_t n = strlen(etag);

	if (inm == NULL)
		return 0;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (strncmp(p, etag, n) == 0 &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		p += strcspn(p, ",");
	}
	return 0;
}

struct send {
	struct req	*r;
	int		 status;
	int		 started;
	int		 sink_failed;	/* the client went away */
};

/* Called only with bytes whose segment tag has been verified. */
static int
send_sink(void *arg, const void *buf, size_t n)
{
	struct send *s = arg;

	if (!s->started) {
		s->started = 1;
		if (http_send_headers(s->r->http, s->status) == -1) {
			s->sink_failed = 1;
			return -1;
		}
	}
	if (http_write(s->r->http, buf, n) == 0)
		return 0;
	s->sink_failed = 1;
	return -1;
}

int
files_send(struct req *r, const struct db_res *res)
{
	struct fs_file f;

	if (db_len(res, 0, F_BLOB) != 16)
		return reply_internal(r);
	fs_file_from_row(res, 0, &f);
	return files_send_file(r, &f);
}

int
files_send_file(struct req *r, const struct fs_file *f)
{
	struct http *h = r->http;
	const unsigned char *id = f->blob;
	long long size = f->size;
	uint64_t first = 0, last = size ? (uint64_t)size - 1 : 0, len;
	struct fs_reader *rd = NULL;
	struct send s = { r, 200, 0, 0 };
	const char *why;
	enum fs_err fe;
	char etag[40], *hex;
	unsigned char tag[31], mac[32];
	size_t mark;

	mark = http_headers_mark(h);
	/* A keyed hash of the blob id: it changes with the content but
	 * does not reveal the name of the blob on disk. */
	memcpy(tag, "tcloud etag v1|", 15);
	memcpy(tag + 15, id, 16);
	crypto_hmac_sha256(r->app->jwt_key, r->app->jwt_keylen, tag,
	    sizeof(tag), mac);
	hex = crypto_hex(mac, 16);
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	free(hex);
	if (etag_matches(http_header(h, "If-None-Match"), etag)) {
		http_set_header(h, "ETag", "%s", etag);
		http_send_headers(h, 304);
		return 304;
	}
	len = (uint64_t)size;
	switch (range_parse(http_header(h, "Range"), (uint64_t)size, &first,
	    &last)) {
	case RANGE_UNSATISFIABLE:
		http_set_header(h, "Content-Range", "bytes */%lld", size);
		return reply_error(r, 416, "range_not_satisfiable",
		    "The requested range is outside the file (%lld bytes).",
		    size);
	case RANGE_OK:
		s.status = 206;
		len = last - first + 1;
		http_set_header(h, "Content-Range", "bytes %llu-%llu/%lld",
		    (unsigned long long)first, (unsigned long long)last, size);
		break;
	case RANGE_NONE:
		first = 0;
		break;
	}
	/* Open and authenticate before any header: a wrong key or a corrupt
	 * blob is still a JSON 500 (SPEC §5). */
	if (fs_open(r->app, f, &rd, &why) != FS_OK) {
		log_err("blob of file %lld: %s", f->id, why);
		return reply_internal(r);
	}
	http_set_header(h, "Content-Type", "%s", f->mime);
	http_set_header(h, "Content-Length", "%llu", (unsigned long long)len);
	files_disposition(h, f->name);
	http_set_header(h, "ETag", "%s", etag);
	set_last_modified(h, f->updated);
	http_set_header(h, "Accept-Ranges", "bytes");
	http_set_header(h, "Cache-Control", "private, no-cache");
	http_set_header(h, "X-Content-Type-Options", "nosniff");
	if (h->head || len == 0) {
		http_send_headers(h, s.status);
		goto done;
	}
	fe = fs_read(rd, first, len, send_sink, &s, &why);
	if (fe != FS_OK && !s.started) {
		log_err("read blob of file %lld: %s", f->id, why);
		fs_close(rd);
		/* One clean JSON error: none of the file's headers. */
		http_headers_reset(h, mark);
		return reply_internal(r);
	}
	if (fe != FS_OK && !s.sink_failed) {
		/* Headers are out: abort the connection so the client sees an
		 * error, never bad bytes nor a clean short end. */
		log_err("blob of file %lld failed mid-stream: %s; response cut",
		    f->id, why);
		http_abort(h);
	}
done:
	fs_close(rd);
	return s.status;
}
