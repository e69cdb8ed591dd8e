/* MariaDB access through prepared statements only.  The caller hands a
 * table of SQL texts at open; every statement is prepared then, so a bad
 * statement stops the program at start.  Parameters are bound from a
 * format string, never spliced into SQL.  A lost connection is
 * re-established (and the statements re-prepared) once per call when no
 * transaction is open.
 *
 * Parameter formats: 'i' long long, 'n' long long binding NULL when 0
 * (optional ids), 's' const char * (NULL binds NULL),
 * 'b' const void *, size_t (binary; NULL binds NULL), 'd' double.
 * Results come back as text (integers in decimal, times as
 * "YYYY-MM-DD HH:MM:SS") or raw bytes for binary columns. */
#ifndef DB_H
#define DB_H
#include <stddef.h>

struct db_conf {
	const char	*socket;	/* unix socket, or NULL/"" for host */
	const char	*host;
	unsigned	 port;
	const char	*user, *password, *name;
};

struct db;
struct db_res;

/* What went wrong with the last call, by kind, so callers never compare
 * server numbers. */
enum db_err {
	DB_OK,		/* the last call succeeded */
	DB_DUPLICATE,	/* a unique key refused the row (1062) */
	DB_RETRY,	/* deadlock (1213), lock wait timeout (1205), a
			 * snapshot conflict (1020) or a Galera certification
			 * failure (reported as 1213): the transaction was rolled
			 * back by the server and is worth running again */
	DB_GONE,	/* no connection to the server (down, unreachable, or
			 * lost inside a transaction) */
	DB_ERROR	/* anything else: a bug or a constraint; do not retry */
};

/* Connect and prepare stmts[0..n).  NULL with a message in err when a
 * statement does not prepare; an unreachable server is not fatal (the
 * handle reconnects on the next call). */
struct db	*db_open(const struct db_conf *, const char *const *stmts,
		    size_t n, char *err, size_t errlen);
void		 db_close(struct db *);

/* Run a statement.  Returns affected rows (>= 0) or -1 on error. */
long long	 db_exec(struct db *, int stmt, const char *fmt, ...);
/* Run a statement and fetch all its rows.  NULL on error. */
struct db_res	*db_query(struct db *, int stmt, const char *fmt, ...);
/* AUTO_INCREMENT id of the last insert on this connection. */
long long	 db_insert_id(struct db *);
/* Kind of the last call's error, DB_OK if it succeeded. */
enum db_err	 db_err(struct db *);
const char	*db_strerror(enum db_err);
/* Server or client error number of the last failed call, 0 if it
 * succeeded: for log lines only, decisions use db_err(). */
unsigned	 db_errno(struct db *);
/* 1 when the last failed call failed because the server is unreachable
 * (connection refused or lost and not re-established): the caller may
 * answer "try again later" instead of "internal error". */
int		 db_gone(struct db *);
/* Run a plain SQL text with no parameters (migrations, pings). */
int		 db_exec_text(struct db *, const char *sql);
/* 0 if the server answers (reconnecting if needed), -1 otherwise. */
int		 db_ping(struct db *);

int		 db_begin(struct db *);
int		 db_commit(struct db *);
/* Roll back; db_err() still tells why. */
void		 db_rollback(struct db *);

/* The one retry policy for a writer's transaction.  A writer loops
 *
 *	unsigned attempt = 0;
 *	while (db_tx_begin(db, &attempt, 0) == 0) {
 *		if (statement fails) { db_rollback(db); continue; }
 *		if (db_commit(db) == 0) return done;
 *		db_rollback(db);
 *	}
 *	failed: db_err(db) says why (DB_GONE: server unreachable)
 *
 * The first call begins at once.  A later call begins again only when
 * the attempt before it failed with DB_RETRY (or DB_DUPLICATE, with
 * DB_TX_RETRY_DUP: a racing insert took a name the next attempt will
 * see) and fewer than DB_TX_TRIES attempts were made, after a jittered,
 * growing pause (about 1..2 ms times the attempt number) so that two
 * writers that deadlocked do not collide again in step.  -1 when it
 * will not begin, or BEGIN failed. */
#define DB_TX_TRIES	10
#define DB_TX_RETRY_DUP	0x1
int		 db_tx_begin(struct db *, unsigned *attempt, int flags);

size_t		 db_rows(const struct db_res *);
/* Column value of row r as text (NUL-terminated), or NULL for SQL NULL. */
const char	*db_str(const struct db_res *, size_t r, size_t col);
size_t		 db_len(const struct db_res *, size_t r, size_t col);
/* Column value of row r into buf (truncated to size - 1 bytes); "" for
 * SQL NULL. */
void		 db_copy(const struct db_res *, size_t r, size_t col, char *buf,
		    size_t size);
/* Column as an integer (0 for NULL). */
long long	 db_int(const struct db_res *, size_t r, size_t col);
int		 db_null(const struct db_res *, size_t r, size_t col);
void		 db_res_free(struct db_res *);
#endif
