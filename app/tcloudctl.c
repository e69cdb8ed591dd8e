/* tcloudctl: the admin CLI (SPEC §6).  Shares conf, keys and SQL with
 * the worker; talks to the same database and data_dir. */
#include <autoconfig.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto.h"
#include "log.h"
#include "names.h"
#include "app.h"
#include "ctl.h"
#include "keys.h"
#include "migrations.h"
#include "sql.h"

static struct db_conf dbc;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tcloudctl [-c tcloud.conf] command\n"
	    "  init                      create keys, data_dir, migrate\n"
	    "  migrate                   apply missing schema migrations\n"
	    "  user add NAME [--admin] [--email ADDR] [--if-missing]\n"
	    "                            password read from stdin\n"
	    "  backup DIR                consistent snapshot: database, blobs, keys\n"
	    "  restore DIR [--force]     bring a backup back (--force: replace)\n");
	exit(2);
}

struct db *
ctl_db(struct app *a, int with_statements)
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
	db = db_open(&dbc, with_statements ? sql : NULL,
	    with_statements ? SQL__MAX : 0, err, sizeof(err));
	if (db == NULL || db_ping(db) == -1) {
		fprintf(stderr, "tcloudctl: database: %s\n",
		    db ? "unreachable" : err);
		exit(1);
	}
	return db;
}

/* Apply each migration newer than the recorded version.  MariaDB commits
 * DDL implicitly, so a migration is not atomic: each statement is written
 * to be the only one that can fail half-way, and the version row is
 * written after the last statement succeeds. */
static int
cmd_migrate(struct app *a)
{
	static const char *const version_sql[] = {
		"SELECT COALESCE(MAX(version), 0) FROM schema_version"
	};
	struct db *db = ctl_db(a, 0), *vdb;
	struct db_res *res;
	char q[256];
	unsigned long i;
	int cur = 0;

	if (db_exec_text(db, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INT NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL, "
	    "applied_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP()) "
	    "ENGINE=InnoDB") == -1)
		return 1;
	if ((vdb = db_open(&dbc, version_sql, 1, q, sizeof(q))) == NULL ||
	    (res = db_query(vdb, 0, "")) == NULL) {
		fprintf(stderr, "tcloudctl: reading schema_version failed\n");
		return 1;
	}
	cur = (int)db_int(res, 0, 0);
	db_res_free(res);
	db_close(vdb);
	for (i = 0; i < nmigrations; i++) {
		const struct migration *m = &migrations[i];
		const char *p = m->sql, *end;

		if (m->version <= cur)
			continue;
		while (*p) {
			char *stmt;

			/* A statement ends with ';' at the end of a line. */
			end = strstr(p, ";\n");
			if (end == NULL)
				end = p + strlen(p);
			stmt = xstrndup(p, end - p);
			if (stmt[strspn(stmt, " \t\r\n")] != '\0' &&
			    db_exec_text(db, stmt) == -1) {
				fprintf(stderr, "tcloudctl: migration %s failed\n",
				    m->name);
				free(stmt);
				return 1;
			}
			free(stmt);
			p = *end ? end + 2 : end;
		}
		snprintf(q, sizeof(q), "INSERT INTO schema_version (version, "
		    "name) VALUES (%d, '%s')", m->version, m->name);
		if (db_exec_text(db, q) == -1)
			return 1;
		printf("applied migration %s\n", m->name);
	}
	db_close(db);
	return 0;
}

static int
cmd_init(struct app *a)
{
	const char *files[] = { a->conf.jwt_secret_file, a->conf.master_key_file };
	size_t i;
	int rc;

	if (mkdir(a->conf.data_dir, 0700) == -1 && errno != EEXIST) {
		fprintf(stderr, "tcloudctl: mkdir %s: %s\n", a->conf.data_dir,
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if ((rc = keys_create_secret(files[i], 32)) == -1) {
			fprintf(stderr, "tcloudctl: create %s: %s\n", files[i],
			    strerror(errno));
			return 1;
		}
		if (rc == 1)
			printf("created %s\n", files[i]);
	}
	if (ctl_init_store(a) != 0)
		return 1;
	return cmd_migrate(a);
}

static char *
read_password(void)
{
	char buf[1100];
	size_t n;

	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return xstrdup(buf);
}

static int
cmd_user_add(struct app *a, int argc, char *argv[])
{
	const char *name, *email = NULL;
	int admin = 0, if_missing = 0, i, rc = 1;
	struct db_res *res;
	char *pw = NULL, *hash = NULL, *defemail = NULL;
	struct db *db;
	long long n;

	if (argc < 1)
		usage();
	name = argv[0];
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--admin"))
			admin = 1;
		else if (!strcmp(argv[i], "--if-missing"))
			if_missing = 1;
		else if (!strcmp(argv[i], "--email") && i + 1 < argc)
			email = argv[++i];
		else
			usage();
	}
	if (!username_valid(name)) {
		fprintf(stderr, "tcloudctl: invalid username\n");
		return 1;
	}
	db = ctl_db(a, 1);
	if ((res = db_query(db, SQL_USER_EXISTS_NAME, "s", name)) == NULL)
		goto out;
	n = db_rows(res);
	db_res_free(res);
	if (n) {
		fprintf(stderr, "tcloudctl: user %s exists\n", name);
		rc = if_missing ? 0 : 1;
		goto out;
	}
	if ((pw = read_password()) == NULL || strlen(pw) < 8 ||
	    strlen(pw) > 1024) {
		fprintf(stderr, "tcloudctl: a password of 8 to 1024 bytes is "
		    "read from stdin\n");
		goto out;
	}
	defemail = xasprintf("%s@localhost", name);
	if (email == NULL)
		email = defemail;
	hash = crypto_password_hash(pw, strlen(pw), &a->argon2);
	if (hash == NULL || db_exec(db, SQL_USER_INSERT, "sssssi", name, email,
	    hash, admin ? "admin" : "user", "active",
	    a->conf.default_quota) == -1) {
		fprintf(stderr, "tcloudctl: could not add user %s\n", name);
		goto out;
	}
	printf("added %s%s\n", name, admin ? " (admin)" : "");
	rc = 0;
out:
	free(hash);
	free(defemail);
	if (pw)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	db_close(db);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char *path = getenv("TCLOUD_CONF");
	static struct app app;
	char err[512];
	int ch, rc;

	while ((ch = getopt(argc, argv, "+c:")) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	log_init("tcloudctl", LOG_WARN);
	if (crypto_init() == -1 ||
	    conf_load(&app.conf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "tcloudctl: %s\n", err);
		return 1;
	}
	app.argon2.t_cost = app.conf.argon2_t;
	app.argon2.m_kib = app.conf.argon2_m_kib;
	app.argon2.parallelism = 1;
	if (!strcmp(argv[0], "init"))
		rc = cmd_init(&app);
	else if (!strcmp(argv[0], "migrate"))
		rc = cmd_migrate(&app);
	else if (!strcmp(argv[0], "user") && argc >= 2 && !strcmp(argv[1], "add"))
		rc = cmd_user_add(&app, argc - 2, argv + 2);
	else if ((rc = ctl_backup_command(&app, argc, argv)) == -1)
		rc = ctl_command(&app, argc, argv);
	if (app.keyring.keks)
		explicit_bzero(app.keyring.keks,
		    app.keyring.n * sizeof(*app.keyring.keks));
	free(app.keyring.keks);
	conf_free(&app.conf);
	return rc;
}
