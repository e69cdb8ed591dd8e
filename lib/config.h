/* A "key = value" config file parser driven by a table of typed keys.
 * Every key has a default; an unknown key, a bad value or a duplicate
 * stops loading with the file name and line number in the message. */
#ifndef CONFIG_H
#define CONFIG_H
#include <stddef.h>

enum config_type {
	CONFIG_STR,	/* char *, heap */
	CONFIG_INT,	/* long long, within [min, max] */
	CONFIG_BYTES,	/* long long; suffixes K, M, G, T (binary) */
	CONFIG_BOOL	/* int; true/false, yes/no, on/off, 1/0 */
};

struct config_key {
	const char		*name;
	enum config_type	 type;
	size_t			 offset;	/* into the caller's struct */
	const char		*def;		/* default, as written in a file */
	long long		 min, max;	/* for INT and BYTES */
};

/* Set every key to its default, then read path (NULL: defaults only).
 * out must start zeroed (or hold a previous load: its strings are freed).
 * Returns 0, or -1 with a message for a person in err. */
int	config_load(const char *path, const struct config_key *keys,
	    size_t nkeys, void *out, char *err, size_t errlen);
/* Free the strings config_load allocated in out. */
void	config_free(const struct config_key *keys, size_t nkeys, void *out);
#endif
