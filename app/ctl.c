/* What tcloudctl's commands share: the database handle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "ctl.h"
#include "sql.h"

/* db_open keeps a pointer to its conf: static, it outlives the handle. */
static struct db_conf dbc;

struct db *
ctl_db(struct app *a, int with_statements)
{
	return with_statements ? ctl_db_with(a, sql, SQL__MAX) :
	    ctl_db_with(a, NULL, 0);
}

struct db *
ctl_db_with(struct app *a, const char *const *stmts, size_t n)
{
	char err[512];
	struct db *db;

	memset(&dbc, 0, sizeof(dbc));
	dbc.socket = a->conf.db_socket;
	dbc.host = a->conf.db_host;
	dbc.port = a->conf.db_port;
	dbc.user = a->conf.db_user;
	dbc.password = a->conf.db_password;
	dbc.name = a->conf.db_name;
	db = db_open(&dbc, stmts, n, err, sizeof(err));
	if (db == NULL || db_ping(db) == -1) {
		fprintf(stderr, "tcloudctl: database: %s\n",
		    db ? "unreachable" : err);
		exit(1);
	}
	return db;
}
