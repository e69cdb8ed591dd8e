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

static void usage(void);

/* Apply each migration newer than the recorded version.  MariaDB commits
 * DDL implicitly, so a migration is not atomic: each statement is written
 * to be the only one that can fail half-way, and the version row is
 * written after the last statement succeeds. */
static int
cmd_migrate(struct app *a, int argc, char *argv[])
{
	static const char *const version_sql[] = {
		"SELECT COALESCE(MAX(version), 0) FROM schema_version"
	};
	struct db *db = ctl_db(a, 0), *vdb;
	struct db_res *res;
	char q[256];
	unsigned long i;
	int cur = 0;

	(void)argc;
	(void)argv;
	if (db_exec_text(db, "CREATE TABLE IF NOT EXISTS schema_version ("
	    "version INT NOT NULL PRIMARY KEY, name VARCHAR(128) NOT NULL, "
	    "applied_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP()) "
	    "ENGINE=InnoDB") == -1)
		return 1;
	vdb = ctl_db_with(a, version_sql, 1);
	if ((res = db_query(vdb, 0, "")) == NULL) {
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
cmd_init(struct app *a, int argc, char *argv[])
{
	const char *files[] = { a->conf.jwt_secret_file, a->conf.master_key_file };
	unsigned char jwt[64];
	size_t i, n;
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
	/* A key file that was there already is kept: it must be one the
	 * workers will accept, or init would succeed and they would not start. */
	rc = app_load_keys(a) == -1 || keys_read_secret(a->conf.jwt_secret_file,
	    jwt, 32, sizeof(jwt), &n) == -1;
	explicit_bzero(jwt, sizeof(jwt));
	if (rc)
		return 1;
	if (ctl_init_store(a) != 0)
		return 1;
	return cmd_migrate(a, argc, argv);
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

/* user add NAME ...: argv[0] is "add". */
static int
cmd_user(struct app *a, int argc, char *argv[])
{
	const char *name, *email = NULL;
	int admin = 0, if_missing = 0, i, rc = 1;
	struct db_res *res;
	char *pw = NULL, *hash = NULL, *defemail = NULL;
	struct db *db;
	long long n;

	if (argc < 2 || strcmp(argv[0], "add") != 0)
		usage();
	argc--;
	argv++;
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
	/* The default NAME@localhost is this command's own; a given address
	 * passes the same check as at registration. */
	if (email != NULL && !email_valid(email)) {
		fprintf(stderr, "tcloudctl: invalid email address '%s'\n",
		    email);
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

/* Every command, in the order usage lists them.  Adding one is one line
 * here and its function in the file of its job. */
static const struct ctl_cmd cmds[] = {
	{ "init", cmd_init, 0, "", "create keys, data_dir, migrate" },
	{ "migrate", cmd_migrate, 0, "", "apply missing schema migrations" },
	{ "user", cmd_user, 0, "add NAME [--admin] [--email ADDR] [--if-missing]",
	    "add a user; password read from stdin" },
	{ "fsck", ctl_fsck, 1, "", "check every row against its blob" },
	{ "gc", ctl_gc, 1, "[--older-than SECONDS]",
	    "remove orphan blobs and stale temp files" },
	{ "rotate-key", ctl_rotate_key, 1, "",
	    "re-wrap every blob and link token under the active key" },
	{ "quota-recalc", ctl_quota_recalc, 0, "",
	    "recompute each user's used bytes from the files" },
	{ "stats", ctl_stats, 0, "", "counts of users, files, bytes, links" },
	{ "purge-pending", ctl_purge_pending, 0, "DAYS",
	    "delete accounts still pending after DAYS days" },
	/* backup copies the key files: they are checked (old_key_files
	 * too) as the workers check them, before anything is written. */
	{ "backup", ctl_backup, 1, "DIR",
	    "consistent snapshot: database, blobs, keys" },
	{ "restore", ctl_restore, 0, "DIR [--force]",
	    "bring a backup back (--force: replace)" },
};

static void
usage(void)
{
	size_t i;

	fprintf(stderr, "usage: tcloudctl [-c tcloud.conf] command\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(stderr, "  %s%s%s\n      %s\n", cmds[i].name,
		    *cmds[i].args ? " " : "", cmds[i].args, cmds[i].help);
	exit(2);
}

int
main(int argc, char *argv[])
{
	const char *path = getenv("TCLOUD_CONF");
	const struct ctl_cmd *c = NULL;
	static struct app app;
	char err[512];
	size_t i;
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
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			c = &cmds[i];
	if (c == NULL) {
		fprintf(stderr, "tcloudctl: unknown command '%s'\n", argv[0]);
		usage();
	}
	/* A word after a command that takes none (rotate-key --dry-run) must
	 * not be ignored: the command would run for real. */
	if (!*c->args && argc > 1) {
		fprintf(stderr, "tcloudctl: %s takes no arguments ('%s')\n",
		    c->name, argv[1]);
		usage();
	}
	log_init("tcloudctl", LOG_WARN);
	if (crypto_init() == -1 ||
	    conf_load(&app.conf, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "tcloudctl: %s\n", err);
		return 1;
	}
	app.argon2.t_cost = app.conf.argon2_t;
	app.argon2.m_kib = app.conf.argon2_m_kib;
	app.argon2.parallelism = 1;
	rc = c->needs_keys && app_load_keys(&app) == -1 ? 1 :
	    c->fn(&app, argc - 1, argv + 1);
	if (app.keyring.keks)
		explicit_bzero(app.keyring.keks,
		    app.keyring.n * sizeof(*app.keyring.keks));
	free(app.keyring.keks);
	conf_free(&app.conf);
	return rc;
}
