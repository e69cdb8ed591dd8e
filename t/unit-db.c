/* lib/db against a real MariaDB: prepared statements with every
 * parameter kind and NULLs, text and binary results, duplicate-key
 * errors, transactions, and reconnecting after the server drops the
 * connection.  Needs TCLOUD_TEST_DB_SOCKET (./tcloud-dev test sets it);
 * skipped without a database, as under `make distcheck`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "tap.h"

enum { S_INS, S_GET, S_COUNT, S_CONN, S_TOUCH, S__MAX };
static const char *const stmts[S__MAX] = {
	[S_INS] = "INSERT INTO unit_db_scratch (n, s, b, d) VALUES (?, ?, ?, ?)",
	[S_GET] = "SELECT id, n, s, b, d, created FROM unit_db_scratch WHERE n = ?",
	[S_COUNT] = "SELECT COUNT(*) FROM unit_db_scratch",
	[S_CONN] = "SELECT CONNECTION_ID()",
	[S_TOUCH] = "UPDATE unit_db_scratch SET d = d + 1 WHERE n = ?",
};

int
main(void)
{
	const char *sock = getenv("TCLOUD_TEST_DB_SOCKET");
	struct db_conf c;
	struct db *db, *boot, *other;
	unsigned attempt;
	struct db_res *r;
	unsigned char bin[4] = { 0, 1, 0xff, 0 };
	char err[256], kill[64];
	long long id;

	if (sock == NULL) {
		printf("1..0 # SKIP TCLOUD_TEST_DB_SOCKET not set (no database)\n");
		return 0;
	}
	log_init("unit-db", LOG_ERR);
	memset(&c, 0, sizeof(c));
	c.socket = sock;
	c.user = getenv("TCLOUD_TEST_DB_USER");
	c.password = getenv("TCLOUD_TEST_DB_PASSWORD");
	c.name = getenv("TCLOUD_TEST_DB_NAME");
	boot = db_open(&c, NULL, 0, err, sizeof(err));
	ok(boot && db_exec_text(boot, "DROP TABLE IF EXISTS unit_db_scratch") == 0 &&
	    db_exec_text(boot, "CREATE TABLE unit_db_scratch (id BIGINT AUTO_INCREMENT "
	    "PRIMARY KEY, n BIGINT UNIQUE, s VARCHAR(64), b VARBINARY(16), d DOUBLE, "
	    "created DATETIME DEFAULT '2026-01-02 03:04:05')") == 0, "scratch table");
	ok(db_open(&c, (const char *const[]){ "SELECT nope FROM nowhere" }, 1,
	    err, sizeof(err)) == NULL && strstr(err, "prepare"), "a bad statement fails at open: %s", err);
	db = db_open(&c, stmts, S__MAX, err, sizeof(err));
	ok(db != NULL, "open and prepare all");

	is_int(db_exec(db, S_INS, "isbd", 7LL, "héllo", bin, sizeof(bin), 1.5), 1, "insert with every kind");
	id = db_insert_id(db);
	ok(id > 0, "insert id");
	is_int(db_exec(db, S_INS, "isbd", 8LL, NULL, NULL, (size_t)0, 0.0), 1, "NULL string and blob");
	is_int(db_exec(db, S_INS, "isbd", 7LL, "dup", bin, sizeof(bin), 0.0), -1, "duplicate key fails");
	is_int(db_errno(db), 1062, "with errno 1062");
	is_int(db_err(db), DB_DUPLICATE, "named DB_DUPLICATE");
	is_int(db_exec(db, S_INS, "is", 9LL, "x"), -1, "wrong parameter count refused");

	r = db_query(db, S_GET, "i", 7LL);
	ok(r && db_rows(r) == 1, "select one row");
	is_int(db_int(r, 0, 0), id, "integer column");
	is_str(db_str(r, 0, 2), "héllo", "UTF-8 text column");
	ok(db_len(r, 0, 3) == 4 && memcmp(db_str(r, 0, 3), bin, 4) == 0, "binary column with NULs");
	is_str(db_str(r, 0, 5), "2026-01-02 03:04:05", "DATETIME as text");
	db_res_free(r);
	r = db_query(db, S_GET, "i", 8LL);
	ok(r && db_null(r, 0, 2) && db_null(r, 0, 3) && db_str(r, 0, 2) == NULL, "NULLs read back");
	db_res_free(r);
	r = db_query(db, S_GET, "i", 12345LL);
	ok(r && db_rows(r) == 0, "no rows");
	db_res_free(r);

	ok(db_begin(db) == 0 && db_exec(db, S_INS, "isbd", 10LL, "tx", bin, (size_t)1, 0.0) == 1,
	    "insert in a transaction");
	db_rollback(db);
	r = db_query(db, S_COUNT, "");
	is_int(db_int(r, 0, 0), 2, "rollback undid it");
	db_res_free(r);
	ok(db_begin(db) == 0 && db_exec(db, S_INS, "isbd", 11LL, "tx", bin, (size_t)1, 0.0) == 1 &&
	    db_commit(db) == 0, "commit");
	r = db_query(db, S_COUNT, "");
	is_int(db_int(r, 0, 0), 3, "commit kept it");
	db_res_free(r);

	/* A lock wait timeout is DB_RETRY, and db_tx_begin retries it;
	 * a duplicate only when asked to; nothing past DB_TX_TRIES. */
	other = db_open(&c, stmts, S__MAX, err, sizeof(err));
	ok(other && db_begin(other) == 0 && db_exec(other, S_TOUCH, "i", 7LL) == 1,
	    "another connection holds a row lock");
	attempt = 0;
	ok(db_exec_text(db, "SET SESSION innodb_lock_wait_timeout = 1") == 0 &&
	    db_tx_begin(db, &attempt, 0) == 0 && attempt == 1, "first attempt begins");
	is_int(db_exec(db, S_TOUCH, "i", 7LL), -1, "waiting for the lock times out");
	ok(db_err(db) == DB_RETRY, "named DB_RETRY (errno %u)", db_errno(db));
	db_rollback(db);
	is_int(db_err(db), DB_RETRY, "rollback keeps the error");
	ok(db_commit(other) == 0, "the holder commits");
	ok(db_tx_begin(db, &attempt, 0) == 0 && attempt == 2, "DB_RETRY begins a second attempt");
	ok(db_exec(db, S_TOUCH, "i", 7LL) == 1 && db_commit(db) == 0, "which succeeds");
	is_int(db_err(db), DB_OK, "DB_OK after success");
	db_exec(db, S_INS, "isbd", 7LL, "dup", bin, sizeof(bin), 0.0);
	ok(db_tx_begin(db, &attempt, 0) == -1, "a duplicate is not retried by default");
	db_exec(db, S_INS, "isbd", 7LL, "dup", bin, sizeof(bin), 0.0);
	ok(db_tx_begin(db, &attempt, DB_TX_RETRY_DUP) == 0, "but is with DB_TX_RETRY_DUP");
	db_rollback(db);
	attempt = DB_TX_TRIES;
	db_exec(db, S_INS, "isbd", 7LL, "dup", bin, sizeof(bin), 0.0);
	ok(db_tx_begin(db, &attempt, DB_TX_RETRY_DUP) == -1, "no attempt past DB_TX_TRIES");
	ok(db_exec(db, S_INS, "is", 9LL, "x") == -1 && db_err(db) == DB_ERROR,
	    "a misuse is DB_ERROR");
	db_close(other);

	/* The server drops the connection: the next call reconnects,
	 * re-prepares and succeeds. */
	r = db_query(db, S_CONN, "");
	snprintf(kill, sizeof(kill), "KILL CONNECTION %lld", db_int(r, 0, 0));
	db_res_free(r);
	ok(db_exec_text(boot, kill) == 0, "connection killed by the server");
	r = db_query(db, S_COUNT, "");
	ok(r && db_int(r, 0, 0) == 3, "next query reconnects and works");
	db_res_free(r);
	ok(db_ping(db) == 0, "ping");

	/* Lost inside a transaction: no silent reconnect, DB_GONE. */
	r = db_query(db, S_CONN, "");
	snprintf(kill, sizeof(kill), "KILL CONNECTION %lld", db_int(r, 0, 0));
	db_res_free(r);
	ok(db_begin(db) == 0 && db_exec_text(boot, kill) == 0, "killed inside a transaction");
	ok(db_exec(db, S_TOUCH, "i", 7LL) == -1 && db_err(db) == DB_GONE,
	    "named DB_GONE");
	db_rollback(db);
	attempt = 1;
	ok(db_tx_begin(db, &attempt, 0) == -1, "DB_GONE is not retried");
	ok(db_ping(db) == 0, "the next call outside reconnects");
	db_exec_text(boot, "DROP TABLE unit_db_scratch");
	db_close(db);
	db_close(boot);
	return done_testing();
}
