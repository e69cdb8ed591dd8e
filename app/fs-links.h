/* Public links in the service layer (SPEC §4 Public links): the
 * owner's side (fs-links.c) and the visitor's (fs-linkread.c).  As in
 * fs.h, functions take the app and ids or values and return an outcome;
 * the token, the password and the link session arrive as strings, and
 * cookies, headers, audit rows and JSON stay in the front end.
 *
 *   fs-links.c		create or update (the server's link policy and
 *			the password hash), get, delete
 *   fs-linkread.c	token -> link with the password / session verdict
 *			and the per-link failure limit, what a link
 *			reaches, the download take / settle accounting
 *   fs-linkzip.c	a folder link's tree planned and walked for a ZIP
 */
#ifndef FS_LINKS_H
#define FS_LINKS_H
#include <stdint.h>

#include "fs.h"

struct app;
struct db_res;

/* A link's row, as the owner or the service sees it. */
struct fs_link {
	long long	 id, owner, file, folder;	/* one of file, folder */
	int		 allow;		/* downloads allowed */
	long long	 expires;	/* epoch, 0 = never */
	long long	 max;		/* whole downloads allowed, 0 = no cap */
	long long	 downloads;	/* whole copies begun */
	char		*pwhash;	/* NULL: no password */
	char		*token;		/* the owner's calls only: plaintext */
};
void	fs_link_free(struct fs_link *);
/* Row 0 of a LINK_COLS result (sql.h) into l, without the token. */
void	fs_link_from_row(const struct db_res *, struct fs_link *l);

/* --- The owner's side (fs-links.c); is_folder says what id names. */
/* What a create or update asks; a has_* of 0 keeps the stored value (a
 * new link takes the defaults: downloads allowed, no expiry, no cap). */
struct fs_link_set {
	int		 allow, has_allow;
	long long	 expires;	/* epoch in the future, 0 = never */
	int		 has_expires;
	const char	*password;	/* NULL: unchanged; "": remove */
	long long	 max;		/* 0 = unlimited; a new cap restarts
					 * the count */
	int		 has_max;
};
/* One link per object: create it, or update the one there (same token).
 * The server's policy (link_require_password, link_max_lifetime) applies
 * to the final settings: FS_LINK_PASSWORD_POLICY, FS_LINK_EXPIRY_TOO_FAR.
 * *existed says which it was. */
enum fs_err fs_link_upsert(struct app *, long long uid, int is_folder,
	    long long id, const struct fs_link_set *, struct fs_link *out,
	    int *existed);
/* The object's link with its token: FS_LINK_NONE when it has none. */
enum fs_err fs_link_get(struct app *, long long uid, int is_folder,
	    long long id, struct fs_link *out);
/* Revoke: FS_NOT_FOUND when there is none. */
enum fs_err fs_link_delete(struct app *, long long uid, int is_folder,
	    long long id);

/* --- The visitor's side (fs-linkread.c) */
/* What the visitor presents, and what the verdict asks of the front. */
struct fs_link_visit {
	const char	*client;	/* the throttle subject of its address */
	const char	*session;	/* a link session ("exp.mac"), or NULL */
	const char	*password;	/* or NULL */
	long long	 wait;		/* FS_THROTTLED: seconds */
	char		*new_session;	/* a password was accepted: hand the
					 * visitor this session (heap) */
};
/* Token -> a live link the visitor may enter.  Unknown, revoked, expired
 * and used-up links are all FS_LINK_GONE; unknown tokens count against
 * the client, wrong passwords against the client and the link (the link
 * is then FS_THROTTLED for everyone, with l->id set).  Then
 * FS_LINK_PASSWORD_REQUIRED, FS_LINK_WRONG_PASSWORD.  On FS_OK the
 * caller frees l and v->new_session. */
enum fs_err fs_link_open(struct app *, const char *token,
	    struct fs_link_visit *v, struct fs_link *l);
/* A link session for l, valid for link_session_lifetime: "exp.mac",
 * bound to the link, its expiry and its password hash (heap). */
char	*fs_link_session(struct app *, const struct fs_link *l);
/* Is folder (the owner's) the link's folder or below it? */
int	fs_link_reaches(struct app *, const struct fs_link *l,
	    long long folder);
/* A file the link reaches: its own (id 0), or one below its folder;
 * FS_LINK_NOT_IN otherwise. */
enum fs_err fs_link_file(struct app *, const struct fs_link *l,
	    long long id, struct fs_file *out);
/* A folder of a folder link (0: the shared one) with rows for a
 * renderer: its folders (FOLDER_COLS) and up to 1000 files (FILE_COLS),
 * each by name.  FS_LINK_NOT_IN, or FS_LINK_CONTENT_GONE. */
enum fs_err fs_link_folder(struct app *, const struct fs_link *l,
	    long long folder, struct fs_folder *out, struct db_res **folders,
	    struct db_res **files);

/* What a GET of the body costs the link: a whole copy is
 * FS_UNITS_PER_COPY, a range its share of the file rounded up, so no mix
 * of whole and ranged GETs yields more whole copies than max_downloads.
 * Taken before sending, atomically, and given back if not delivered. */
#define FS_UNITS_PER_COPY	1000000LL
struct fs_link_take {
	long long	 units;		/* taken; 0: nothing to settle */
	uint64_t	 first, last;	/* the range, when ranged */
	int		 ranged;
};
/* Take t's cost of a size-byte body (-1: a ZIP, always whole):
 * FS_LINK_GONE when the link expired or has no downloads left. */
enum fs_err fs_link_take(struct app *, const struct fs_link *l,
	    long long size, struct fs_link_take *t);
/* After the response: give back what was not delivered.  1 when the
 * take stands (a download to audit). */
int	fs_link_settle(struct app *, const struct fs_link *l,
	    struct fs_link_take *t, int delivered);

/* --- A folder link's ZIP (fs-linkzip.c).  The central directory (every
 * entry's path) stays in memory until the end, so these caps bound the
 * worker whatever the tree's shape; a path is at most FS_ZIP_MAX_PATH
 * long so that the archive can be extracted.  Numbers, not expressions:
 * fs-json.c spells them into its messages. */
#define FS_ZIP_MAX_FOLDERS	10000
#define FS_ZIP_MAX_ENTRIES	65535
#define FS_ZIP_MAX_NAMES_MIB	8	/* sum of all paths */
#define FS_ZIP_MAX_PATH		4096
struct fs_zip;
/* The link's tree checked against the caps and listed before a byte is
 * sent:
 * FS_LINK_CONTENT_GONE, FS_ZIP_TOO_MANY_FOLDERS, FS_ZIP_TOO_DEEP,
 * FS_ZIP_PATH_TOO_LONG, FS_ZIP_TOO_LARGE. */
enum fs_err fs_zip_plan(struct app *, const struct fs_link *l,
	    struct fs_zip **out);
/* The shared folder's name. */
const char *fs_zip_name(const struct fs_zip *);
/* The archive's exact length in bytes (lib/zip.h zip_size_for). */
uint64_t fs_zip_size(const struct fs_zip *);
/* Every folder ("<shared>/a/b/", parents first) to dir, then each of its
 * listed files to file; a nonzero return stops the walk (FS_INTERNAL),
 * and so does a listed file gone or resized since (the length is
 * promised); files added since are left out. */
enum fs_err fs_zip_walk(struct fs_zip *,
	    int (*dir)(void *arg, const char *path),
	    int (*file)(void *arg, const char *dir, const struct fs_file *),
	    void *arg);
void	fs_zip_free(struct fs_zip *);
#endif
