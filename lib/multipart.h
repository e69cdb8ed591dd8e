/* A resumable, streaming multipart/form-data parser (RFC 7578 over the
 * framing of RFC 2046 §5.1).  Fed chunks of any size, it makes the same
 * callbacks with the same bytes whether the body comes in one piece or a
 * byte at a time (only the split of part_data calls differs).  Part bodies
 * are never buffered: bytes go to part_data as they arrive, except the
 * few (at most the delimiter's length plus one) that might still turn out
 * to be the start of a delimiter. */
#ifndef MULTIPART_H
#define MULTIPART_H
#include <stddef.h>

#define MP_MAX_HEADER	8192	/* default: header bytes per part */
#define MP_MAX_PARTS	16	/* default: parts per body */

struct mp_limits {
	size_t		 max_header;	/* bytes of one part's header block */
	unsigned	 max_parts;
};

struct mp_part {
	const char	*name;		/* Content-Disposition name; never NULL */
	const char	*filename;	/* filename* (RFC 8187) if usable, else
					 * filename; NULL if absent */
	const char	*content_type;	/* NULL if absent */
};

/* Each callback returns 0 to go on, nonzero to stop the parse with
 * MP_ERR_CALLBACK; a NULL callback is skipped.  The strings of mp_part
 * are valid only during part_begin.  part_end means the part's delimiter
 * was seen; a part cut short by an error gets no part_end. */
struct mp_callbacks {
	int	(*part_begin)(void *arg, const struct mp_part *);
	int	(*part_data)(void *arg, const char *buf, size_t len);
	int	(*part_end)(void *arg);
};

enum mp_rc {
	MP_AGAIN,	/* wants more input */
	MP_DONE,	/* the closing delimiter was seen */
	MP_ERROR	/* see multipart_error() */
};

enum mp_err {
	MP_ERR_NONE,
	MP_ERR_BOUNDARY,	/* not multipart/form-data with a boundary */
	MP_ERR_SYNTAX,
	MP_ERR_HEADER_TOO_LARGE,
	MP_ERR_TOO_MANY_PARTS,
	MP_ERR_CALLBACK,
	MP_ERR_TRUNCATED	/* input ended before the closing delimiter */
};

/* A parser for a body of the given Content-Type header value, calling cb
 * with arg; NULL and *err = MP_ERR_BOUNDARY when the type is not
 * multipart/form-data with a valid boundary (RFC 2046 §5.1.1: 1 to 70
 * bchars, not ending in a space).  Free it with multipart_free(). */
struct multipart *multipart_new(const char *content_type,
	    const struct mp_callbacks *cb, void *arg, enum mp_err *err);
/* Replace the default limits (MP_MAX_HEADER, MP_MAX_PARTS); call before
 * the first multipart_feed().  A zero field keeps its default. */
void	 multipart_limits(struct multipart *, const struct mp_limits *);
/* Feed the next len bytes of the body.  MP_AGAIN wants more; MP_DONE saw
 * the closing delimiter, and later input is epilogue, ignored; MP_ERROR
 * is final and is returned again by every later call. */
enum mp_rc multipart_feed(struct multipart *, const char *buf, size_t len);
/* The input has ended: MP_DONE if the closing delimiter was seen, else
 * MP_ERROR (with MP_ERR_TRUNCATED unless an error came first). */
enum mp_rc multipart_finish(struct multipart *);
/* Why the parse failed, or MP_ERR_NONE. */
enum mp_err multipart_error(const struct multipart *);
/* A sentence for a person describing e; static storage. */
const char *multipart_strerror(enum mp_err e);
/* Free the parser (NULL is fine); no callback is made. */
void	 multipart_free(struct multipart *);
#endif
