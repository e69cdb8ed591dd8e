/* Media types by extension, from the IANA registry where a type is
 * registered and the common x- type where none is. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

#define OCTET	"application/octet-stream"
#define MIME_MAX 255

struct mime {
	const char	*ext;
	const char	*type;
};

/* Sorted by extension (lower case, strcmp order) for bsearch. */
static const struct mime mimes[] = {
	{ "7z",		"application/x-7z-compressed" },
	{ "aac",	"audio/aac" },
	{ "avi",	"video/x-msvideo" },
	{ "avif",	"image/avif" },
	{ "bmp",	"image/bmp" },
	{ "bz2",	"application/x-bzip2" },
	{ "c",		"text/x-c" },
	{ "css",	"text/css" },
	{ "csv",	"text/csv" },
	{ "db",		"application/vnd.sqlite3" },
	{ "doc",	"application/msword" },
	{ "docx",	"application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
	{ "eml",	"message/rfc822" },
	{ "epub",	"application/epub+zip" },
	{ "flac",	"audio/flac" },
	{ "gif",	"image/gif" },
	{ "gz",		"application/gzip" },
	{ "h",		"text/x-c" },
	{ "heic",	"image/heic" },
	{ "htm",	"text/html" },
	{ "html",	"text/html" },
	{ "ico",	"image/vnd.microsoft.icon" },
	{ "ics",	"text/calendar" },
	{ "iso",	"application/x-iso9660-image" },
	{ "jar",	"application/java-archive" },
	{ "jpeg",	"image/jpeg" },
	{ "jpg",	"image/jpeg" },
	{ "js",		"text/javascript" },
	{ "json",	"application/json" },
	{ "log",	"text/plain" },
	{ "m4a",	"audio/mp4" },
	{ "md",		"text/markdown" },
	{ "mjs",	"text/javascript" },
	{ "mkv",	"video/x-matroska" },
	{ "mov",	"video/quicktime" },
	{ "mp3",	"audio/mpeg" },
	{ "mp4",	"video/mp4" },
	{ "mpeg",	"video/mpeg" },
	{ "odp",	"application/vnd.oasis.opendocument.presentation" },
	{ "ods",	"application/vnd.oasis.opendocument.spreadsheet" },
	{ "odt",	"application/vnd.oasis.opendocument.text" },
	{ "oga",	"audio/ogg" },
	{ "ogg",	"audio/ogg" },
	{ "ogv",	"video/ogg" },
	{ "opus",	"audio/opus" },
	{ "otf",	"font/otf" },
	{ "pdf",	"application/pdf" },
	{ "png",	"image/png" },
	{ "ppt",	"application/vnd.ms-powerpoint" },
	{ "pptx",	"application/vnd.openxmlformats-officedocument.presentationml.presentation" },
	{ "py",		"text/x-python" },
	{ "rar",	"application/vnd.rar" },
	{ "rtf",	"application/rtf" },
	{ "sh",		"application/x-sh" },
	{ "sql",	"application/sql" },
	{ "sqlite",	"application/vnd.sqlite3" },
	{ "sqlite3",	"application/vnd.sqlite3" },
	{ "svg",	"image/svg+xml" },
	{ "tar",	"application/x-tar" },
	{ "tgz",	"application/gzip" },
	{ "tif",	"image/tiff" },
	{ "tiff",	"image/tiff" },
	{ "toml",	"application/toml" },
	{ "tsv",	"text/tab-separated-values" },
	{ "ttf",	"font/ttf" },
	{ "txt",	"text/plain" },
	{ "wasm",	"application/wasm" },
	{ "wav",	"audio/wav" },
	{ "webm",	"video/webm" },
	{ "webp",	"image/webp" },
	{ "woff",	"font/woff" },
	{ "woff2",	"font/woff2" },
	{ "xls",	"application/vnd.ms-excel" },
	{ "xlsx",	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
	{ "xml",	"application/xml" },
	{ "xz",		"application/x-xz" },
	{ "yaml",	"application/yaml" },
	{ "yml",	"application/yaml" },
	{ "zip",	"application/zip" },
	{ "zst",	"application/zstd" },
};

static int
mime_cmp(const void *key, const void *elem)
{
	return strcasecmp(key, ((const struct mime *)elem)->ext);
}

const char *
mime_from_name(const char *name)
{
	const char *dot;
	const struct mime *m;

	if (name == NULL || (dot = strrchr(name, '.')) == NULL ||
	    dot[1] == '\0')
		return OCTET;
	m = bsearch(dot + 1, mimes, sizeof(mimes) / sizeof(mimes[0]),
	    sizeof(mimes[0]), mime_cmp);
	return m != NULL ? m->type : OCTET;
}

/* RFC 9110 §5.6.2 tchar. */
static int
tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

static const char *
token(const char *p)
{
	while (tchar((unsigned char)*p))
		p++;
	return p;
}

int
mime_valid(const char *ct)
{
	const char *p, *q;
	size_t n;

	if (ct == NULL || (n = strlen(ct)) == 0 || n > MIME_MAX)
		return 0;
	/* Printable ASCII only: no controls (HTAB included), no obs-text,
	 * so the value is safe to send back in a header. */
	for (p = ct; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			return 0;
	/* §8.3.1: media-type = type "/" subtype parameters */
	if ((p = token(ct)) == ct || *p++ != '/' || (q = token(p)) == p)
		return 0;
	/* §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ) */
	for (p = q;;) {
		p += strspn(p, " ");
		if (*p == '\0')
			return 1;
		if (*p++ != ';')
			return 0;
		p += strspn(p, " ");
		if (*p == ';' || *p == '\0')
			continue;
		if ((q = token(p)) == p || *q++ != '=')
			return 0;
		if (*q == '"') {
			/* §5.6.4 quoted-string with quoted-pairs */
			for (q++; *q != '"'; q++) {
				if (*q == '\0')
					return 0;
				if (*q == '\\' && *++q == '\0')
					return 0;
			}
			q++;
		} else if ((p = token(q)) == q)
			return 0;
		else
			q = p;
		p = q;
	}
}
