/* lib/range.c: single byte ranges of RFC 9110 §14. */
#include <stdint.h>
#include <stdio.h>

#include "range.h"
#include "tap.h"

#define MAX	UINT64_MAX

static void
t(const char *hdr, uint64_t size, enum range_rc want, uint64_t wf,
    uint64_t wl)
{
	uint64_t first = 12345, last = 12345;
	enum range_rc rc;

	rc = range_parse(hdr, size, &first, &last);
	if (want == RANGE_OK)
		ok(rc == want && first == wf && last == wl,
		    "'%s' of %llu -> %llu-%llu", hdr, (unsigned long long)size,
		    (unsigned long long)wf, (unsigned long long)wl);
	else
		ok(rc == want && first == 12345 && last == 12345,
		    "'%s' of %llu -> %s", hdr ? hdr : "NULL",
		    (unsigned long long)size,
		    want == RANGE_NONE ? "none" : "unsatisfiable");
	if (rc != want)
		printf("#   got rc %d, %llu-%llu\n", rc,
		    (unsigned long long)first, (unsigned long long)last);
}

int
main(void)
{
	/* The examples of RFC 9110 §14.1.2, on 10000 bytes. */
	t("bytes=0-499", 10000, RANGE_OK, 0, 499);
	t("bytes=500-999", 10000, RANGE_OK, 500, 999);
	t("bytes=-500", 10000, RANGE_OK, 9500, 9999);
	t("bytes=9500-", 10000, RANGE_OK, 9500, 9999);
	t("bytes=0-0", 10000, RANGE_OK, 0, 0);
	t("bytes=-1", 10000, RANGE_OK, 9999, 9999);
	t("bytes=0-", 10000, RANGE_OK, 0, 9999);
	t("bytes=0-0,-1", 10000, RANGE_NONE, 0, 0);
	t("bytes=500-600,601-999", 10000, RANGE_NONE, 0, 0);

	/* Clamping, suffixes, the edges. */
	t("bytes=9000-20000", 10000, RANGE_OK, 9000, 9999);
	t("bytes=9999-9999", 10000, RANGE_OK, 9999, 9999);
	t("bytes=0-18446744073709551615", 10, RANGE_OK, 0, 9);
	t("bytes=-10000", 10000, RANGE_OK, 0, 9999);
	t("bytes=-20000", 10000, RANGE_OK, 0, 9999);
	t("bytes=-18446744073709551615", 10, RANGE_OK, 0, 9);
	t("bytes=18446744073709551614-", MAX, RANGE_OK, MAX - 1, MAX - 1);
	t("bytes=0-", MAX, RANGE_OK, 0, MAX - 1);
	t("bytes=000-0001", 10, RANGE_OK, 0, 1);

	/* Unsatisfiable: 416. */
	t("bytes=10000-", 10000, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=10000-10001", 10000, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=-0", 10000, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=0-", 0, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=0-0", 0, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=-5", 0, RANGE_UNSATISFIABLE, 0, 0);
	t("bytes=18446744073709551615-", MAX, RANGE_UNSATISFIABLE, 0, 0);

	/* White space and empty list elements (RFC 9110 §5.6.1). */
	t(" bytes=1-2 ", 10, RANGE_OK, 1, 2);
	t("\tbytes=1-2\t", 10, RANGE_OK, 1, 2);
	t("bytes= 1-2", 10, RANGE_OK, 1, 2);
	t("bytes = 1-2", 10, RANGE_OK, 1, 2);
	t("bytes=1-2,", 10, RANGE_OK, 1, 2);
	t("bytes=, ,1-2 , ,", 10, RANGE_OK, 1, 2);
	t("BYTES=1-2", 10, RANGE_OK, 1, 2);
	t("Bytes=-3", 10, RANGE_OK, 7, 9);

	/* Ignored: 200 with everything. */
	t(NULL, 10, RANGE_NONE, 0, 0);
	t("", 10, RANGE_NONE, 0, 0);
	t("bytes=", 10, RANGE_NONE, 0, 0);
	t("bytes=,", 10, RANGE_NONE, 0, 0);
	t("bytes", 10, RANGE_NONE, 0, 0);
	t("bytes 1-2", 10, RANGE_NONE, 0, 0);
	t("bytes=1 - 2", 10, RANGE_NONE, 0, 0);
	t("bytes=1-2 3", 10, RANGE_NONE, 0, 0);
	t("bytes=5-4", 10, RANGE_NONE, 0, 0);
	t("bytes=50-40", 10, RANGE_NONE, 0, 0);
	t("bytes=-", 10, RANGE_NONE, 0, 0);
	t("bytes=--1", 10, RANGE_NONE, 0, 0);
	t("bytes=1", 10, RANGE_NONE, 0, 0);
	t("bytes=a-b", 10, RANGE_NONE, 0, 0);
	t("bytes=1-2x", 10, RANGE_NONE, 0, 0);
	t("bytes=+1-2", 10, RANGE_NONE, 0, 0);
	t("bytes=0x1-2", 10, RANGE_NONE, 0, 0);
	t("bytes=1-2;", 10, RANGE_NONE, 0, 0);
	t("items=1-2", 10, RANGE_NONE, 0, 0);
	t("bytesx=1-2", 10, RANGE_NONE, 0, 0);
	t("bytes x=1-2", 10, RANGE_NONE, 0, 0);
	t("bytes-1-2", 10, RANGE_NONE, 0, 0);
	t("bytes=1-2,3-4", 10, RANGE_NONE, 0, 0);
	t("bytes=1-2,-3", 10, RANGE_NONE, 0, 0);
	t("bytes=20-30,1-2", 10, RANGE_NONE, 0, 0);
	/* Numbers past 64 bits. */
	t("bytes=18446744073709551616-", MAX, RANGE_NONE, 0, 0);
	t("bytes=0-18446744073709551616", 10, RANGE_NONE, 0, 0);
	t("bytes=-18446744073709551616", 10, RANGE_NONE, 0, 0);
	t("bytes=99999999999999999999999999999999-", 10, RANGE_NONE, 0, 0);
	return done_testing();
}
