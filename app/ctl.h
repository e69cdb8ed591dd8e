/* tcloudctl: one table of commands (tcloudctl.c), each command in the
 * file of its job: tcloudctl.c (init, migrate, user), ctl-store.c (the
 * blob store: fsck, gc, rotate-key, quota-recalc, stats).  ctl.c holds
 * what they share, so that no command file calls back up into main's. */
#ifndef CTL_H
#define CTL_H
#include "app.h"

/* A command: argv holds the words after its name; the exit status. */
typedef int	ctl_fn(struct app *, int argc, char *argv[]);

struct ctl_cmd {
	const char	*name;
	ctl_fn		*fn;
	int		 needs_keys;	/* the KEKs are loaded first */
	const char	*args;		/* synopsis after the name */
	const char	*help;
};

/* ctl.c: open the database (exits on failure); statements prepared if
 * asked.  The handle's db_conf lives in ctl.c, as long as the program. */
struct db	*ctl_db(struct app *, int with_statements);
/* The same with the caller's statements (which must outlive it). */
struct db	*ctl_db_with(struct app *, const char *const *stmts, size_t n);

/* ctl-store.c */
/* Create data_dir's layout.  0 ok. */
int	ctl_init_store(struct app *);
/* Re-seal share-link tokens under the active KEK's link key. */
int	ctl_rotate_links(struct app *, struct db *);
ctl_fn	ctl_fsck, ctl_gc, ctl_rotate_key, ctl_quota_recalc, ctl_stats,
	ctl_purge_pending;
#endif
