/* What tcloudctl backup (ctl-backup.c) and restore (ctl-restore.c)
 * share: the backup directory, and the helpers both use (SPEC §8).
 *
 * A backup directory (0700) holds:
 *   db.sql               every table of the database: its CREATE TABLE and
 *                        its rows, read in ONE consistent-snapshot
 *                        transaction; plain SQL (`mariadb DB < db.sql`
 *                        loads it too)
 *   blobs/xx/yy/<id>     the blobs the dumped files rows name (data_dir's
 *                        layout), copied after the snapshot
 *   keys/master-<id>.key every configured KEK;  keys/jwt.secret
 *   MANIFEST             written last: a directory without it is partial
 *
 * Why a snapshot plus a copy is consistent: a blob is durable before the
 * row naming it commits, and is never rewritten (a replace makes a new
 * blob; rotate-key only rewraps header slots, see blob.h), so every blob a
 * snapshot row names exists unless a later delete or replace unlinked it.
 * Such a blob shows up as ENOENT while copying; the backup then takes a
 * new snapshot and copies what is new, until a snapshot's blobs are all
 * there.  Blobs are copied, never hardlinked: rotate-key rewrites headers
 * in place, which would change a hardlinked backup under a KEK it may not
 * hold.
 *
 * Restore copies the blobs in first, then replaces the database, then the
 * key files, so the rows never name a blob that is not there. */
#ifndef CTL_BACKUP_H
#define CTL_BACKUP_H
#include <sys/types.h>

#include <mysql.h>

#include "app.h"

#define MANIFEST_MAGIC	"tcloud-backup 1"
#define MAXKEYS		32	/* key files a backup carries */

/* "tcloudctl: WHAT OBJ: strerror(errno)" on stderr. */
void	 bk_err(const char *what, const char *obj);
/* A connection for the dump or the load (SET NAMES binary), or NULL
 * (said on stderr). */
MYSQL	*bk_connect(struct app *);
/* Run one statement; -1 (said on stderr) on failure. */
int	 bk_query(MYSQL *, const char *sql);
/* The database's base tables, NULL-terminated; bk_free_list frees it. */
char	**bk_tables(MYSQL *);
void	 bk_free_list(char **);
/* The configured key files: ids[i] (0: the JWT secret) and paths[i]
 * (allocated), at most MAXKEYS; returns the count. */
size_t	 bk_keys(struct app *, long long ids[], char *paths[]);
/* A key file's name in DIR/keys: master-<id>.key or jwt.secret. */
char	*bk_key_name(long long id);
/* Copy a secret (0600) through a temp name; dst gets uid/gid unless -1. */
int	 bk_copy_secret(const char *src, const char *dst, uid_t, gid_t);
#endif
