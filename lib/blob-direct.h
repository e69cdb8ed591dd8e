/*
 * Appends to a new file past the page cache (O_DIRECT), written by a
 * thread while the caller goes on; lib/blob-fd.c uses it for new blobs.
 *
 * Why: on this platform's VMs a buffered write of 512 MiB and its
 * writeback cost the writing process ~1-2 s of kernel CPU, a direct one
 * ~0.2 s; and a direct write blocks for the device, which the thread
 * overlaps with receiving and encrypting the next megabyte.
 *
 * blob_direct_new sets O_DIRECT on fd (offset 0 of an empty file is the
 * first append) or returns NULL with errno (EINVAL where the file system
 * refuses O_DIRECT).  Appends are gathered in 1 MiB aligned buffers;
 * blob_direct_patch rewrites bytes still in the current buffer (1 if it
 * did, 0 if they have left).  blob_direct_finish writes out the rest,
 * clears O_DIRECT and frees: durability is still the caller's fdatasync.
 * blob_direct_free drops what is gathered.  Memory: 2 MiB per writer.
 */
#ifndef BLOB_DIRECT_H
#define BLOB_DIRECT_H
#include <stddef.h>
#include <stdint.h>

struct blob_direct;

struct blob_direct *blob_direct_new(int fd);
int		 blob_direct_append(struct blob_direct *, const void *, size_t);
int		 blob_direct_patch(struct blob_direct *, const void *, size_t,
		    uint64_t off);
uint64_t	 blob_direct_end(const struct blob_direct *);
int		 blob_direct_finish(struct blob_direct *);
void		 blob_direct_free(struct blob_direct *);
/* pwrite all n bytes at off, through EINTR and short writes. */
int		 blob_pwrite_all(int fd, const void *, size_t, uint64_t off);
#endif
