/* Unit tests of the small lib modules: config, json, router, http
 * decoding.  (The larger modules have a file each.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "http.h"
#include "json.h"
#include "router.h"
#include "tap.h"

struct cfg { char *name; long long n, size; int flag; };
static const struct config_key keys[] = {
	{ "name", CONFIG_STR, offsetof(struct cfg, name), "x", 0, 0 },
	{ "n", CONFIG_INT, offsetof(struct cfg, n), "3", 1, 10 },
	{ "size", CONFIG_BYTES, offsetof(struct cfg, size), "2G", 0, 1LL << 50 },
	{ "flag", CONFIG_BOOL, offsetof(struct cfg, flag), "no", 0, 1 },
};

static int
load(const char *text, struct cfg *c, char *err, size_t errlen)
{
	char path[] = "/tmp/tcloud-cfg-XXXXXX";
	int fd = mkstemp(path), rc;

	if (write(fd, text, strlen(text)) < 0)
		return -2;
	close(fd);
	memset(c, 0, sizeof(*c));
	rc = config_load(path, keys, 4, c, err, errlen);
	unlink(path);
	return rc;
}

static void
test_config(void)
{
	struct cfg c = { 0 };
	char err[256];

	ok(config_load(NULL, keys, 4, &c, err, sizeof(err)) == 0, "defaults load");
	is_str(c.name, "x", "string default");
	is_int(c.size, 2LL << 30, "bytes default 2G");
	config_free(keys, 4, &c);
	ok(load("# comment\n\nname = \"a b \"\nn=7\nsize = 5GiB\nflag = yes\n",
	    &c, err, sizeof(err)) == 0, "file loads");
	is_str(c.name, "a b ", "quoted value keeps spaces");
	is_int(c.n, 7, "int value");
	is_int(c.size, 5LL << 30, "GiB suffix");
	is_int(c.flag, 1, "bool yes");
	config_free(keys, 4, &c);
	ok(load("n = 3\nbogus = 1\n", &c, err, sizeof(err)) == -1 &&
	    strstr(err, ":2:") && strstr(err, "bogus"),
	    "unknown key names line 2: %s", err);
	config_free(keys, 4, &c);
	ok(load("n = 11\n", &c, err, sizeof(err)) == -1 && strstr(err, ":1:"),
	    "out of range value: %s", err);
	config_free(keys, 4, &c);
	ok(load("n = 1\nn = 2\n", &c, err, sizeof(err)) == -1,
	    "duplicate key rejected");
	config_free(keys, 4, &c);
	ok(load("flag = maybe\n", &c, err, sizeof(err)) == -1, "bad bool");
	config_free(keys, 4, &c);
	ok(load("size = 12Q\n", &c, err, sizeof(err)) == -1, "bad suffix");
	config_free(keys, 4, &c);
	ok(load("justtext\n", &c, err, sizeof(err)) == -1, "line without =");
	config_free(keys, 4, &c);
}

static void
test_json(void)
{
	static const char *bad[] = { "{\"a\":1} x", "{\"a\":1}{}",
	    "{\"a\":1,}", "", "{", "nul", "{\"a\":\"\xff\"}" };
	struct json_err e;
	json_object *o;
	const char *s;
	long long n;
	double d;
	int b;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = json_parse_strict(bad[i], strlen(bad[i]));
		ok(o == NULL, "rejects %s", bad[i]);
		if (o)
			json_object_put(o);
	}
	o = json_parse_strict("{}\0", 3);
	ok(o == NULL, "rejects a trailing NUL");
	if (o)
		json_object_put(o);
	o = json_parse_strict("[1]", 3);
	ok(o && json_object_is_type(o, json_type_array), "array parses");
	json_object_put(o);
	s = "{\"s\":\"x\",\"n\":5,\"q\":\"5\",\"b\":true,"
	    "\"d\":1.5,\"z\":null} \n";
	o = json_parse_strict(s, strlen(s));
	ok(o != NULL, "object with trailing whitespace parses");
	ok(json_get_string(o, "s", 1, &s, &e) == 1 && !strcmp(s, "x"), "string");
	ok(json_get_int(o, "n", 1, &n, &e) == 1 && n == 5, "int");
	ok(json_get_int(o, "q", 1, &n, &e) == -1 &&
	    !strcmp(e.code, "invalid_field"), "string \"5\" is not an int");
	ok(json_get_int(o, "d", 1, &n, &e) == -1, "1.5 is not an int");
	ok(json_get_number(o, "d", 1, &d, &e) == 1 && d == 1.5, "number");
	ok(json_get_bool(o, "b", 1, &b, &e) == 1 && b == 1, "bool");
	ok(json_get_bool(o, "n", 1, &b, &e) == -1, "5 is not a bool");
	ok(json_get_string(o, "missing", 1, &s, &e) == -1 &&
	    !strcmp(e.code, "missing_field") && strstr(e.msg, "missing"),
	    "missing required field");
	ok(json_get_string(o, "missing", 0, &s, &e) == 0, "optional absent");
	ok(json_get_string(o, "z", 0, &s, &e) == 0, "null counts as absent");
	ok(json_is_null(o, "z"), "json_is_null");
	json_object_put(o);
}

static void
test_router(void)
{
	static const struct router_entry tab[] = {
		{ "GET", "/api/files", "list" },
		{ "GET", "/api/files/{id}/download", "dl" },
		{ "PATCH", "/api/files/{id}", "patch" },
		{ "DELETE", "/api/files/{id}", "del" },
		{ "GET", "/api/share/{token}", "share" },
	};
	struct router_match m;
	char allow[64];

	ok(router_find(tab, 5, "GET", "/api/files", &m, allow, 64) ==
	    ROUTER_FOUND && !strcmp(m.data, "list"), "literal route");
	ok(router_find(tab, 5, "HEAD", "/api/files/12/download", &m, allow, 64)
	    == ROUTER_FOUND && m.ids[0] == 12, "HEAD matches GET, id captured");
	ok(router_find(tab, 5, "POST", "/api/files/12", &m, allow, 64) ==
	    ROUTER_BAD_METHOD && !strcmp(allow, "PATCH, DELETE"),
	    "405 with Allow: %s", allow);
	ok(router_find(tab, 5, "GET", "/api/files/abc", &m, allow, 64) ==
	    ROUTER_NOT_FOUND, "non-numeric id is 404");
	ok(router_find(tab, 5, "GET", "/api/files/012/download", &m, allow, 64)
	    == ROUTER_NOT_FOUND, "leading zero id is 404");
	ok(router_find(tab, 5, "GET", "/api/files/1234567890123456789/download",
	    &m, allow, 64) == ROUTER_NOT_FOUND, "19-digit id is 404");
	ok(router_find(tab, 5, "GET", "/api/files/", &m, allow, 64) ==
	    ROUTER_NOT_FOUND, "trailing slash is 404");
	ok(router_find(tab, 5, "GET", "/api/share/ab-_Z9", &m, allow, 64) ==
	    ROUTER_FOUND && !strcmp(m.strs[0], "ab-_Z9"), "token captured");
	ok(router_find(tab, 5, "GET", "/api/share/a.b", &m, allow, 64) ==
	    ROUTER_NOT_FOUND, "token alphabet enforced");
}

static void
test_urldecode(void)
{
	char *s;

	s = http_urldecode("a%20b+c%2F", 10, 1);
	is_str(s, "a b c/", "percent and plus decoding");
	free(s);
	ok(http_urldecode("a%2", 3, 0) == NULL, "truncated escape rejected");
	ok(http_urldecode("a%zz", 4, 0) == NULL, "bad hex rejected");
	ok(http_urldecode("a%00b", 5, 0) == NULL, "NUL rejected");
}

int
main(void)
{
	test_config();
	test_json();
	test_router();
	test_urldecode();
	return done_testing();
}
