#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "xmalloc.h"

static int
parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_number(const char *v, int bytes, long long *out)
{
	char *end;
	long long n, mul = 1;

	if (!isdigit((unsigned char)*v) && *v != '-')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v)
		return -1;
	if (bytes && *end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mul = 1LL << 10; break;
		case 'M': mul = 1LL << 20; break;
		case 'G': mul = 1LL << 30; break;
		case 'T': mul = 1LL << 40; break;
		default: return -1;
		}
		end++;
		/* Accept "G", "GB" and "GiB" alike: all mean binary units. */
		if (!strcasecmp(end, "ib") || !strcasecmp(end, "b"))
			end += strlen(end);
	}
	if (*end)
		return -1;
	if (n != 0 && (n > (long long)(9e18 / mul) || n < -(long long)(9e18 / mul)))
		return -1;
	*out = n * mul;
	return 0;
}

static int
set_value(const struct config_key *k, void *out, const char *v)
{
	char *field = (char *)out + k->offset;
	long long n;

	switch (k->type) {
	case CONFIG_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(v);
		return 0;
	case CONFIG_BOOL:
		return parse_bool(v, (int *)field);
	case CONFIG_INT:
	case CONFIG_BYTES:
		if (parse_number(v, k->type == CONFIG_BYTES, &n) == -1 ||
		    n < k->min || n > k->max)
			return -1;
		*(long long *)field = n;
		return 0;
	}
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
config_load(const char *path, const struct config_key *keys, size_t nkeys,
    void *out, char *err, size_t errlen)
{
	FILE *f;
	char line[4096], *p, *eq, *key, *val;
	unsigned char seen[256] = { 0 };
	size_t i, len;
	int lineno = 0, rc = -1;

	for (i = 0; i < nkeys; i++)
		if (set_value(&keys[i], out, keys[i].def) == -1) {
			snprintf(err, errlen, "bad default for %s", keys[i].name);
			return -1;
		}
	if (path == NULL)
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		len = strlen(line);
		if (len == sizeof(line) - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			goto out;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		if ((eq = strchr(p, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value",
			    path, lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(p);
		val = trim(eq + 1);
		/* A value may be quoted to keep leading or trailing spaces. */
		len = strlen(val);
		if (len >= 2 && val[0] == '"' && val[len - 1] == '"') {
			val[len - 1] = '\0';
			val++;
		}
		for (i = 0; i < nkeys; i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == nkeys) {
			snprintf(err, errlen, "%s:%d: unknown key '%s'",
			    path, lineno, key);
			goto out;
		}
		if (i < sizeof(seen) && seen[i]++) {
			snprintf(err, errlen, "%s:%d: '%s' set twice",
			    path, lineno, key);
			goto out;
		}
		if (set_value(&keys[i], out, val) == -1) {
			snprintf(err, errlen, "%s:%d: bad value for '%s'",
			    path, lineno, key);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

void
config_free(const struct config_key *keys, size_t nkeys, void *out)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (keys[i].type == CONFIG_STR) {
			char **s = (char **)((char *)out + keys[i].offset);
			free(*s);
			*s = NULL;
		}
}
