#include <stdio.h>
#include <string.h>

#include "router.h"

/* Match one pattern against a path, filling captures.  1 on a match. */
static int
match(const char *pat, const char *path, struct router_match *m)
{
	const char *pe, *se;
	size_t plen, slen, i;
	long long v;

	m->nids = m->nstrs = 0;
	for (;;) {
		if (*pat != '/' || *path != '/')
			return *pat == '\0' && *path == '\0';
		pat++;
		path++;
		pe = strchr(pat, '/');
		plen = pe ? (size_t)(pe - pat) : strlen(pat);
		se = strchr(path, '/');
		slen = se ? (size_t)(se - path) : strlen(path);
		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			if (slen == 0)
				return 0;
			if (plen == 4 && strncmp(pat, "{id}", 4) == 0) {
				/* Ids are 1..10^18: no sign, no leading zero. */
				if (slen > 18 || path[0] == '0' ||
				    m->nids == ROUTER_MAX_CAPTURES)
					return 0;
				for (v = 0, i = 0; i < slen; i++) {
					if (path[i] < '0' || path[i] > '9')
						return 0;
					v = v * 10 + (path[i] - '0');
				}
				m->ids[m->nids++] = v;
			} else {
				if (slen > ROUTER_MAX_STR ||
				    m->nstrs == ROUTER_MAX_CAPTURES)
					return 0;
				for (i = 0; i < slen; i++) {
					char c = path[i];

					if (!((c >= 'a' && c <= 'z') ||
					    (c >= 'A' && c <= 'Z') ||
					    (c >= '0' && c <= '9') ||
					    c == '-' || c == '_'))
						return 0;
				}
				memcpy(m->strs[m->nstrs], path, slen);
				m->strs[m->nstrs++][slen] = '\0';
			}
		} else if (plen != slen || strncmp(pat, path, plen) != 0)
			return 0;
		pat += plen;
		path += slen;
	}
}

static int
method_ok(const char *want, const char *got)
{
	return strcmp(want, got) == 0 ||
	    (strcmp(got, "HEAD") == 0 && strcmp(want, "GET") == 0);
}

enum router_rc
router_find(const struct router_entry *tab, size_t n, const char *method,
    const char *path, struct router_match *m, char *allow, size_t allowlen)
{
	size_t i, used = 0;
	int seen = 0;

	if (allowlen)
		allow[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!match(tab[i].pattern, path, m))
			continue;
		if (method_ok(tab[i].method, method)) {
			m->data = tab[i].data;
			return ROUTER_FOUND;
		}
		if (used < allowlen) {
			used += snprintf(allow + used, allowlen - used, "%s%s",
			    seen ? ", " : "", tab[i].method);
			if (strcmp(tab[i].method, "GET") == 0 && used < allowlen)
				used += snprintf(allow + used, allowlen - used,
				    ", HEAD");
		}
		seen = 1;
	}
	return seen ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}
