/* A resumable multipart/form-data parser (RFC 7578, RFC 2046 §5.1).  Fed
 * chunks of any size, it gives the same callbacks whether the body comes
 * in one piece or a byte at a time.  Part bodies are never buffered: at
 * most a delimiter's worth of bytes is held back while it might be the
 * start of a boundary. */
#ifndef MULTIPART_H
#define MULTIPART_H
#include <stddef.h>

#define MP_MAX_HEADER	8192	/* bytes of headers per part */
#define MP_MAX_PARTS	16

struct mp_part {
	const char	*name;		/* Content-Disposition name, or NULL */
	const char	*filename;	/* filename* (RFC 8187) or filename */
	const char	*content_type;	/* NULL if absent */
};

/* Each callback returns 0 to go on, nonzero to abort (MP_ERR_CALLBACK).
 * The strings of mp_part live only during part_begin. */
struct mp_callbacks {
	int	(*part_begin)(void *arg, const struct mp_part *);
	int	(*part_data)(void *arg, const char *buf, size_t len);
	int	(*part_end)(void *arg);
};

enum mp_rc { MP_AGAIN, MP_DONE, MP_ERROR };

enum mp_err {
	MP_ERR_NONE,
	MP_ERR_BOUNDARY,	/* not multipart/form-data with a boundary */
	MP_ERR_SYNTAX,
	MP_ERR_HEADER_TOO_LARGE,
	MP_ERR_TOO_MANY_PARTS,
	MP_ERR_CALLBACK,
	MP_ERR_TRUNCATED	/* input ended before the closing delimiter */
};

/* A parser for a body of the given Content-Type; NULL and *err when the
 * type is not multipart/form-data with a valid boundary. */
struct multipart *multipart_new(const char *content_type,
	    const struct mp_callbacks *cb, void *arg, enum mp_err *err);
/* Feed the next bytes.  MP_AGAIN wants more, MP_DONE saw the closing
 * delimiter (later input is epilogue, ignored), MP_ERROR stays an error. */
enum mp_rc multipart_feed(struct multipart *, const char *buf, size_t len);
/* The input has ended: MP_DONE, or MP_ERROR with MP_ERR_TRUNCATED. */
enum mp_rc multipart_finish(struct multipart *);
enum mp_err multipart_error(const struct multipart *);
/* A sentence for a person. */
const char *multipart_strerror(enum mp_err);
void	multipart_free(struct multipart *);
#endif
