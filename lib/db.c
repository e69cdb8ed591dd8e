/* lib/db: MariaDB through prepared statements (contract in db.h).  The
 * handle keeps pointers to the caller's db_conf and statement table,
 * which must outlive it: reconnecting re-reads both. */
#include <sys/random.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"
#include "log.h"
#include "xmalloc.h"

#define DB_MAX_PARAMS	24

struct db {
	MYSQL			*my;
	const struct db_conf	*conf;
	const char *const	*sql;
	MYSQL_STMT		**stmts;
	size_t			 nstmts;
	int			 in_tx;
	unsigned		 err;
};

struct db_cell {
	char	*val;		/* NULL for SQL NULL */
	size_t	 len;
};

struct db_res {
	size_t		 nrows, ncols;
	struct db_cell	*cells;		/* nrows * ncols */
};

static int
connect_db(struct db *db, char *err, size_t errlen)
{
	const struct db_conf *c = db->conf;
	unsigned timeout = 5;
	my_bool off = 0;
	size_t i;

	if ((db->my = mysql_init(NULL)) == NULL) {
		snprintf(err, errlen, "mysql_init failed");
		return -1;
	}
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* We reconnect ourselves, re-preparing statements on the way. */
	mysql_options(db->my, MYSQL_OPT_RECONNECT, &off);
	/* max_recursive_iterations: MariaDB silently ends a recursive CTE
	 * there (1000 by default); callers bound their walks themselves and
	 * must see where they stopped, never a quietly partial result. */
	mysql_options(db->my, MYSQL_INIT_COMMAND,
	    "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO', "
	    "max_recursive_iterations = 1000000");
	if (mysql_real_connect(db->my, c->socket && *c->socket ? NULL : c->host,
	    c->user, c->password, c->name, c->port,
	    c->socket && *c->socket ? c->socket : NULL, 0) == NULL) {
		snprintf(err, errlen, "connect: %s", mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
		return -2;
	}
	for (i = 0; i < db->nstmts; i++) {
		if (db->sql[i] == NULL)
			continue;
		db->stmts[i] = mysql_stmt_init(db->my);
		if (db->stmts[i] == NULL ||
		    mysql_stmt_prepare(db->stmts[i], db->sql[i],
		    strlen(db->sql[i])) != 0) {
			snprintf(err, errlen, "prepare statement %zu: %s", i,
			    db->stmts[i] ? mysql_stmt_error(db->stmts[i]) :
			    "out of memory");
			return -1;
		}
	}
	return 0;
}

static void
disconnect_db(struct db *db)
{
	size_t i;

	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i]) {
			mysql_stmt_close(db->stmts[i]);
			db->stmts[i] = NULL;
		}
	if (db->my)
		mysql_close(db->my);
	db->my = NULL;
	db->in_tx = 0;
}

struct db *
db_open(const struct db_conf *conf, const char *const *stmts, size_t n,
    char *err, size_t errlen)
{
	struct db *db = xcalloc(1, sizeof(*db));

	db->conf = conf;
	db->sql = stmts;
	db->nstmts = n;
	db->stmts = xcalloc(n ? n : 1, sizeof(*db->stmts));
	switch (connect_db(db, err, errlen)) {
	case -1:
		db_close(db);
		return NULL;
	case -2:
		/* Unreachable now: serve 503s and reconnect on demand. */
		log_warn("database: %s (will retry)", err);
		disconnect_db(db);
		break;
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	disconnect_db(db);
	free(db->stmts);
	free(db);
}

static int
lost(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == ER_UNKNOWN_STMT_HANDLER || e == CR_CONN_HOST_ERROR ||
	    e == CR_CONNECTION_ERROR;
}

/* After a failure: reconnect if the connection is gone and no
 * transaction would be lost.  1 if the caller should retry. */
static int
recover(struct db *db, unsigned e)
{
	char err[256];

	if (!lost(e) || db->in_tx)
		return 0;
	log_warn("database connection lost (%u); reconnecting", e);
	disconnect_db(db);
	if (connect_db(db, err, sizeof(err)) != 0) {
		log_err("database reconnect failed: %s", err);
		disconnect_db(db);
		return 0;
	}
	return 1;
}

static int
ensure_connected(struct db *db)
{
	char err[256];

	if (db->my)
		return 0;
	if (connect_db(db, err, sizeof(err)) != 0) {
		log_err("database connect failed: %s", err);
		disconnect_db(db);
		db->err = CR_SERVER_GONE_ERROR;
		return -1;
	}
	return 0;
}

struct params {
	MYSQL_BIND	b[DB_MAX_PARAMS];
	long long	ints[DB_MAX_PARAMS];
	double		dbls[DB_MAX_PARAMS];
	unsigned long	lens[DB_MAX_PARAMS];
	my_bool		nulls[DB_MAX_PARAMS];
};

static int
bind_params(struct params *p, const char *fmt, va_list ap)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; fmt[i]; i++) {
		MYSQL_BIND *b = &p->b[i];
		const void *ptr;

		if (i == DB_MAX_PARAMS)
			return -1;
		switch (fmt[i]) {
		case 'i':
		case 'n':
			p->ints[i] = va_arg(ap, long long);
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &p->ints[i];
			if (fmt[i] == 'n' && p->ints[i] == 0) {
				b->buffer_type = MYSQL_TYPE_NULL;
				p->nulls[i] = 1;
			}
			break;
		case 'd':
			p->dbls[i] = va_arg(ap, double);
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &p->dbls[i];
			break;
		case 's':
			ptr = va_arg(ap, const char *);
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = (void *)ptr;
			p->lens[i] = ptr ? strlen(ptr) : 0;
			break;
		case 'b':
			ptr = va_arg(ap, const void *);
			b->buffer_type = MYSQL_TYPE_BLOB;
			b->buffer = (void *)ptr;
			p->lens[i] = va_arg(ap, size_t);
			break;
		default:
			return -1;
		}
		if ((fmt[i] == 's' || fmt[i] == 'b') && b->buffer == NULL) {
			b->buffer_type = MYSQL_TYPE_NULL;
			p->nulls[i] = 1;
		}
		b->length = &p->lens[i];
		b->is_null = &p->nulls[i];
	}
	return 0;
}

/* Bind and execute, retrying once after a reconnect. */
static int
run(struct db *db, int idx, const char *fmt, va_list ap0)
{
	struct params p;
	MYSQL_STMT *st;
	char msg[512];
	int attempt;
	unsigned e;

	for (attempt = 0; attempt < 2; attempt++) {
		va_list ap;
		int rc;

		db->err = 0;
		if (ensure_connected(db) == -1)
			return -1;
		st = db->stmts[idx];
		va_copy(ap, ap0);
		rc = bind_params(&p, fmt, ap);
		va_end(ap);
		if (rc == -1 || mysql_stmt_param_count(st) != strlen(fmt)) {
			log_err("statement %d: parameter format '%s' does not "
			    "match", idx, fmt);
			db->err = CR_UNKNOWN_ERROR;
			return -1;
		}
		if ((fmt[0] == '\0' || mysql_stmt_bind_param(st, p.b) == 0) &&
		    mysql_stmt_execute(st) == 0)
			return 0;
		e = mysql_stmt_errno(st);
		db->err = e;
		/* recover() may close st: keep its message first. */
		snprintf(msg, sizeof(msg), "%s", mysql_stmt_error(st));
		if (!recover(db, e)) {
			if (e != ER_DUP_ENTRY && e != ER_LOCK_DEADLOCK &&
			    e != ER_LOCK_WAIT_TIMEOUT)
				log_err("statement %d: %s", idx, msg);
			return -1;
		}
	}
	return -1;
}

static struct db_res *
fetch_all(struct db *db, MYSQL_STMT *st)
{
	MYSQL_RES *meta;
	struct db_res *res;
	MYSQL_BIND *b = NULL;
	unsigned long *lens = NULL;
	my_bool *nulls = NULL, *errs = NULL, upd = 1;
	char **bufs = NULL;
	size_t ncols, c, cap = 0;
	int rc;

	res = xcalloc(1, sizeof(*res));
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return res;	/* no result set */
	ncols = mysql_num_fields(meta);
	res->ncols = ncols;
	mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &upd);
	if (mysql_stmt_store_result(st) != 0)
		goto fail;
	b = xcalloc(ncols, sizeof(*b));
	lens = xcalloc(ncols, sizeof(*lens));
	nulls = xcalloc(ncols, sizeof(*nulls));
	errs = xcalloc(ncols, sizeof(*errs));
	bufs = xcalloc(ncols, sizeof(*bufs));
	for (c = 0; c < ncols; c++) {
		MYSQL_FIELD *f = mysql_fetch_field_direct(meta, c);
		size_t sz = f->max_length > 64 ? f->max_length : 64;

		bufs[c] = xmalloc(sz + 1);
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = bufs[c];
		b[c].buffer_length = sz;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
		b[c].error = &errs[c];
	}
	if (mysql_stmt_bind_result(st, b) != 0)
		goto fail;
	while ((rc = mysql_stmt_fetch(st)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
		struct db_cell *row;

		if (res->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			res->cells = xrealloc(res->cells,
			    cap * ncols * sizeof(*res->cells));
		}
		row = &res->cells[res->nrows * ncols];
		/* Zeroed first: a failed fetch below frees the whole row. */
		memset(row, 0, ncols * sizeof(*row));
		for (c = 0; c < ncols; c++) {
			row[c].len = 0;
			row[c].val = NULL;
			if (nulls[c])
				continue;
			row[c].len = lens[c];
			row[c].val = xmalloc(lens[c] + 1);
			if (lens[c] > b[c].buffer_length) {
				/* Rare: a value longer than max_length said. */
				MYSQL_BIND one = b[c];

				one.buffer = row[c].val;
				one.buffer_length = lens[c];
				if (mysql_stmt_fetch_column(st, &one, c, 0) != 0)
					goto fail_row;
			} else
				memcpy(row[c].val, bufs[c], lens[c]);
			row[c].val[lens[c]] = '\0';
		}
		res->nrows++;
		continue;
fail_row:
		res->nrows++;
		goto fail;
	}
	if (rc != MYSQL_NO_DATA)
		goto fail;
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	for (c = 0; c < ncols; c++)
		free(bufs[c]);
	free(bufs); free(b); free(lens); free(nulls); free(errs);
	return res;
fail:
	db->err = mysql_stmt_errno(st) ? mysql_stmt_errno(st) : CR_UNKNOWN_ERROR;
	log_err("fetch: %s", mysql_stmt_error(st));
	mysql_stmt_free_result(st);
	mysql_free_result(meta);
	if (bufs)
		for (c = 0; c < ncols; c++)
			free(bufs[c]);
	free(bufs); free(b); free(lens); free(nulls); free(errs);
	db_res_free(res);
	return NULL;
}

long long
db_exec(struct db *db, int stmt, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = run(db, stmt, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return -1;
	return (long long)mysql_stmt_affected_rows(db->stmts[stmt]);
}

struct db_res *
db_query(struct db *db, int stmt, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = run(db, stmt, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return NULL;
	return fetch_all(db, db->stmts[stmt]);
}

long long
db_insert_id(struct db *db)
{
	return db->my ? (long long)mysql_insert_id(db->my) : 0;
}

unsigned
db_errno(struct db *db)
{
	return db->err;
}

enum db_err
db_err(struct db *db)
{
	unsigned e = db->err;

	if (e == 0)
		return DB_OK;
	if (e == ER_DUP_ENTRY)
		return DB_DUPLICATE;
	/* Galera reports a certification failure as a deadlock. */
	if (e == ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT ||
	    e == ER_CHECKREAD)
		return DB_RETRY;
	/* 1047: a Galera node that is not synced refuses all queries. */
	if (lost(e) || e == ER_UNKNOWN_COM_ERROR || db->my == NULL)
		return DB_GONE;
	return DB_ERROR;
}

const char *
db_strerror(enum db_err e)
{
	switch (e) {
	case DB_OK:		return "ok";
	case DB_DUPLICATE:	return "duplicate key";
	case DB_RETRY:		return "transaction conflict (retryable)";
	case DB_GONE:		return "database unreachable";
	case DB_ERROR:		break;
	}
	return "database error";
}

int
db_tx_begin(struct db *db, unsigned *attempt, int flags)
{
	enum db_err e = db_err(db);
	unsigned short r = 0;
	struct timespec ts;

	if (*attempt > 0) {
		if (*attempt >= DB_TX_TRIES || !(e == DB_RETRY ||
		    (e == DB_DUPLICATE && (flags & DB_TX_RETRY_DUP))))
			return -1;
		log_warn("transaction: attempt %u after %s (%u)", *attempt + 1,
		    db_strerror(e), db->err);
		/* Jitter need not be secret: only unlike the other writer's. */
		if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
			r = (unsigned short)(clock() ^ (uintptr_t)&r);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)*attempt * 1000000L +
		    (long)(r % (*attempt * 2000)) * 1000L;
		nanosleep(&ts, NULL);
	}
	(*attempt)++;
	return db_begin(db);
}

int
db_gone(struct db *db)
{
	return db->err != 0 && lost(db->err);
}

int
db_exec_text(struct db *db, const char *sql)
{
	MYSQL_RES *r;

	db->err = 0;
	if (ensure_connected(db) == -1)
		return -1;
	if (mysql_query(db->my, sql) != 0) {
		db->err = mysql_errno(db->my);
		if (recover(db, db->err) && mysql_query(db->my, sql) == 0)
			goto ok;
		db->err = db->my ? mysql_errno(db->my) : CR_SERVER_GONE_ERROR;
		log_err("query: %s", db->my ? mysql_error(db->my) : "no connection");
		return -1;
	}
ok:
	/* Drain results of multi-statement texts and SELECTs. */
	do {
		if ((r = mysql_store_result(db->my)) != NULL)
			mysql_free_result(r);
	} while (mysql_next_result(db->my) == 0);
	return 0;
}

int
db_ping(struct db *db)
{
	if (ensure_connected(db) == -1)
		return -1;
	if (mysql_ping(db->my) == 0)
		return 0;
	return recover(db, CR_SERVER_GONE_ERROR) ? 0 : -1;
}

int
db_begin(struct db *db)
{
	if (db_exec_text(db, "START TRANSACTION") == -1)
		return -1;
	db->in_tx = 1;
	return 0;
}

int
db_commit(struct db *db)
{
	int rc = db_exec_text(db, "COMMIT");

	db->in_tx = 0;
	return rc;
}

void
db_rollback(struct db *db)
{
	unsigned e = db->err;

	if (db->my)
		(void)mysql_rollback(db->my);
	db->in_tx = 0;
	db->err = e;	/* keep the error that made us roll back */
}

size_t
db_rows(const struct db_res *r)
{
	return r ? r->nrows : 0;
}

const char *
db_str(const struct db_res *r, size_t row, size_t col)
{
	if (r == NULL || row >= r->nrows || col >= r->ncols)
		return NULL;
	return r->cells[row * r->ncols + col].val;
}

void
db_copy(const struct db_res *r, size_t row, size_t col, char *buf,
    size_t size)
{
	const char *s = db_str(r, row, col);

	snprintf(buf, size, "%s", s ? s : "");
}

size_t
db_len(const struct db_res *r, size_t row, size_t col)
{
	if (r == NULL || row >= r->nrows || col >= r->ncols)
		return 0;
	return r->cells[row * r->ncols + col].len;
}

long long
db_int(const struct db_res *r, size_t row, size_t col)
{
	const char *s = db_str(r, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

int
db_null(const struct db_res *r, size_t row, size_t col)
{
	return db_str(r, row, col) == NULL;
}

void
db_res_free(struct db_res *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i].val);
	free(r->cells);
	free(r);
}
