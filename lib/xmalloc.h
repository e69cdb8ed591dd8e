/* Allocation that aborts on failure: a worker is restartable, so running
 * out of memory is decided here once and call sites stay clean. */
#ifndef XMALLOC_H
#define XMALLOC_H
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* printf into a fresh heap string */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
#endif
