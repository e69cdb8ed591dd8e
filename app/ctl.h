/* tcloudctl's commands, by file: tcloudctl.c (init, migrate, user) and
 * ctl-store.c (the blob store: fsck, gc, rotate-key, quota-recalc, stats). */
#ifndef CTL_H
#define CTL_H
#include "app.h"

/* Open the database (exits on failure); statements prepared if asked. */
struct db	*ctl_db(struct app *, int with_statements);
/* Create data_dir's layout.  0 ok. */
int	ctl_init_store(struct app *);
/* Re-seal share-link tokens under the active KEK's link key. */
int	ctl_rotate_links(struct app *, struct db *);
/* backup and restore (ctl-backup.c): exit status, -1 for another command. */
int	ctl_backup_command(struct app *, int argc, char *argv[]);
/* Any other command; exit status. */
int	ctl_command(struct app *, int argc, char *argv[]);
#endif
