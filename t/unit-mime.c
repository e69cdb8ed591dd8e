/* lib/mime.c: types by extension, and the check of client types. */
#include <string.h>

#include "mime.h"
#include "tap.h"

int
main(void)
{
	/* Every extension of the table, in its (sorted) order: bsearch
	 * finds them all only if the table is sorted. */
	static const char *const all[][2] = {
		{ "7z", "application/x-7z-compressed" }, { "aac", "audio/aac" },
		{ "avi", "video/x-msvideo" }, { "avif", "image/avif" },
		{ "bmp", "image/bmp" }, { "bz2", "application/x-bzip2" },
		{ "c", "text/x-c" }, { "css", "text/css" },
		{ "csv", "text/csv" }, { "db", "application/vnd.sqlite3" },
		{ "doc", "application/msword" },
		{ "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
		{ "eml", "message/rfc822" }, { "epub", "application/epub+zip" },
		{ "flac", "audio/flac" }, { "gif", "image/gif" },
		{ "gz", "application/gzip" }, { "h", "text/x-c" },
		{ "heic", "image/heic" }, { "htm", "text/html" },
		{ "html", "text/html" }, { "ico", "image/vnd.microsoft.icon" },
		{ "ics", "text/calendar" },
		{ "iso", "application/x-iso9660-image" },
		{ "jar", "application/java-archive" },
		{ "jpeg", "image/jpeg" }, { "jpg", "image/jpeg" },
		{ "js", "text/javascript" }, { "json", "application/json" },
		{ "log", "text/plain" }, { "m4a", "audio/mp4" },
		{ "md", "text/markdown" }, { "mjs", "text/javascript" },
		{ "mkv", "video/x-matroska" }, { "mov", "video/quicktime" },
		{ "mp3", "audio/mpeg" }, { "mp4", "video/mp4" },
		{ "mpeg", "video/mpeg" },
		{ "odp", "application/vnd.oasis.opendocument.presentation" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "oga", "audio/ogg" }, { "ogg", "audio/ogg" },
		{ "ogv", "video/ogg" }, { "opus", "audio/opus" },
		{ "otf", "font/otf" }, { "pdf", "application/pdf" },
		{ "png", "image/png" },
		{ "ppt", "application/vnd.ms-powerpoint" },
		{ "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
		{ "py", "text/x-python" }, { "rar", "application/vnd.rar" },
		{ "rtf", "application/rtf" }, { "sh", "application/x-sh" },
		{ "sql", "application/sql" },
		{ "sqlite", "application/vnd.sqlite3" },
		{ "sqlite3", "application/vnd.sqlite3" },
		{ "svg", "image/svg+xml" }, { "tar", "application/x-tar" },
		{ "tgz", "application/gzip" }, { "tif", "image/tiff" },
		{ "tiff", "image/tiff" }, { "toml", "application/toml" },
		{ "tsv", "text/tab-separated-values" }, { "ttf", "font/ttf" },
		{ "txt", "text/plain" }, { "wasm", "application/wasm" },
		{ "wav", "audio/wav" }, { "webm", "video/webm" },
		{ "webp", "image/webp" }, { "woff", "font/woff" },
		{ "woff2", "font/woff2" }, { "xls", "application/vnd.ms-excel" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
		{ "xml", "application/xml" }, { "xz", "application/x-xz" },
		{ "yaml", "application/yaml" }, { "yml", "application/yaml" },
		{ "zip", "application/zip" }, { "zst", "application/zstd" },
	};
	static const char *const valid[] = {
		"text/plain", "application/octet-stream", "image/svg+xml",
		"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		"text/plain; charset=utf-8", "text/plain;charset=UTF-8",
		"text/plain ; charset=\"utf-8\"", "text/plain;", "a/b; x=1; y=2",
		"multipart/form-data; boundary=\"a b\\\"c\"", "x-foo/x.bar",
		"text/plain;; a=b",
	};
	static const char *const invalid[] = {
		"", "text", "text/", "/plain", "text/plain/x", "text /plain",
		"text/ plain", "te(xt/plain", "text/plain; charset",
		"text/plain; charset=", "text/plain; =utf-8",
		"text/plain; charset=\"utf-8", "text/plain; charset=a b",
		"text/plain; charset=\"a\\", "text/plain x",
		"text/plain\r\nX-Injected: 1", "text/plain\n", "text/plain\t",
		"text/pl\177ain", "text/pl\xc3\xa9in",
		"text/plain; a=\"\xc3\xa9\"",
	};
	char buf[300];
	char name[32];
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		strcpy(name, "x.");
		strcat(name, all[i][0]);
		is_str(mime_from_name(name), all[i][1], name);
	}
	ok(i >= 60, "%zu types known", i);
	is_str(mime_from_name("Photo.JPG"), "image/jpeg", "upper case");
	is_str(mime_from_name("a.TaR.Gz"), "application/gzip", "mixed case");
	is_str(mime_from_name("archive.tar.gz"), "application/gzip",
	    "last extension");
	is_str(mime_from_name("README"), "application/octet-stream",
	    "no extension");
	is_str(mime_from_name("a."), "application/octet-stream", "bare dot");
	is_str(mime_from_name("x.unknownext"), "application/octet-stream",
	    "unknown");
	is_str(mime_from_name(".txt"), "text/plain", "dot file by its name");
	is_str(mime_from_name("dir.d/file"), "application/octet-stream",
	    "dot in a directory part");
	is_str(mime_from_name(""), "application/octet-stream", "empty");
	is_str(mime_from_name(NULL), "application/octet-stream", "NULL");

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		ok(mime_valid(valid[i]), "valid: %s", valid[i]);
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ok(!mime_valid(invalid[i]), "invalid: #%zu", i);
	ok(!mime_valid(NULL), "invalid: NULL");
	strcpy(buf, "application/");
	memset(buf + 12, 'x', 243);
	buf[255] = '\0';
	ok(mime_valid(buf), "255 bytes");
	buf[255] = 'x';
	buf[256] = '\0';
	ok(!mime_valid(buf), "256 bytes");
	return done_testing();
}
