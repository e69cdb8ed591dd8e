/* Method + path pattern matching.  A pattern is a literal path whose
 * segments may be "{id}" (a positive decimal integer, captured in ids[])
 * or "{name}" for any other name (a non-empty segment of [A-Za-z0-9_-],
 * captured in strs[]).  HEAD matches GET routes. */
#ifndef ROUTER_H
#define ROUTER_H
#include <stddef.h>

#define ROUTER_MAX_CAPTURES	4
#define ROUTER_MAX_STR		128

struct router_entry {
	const char	*method;
	const char	*pattern;
	const void	*data;		/* the caller's, returned on a match */
};

struct router_match {
	const void	*data;
	int		 nids, nstrs;
	long long	 ids[ROUTER_MAX_CAPTURES];
	char		 strs[ROUTER_MAX_CAPTURES][ROUTER_MAX_STR + 1];
};

enum router_rc {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,	/* no pattern matches the path */
	ROUTER_BAD_METHOD	/* a pattern matches, not for this method */
};

/* Find the entry for method and path.  On ROUTER_BAD_METHOD, allow gets
 * the methods that would match, comma-separated ("GET, HEAD, DELETE"). */
enum router_rc router_find(const struct router_entry *tab, size_t n,
	    const char *method, const char *path, struct router_match *m,
	    char *allow, size_t allowlen);
#endif
