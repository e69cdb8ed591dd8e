/* Small shared pieces of the handlers: times, query ids, paging, and
 * DB columns as JSON values. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "app.h"

int
time_parse(const char *s, long long *epoch)
{
	struct tm tm;
	int y, mo, d, h, mi, se, n = 0;
	size_t len = strlen(s);
	time_t t;

	memset(&tm, 0, sizeof(tm));
	/* Accept "YYYY-MM-DD HH:MM:SS" and "YYYY-MM-DDTHH:MM:SS[Z]". */
	if (len != 19 && !(len == 20 && s[19] == 'Z'))
		return -1;
	if (s[10] != ' ' && s[10] != 'T')
		return -1;
	for (size_t i = 0; i < 19; i++)
		if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 &&
		    !isdigit((unsigned char)s[i]))
			return -1;
	if (sscanf(s, "%4d-%2d-%2d%*c%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &se, &n) != 6 || n != 19)
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || se > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	t = timegm(&tm);
	/* timegm normalises 31 February: such a date is not a date. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -1;
	*epoch = (long long)t;
	return 0;
}

void
time_format(long long epoch, char buf[20])
{
	time_t t = (time_t)epoch;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

const char *
time_sql(long long epoch, char buf[20])
{
	if (epoch == 0)
		return NULL;
	time_format(epoch, buf);
	return buf;
}

static int
parse_id(const char *s, long long *out)
{
	long long v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
query_id(struct req *r, const char *name, long long *out)
{
	char *v = http_query(r->http, name);
	int rc;

	if (v == NULL)
		return 0;
	if (*v == '\0') {
		free(v);
		return 0;
	}
	rc = parse_id(v, out) == 0 && *out > 0 ? 1 : -1;
	free(v);
	return rc;
}

int
query_paging(struct req *r, long long *limit, long long *offset)
{
	static const char *names[] = { "limit", "offset" };
	long long *outs[] = { limit, offset };
	int i;

	*limit = 1000;
	*offset = 0;
	for (i = 0; i < 2; i++) {
		char *v = http_query(r->http, names[i]);
		int bad;

		if (v == NULL)
			continue;
		bad = parse_id(v, outs[i]) == -1;
		free(v);
		if (bad)
			return reply_error(r, 400, "invalid_parameter",
			    "'%s' must be a non-negative integer.", names[i]);
	}
	if (*limit < 1 || *limit > 1000)
		return reply_error(r, 400, "invalid_parameter",
		    "'limit' must be between 1 and 1000.");
	return 0;
}

json_object *
json_col(const struct db_res *res, size_t row, size_t col)
{
	const char *s = db_str(res, row, col);

	return s ? json_object_new_string_len(s, (int)db_len(res, row, col)) :
	    NULL;
}

json_object *
json_col_int(const struct db_res *res, size_t row, size_t col)
{
	return db_null(res, row, col) ? NULL :
	    json_object_new_int64(db_int(res, row, col));
}

json_object *
json_col_bool(const struct db_res *res, size_t row, size_t col)
{
	return db_null(res, row, col) ? NULL :
	    json_object_new_boolean(db_int(res, row, col) != 0);
}
