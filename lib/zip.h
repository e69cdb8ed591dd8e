/* Streaming ZIP writer (PKWARE APPNOTE.TXT 6.3.x): "stored" entries
 * only, sizes and CRC-32 in a data descriptor after the data (general
 * purpose bit 3), UTF-8 names (bit 11), Zip64 where a size, an offset
 * or the entry count needs it.  Bytes leave through a callback as they
 * are produced; only the central directory (one small record per
 * entry, never file data) is kept in memory until zip_finish(). */
#ifndef ZIP_H
#define ZIP_H
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Output sink: 0 when all len bytes were taken, nonzero to stop. */
typedef int (*zip_out)(void *arg, const void *buf, size_t len);

struct zip;

/* What zip_size_for() needs to know of one entry, in archive order. */
struct zip_sizeent {
	size_t		 namelen;	/* strlen of the stored name; a
					 * directory's includes its '/' */
	uint64_t	 size;		/* file bytes; 0 for a directory */
	int		 isdir;
};

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320, APPNOTE 4.4.7) of buf
 * continued from crc: start with 0, feed the previous result back in. */
uint32_t	 zip_crc32(uint32_t crc, const void *buf, size_t len);

/* A writer emitting through out(arg, ...); free with zip_free(). */
struct zip	*zip_new(zip_out out, void *arg);
/* Add a directory entry; "a/b" and "a/b/" both store "a/b/".  -1 for a
 * bad name (nothing written, the writer stays usable), inside a file,
 * after zip_finish() or when output fails. */
int		 zip_dir(struct zip *, const char *name, time_t mtime);
/* Start a file entry of exactly expected_size bytes (which decides
 * whether it needs Zip64); its bytes follow through zip_file_data().
 * -1 as for zip_dir(). */
int		 zip_file_begin(struct zip *, const char *name,
		    uint64_t expected_size, time_t mtime);
/* Stream len bytes of the current file.  -1 when no file is open, when
 * the bytes would pass expected_size or when output fails. */
int		 zip_file_data(struct zip *, const void *buf, size_t len);
/* Close the current file with its data descriptor.  -1 when fewer than
 * expected_size bytes came or output fails: the archive is then broken
 * and every later call fails too (the caller aborts the response). */
int		 zip_file_end(struct zip *);
/* Write the central directory, Zip64 end records when needed and the
 * end of central directory record, then flush.  -1 inside a file, when
 * already finished or when output fails. */
int		 zip_finish(struct zip *);
/* Exact length of the archive that adding ents[0..n) in order and then
 * zip_finish() produces, for a Content-Length sent before the data. */
uint64_t	 zip_size_for(const struct zip_sizeent *ents, size_t n);
/* Release the writer (NULL is fine); nothing more is written. */
void		 zip_free(struct zip *);
#endif
