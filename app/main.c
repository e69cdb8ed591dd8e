/* tcloud.fcgi: one single-threaded FastCGI worker.  spawn-fcgi forks and
 * execs N of them on one socket; each holds its own DB connection and
 * keeps no state another worker would need (SPEC §1). */
#include <autoconfig.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcgiapp.h>

#include "crypto.h"
#include "log.h"
#include "app.h"
#include "keys.h"
#include "sql.h"

static void
usage(void)
{
	fprintf(stderr, "usage: tcloud.fcgi [-c tcloud.conf]\n");
	exit(2);
}

static enum log_level
level(const char *s)
{
	if (!strcmp(s, "debug")) return LOG_DEBUG;
	if (!strcmp(s, "warn")) return LOG_WARN;
	if (!strcmp(s, "error")) return LOG_ERR;
	return LOG_INFO;
}

int
main(int argc, char *argv[])
{
	const char *path = getenv("TCLOUD_CONF");
	struct db_conf dbc;
	static struct app app;
	FCGX_Request fr;
	struct http h;
	char err[512];
	unsigned char pw[16];
	int ch;

	while ((ch = getopt(argc, argv, "c:")) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		default: usage();
		}
	log_init("tcloud", LOG_INFO);
	if (crypto_init() == -1) {
		log_err("libgcrypt initialisation failed");
		return 1;
	}
	if (conf_load(&app.conf, path, err, sizeof(err)) == -1) {
		log_err("config: %s", err);
		return 1;
	}
	log_init("tcloud", level(app.conf.log_level));
	/* spawn-fcgi points stderr at /dev/null: log_file takes its place. */
	if (*app.conf.log_file) {
		int fd = open(app.conf.log_file, O_WRONLY | O_APPEND | O_CREAT |
		    O_CLOEXEC, 0600);

		/* Also when the launcher's redirect created it first. */
		if (fd != -1)
			(void)fchmod(fd, 0600);
		if (fd == -1 || dup2(fd, 2) == -1) {
			log_err("log_file %s: %s", app.conf.log_file,
			    strerror(errno));
			return 1;
		}
		close(fd);
	}
	if (app_load_keys(&app) == -1)
		return 1;
	if (keys_read_secret(app.conf.jwt_secret_file, app.jwt_key, 32,
	    sizeof(app.jwt_key), &app.jwt_keylen) == -1)
		return 1;
	app.argon2.t_cost = app.conf.argon2_t;
	app.argon2.m_kib = app.conf.argon2_m_kib;
	app.argon2.parallelism = 1;
	crypto_random(pw, sizeof(pw));
	if ((app.dummy_hash = crypto_password_hash((char *)pw, sizeof(pw),
	    &app.argon2)) == NULL) {
		log_err("argon2id failed (m=%lld KiB)", app.conf.argon2_m_kib);
		return 1;
	}
	memset(&dbc, 0, sizeof(dbc));
	dbc.socket = app.conf.db_socket;
	dbc.host = app.conf.db_host;
	dbc.port = app.conf.db_port;
	dbc.user = app.conf.db_user;
	dbc.password = app.conf.db_password;
	dbc.name = app.conf.db_name;
	if ((app.db = db_open(&dbc, sql, SQL__MAX, err, sizeof(err))) == NULL) {
		log_err("database: %s", err);
		return 1;
	}
	routes_init();
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_err("FCGX_Init failed");
		return 1;
	}
	log_info("worker ready");
	while (FCGX_Accept_r(&fr) >= 0) {
		if (http_init(&h, &fr) == 0)
			routes_dispatch(&app, &h);
		else
			log_err("request without REQUEST_METHOD/DOCUMENT_URI");
		/* A response cut short mid-stream must not end cleanly: a
		 * closed connection alone reads to nginx as the end of the
		 * response, so an invalid record (version 0) goes first,
		 * on a record boundary (the unflushed rest is dropped).
		 * nginx then fails the upstream and drops the client's
		 * connection without the last chunk. */
		if (h.abort) {
			static const unsigned char bad[8];

			log_warn("response aborted: connection dropped");
			if (write(fr.ipcFd, bad, sizeof(bad)) == -1)
				log_debug("abort record: %s", strerror(errno));
			FCGX_Free(&fr, 1);
		} else
			FCGX_Finish_r(&fr);
		http_clear(&h);
	}
	db_close(app.db);
	conf_free(&app.conf);
	return 0;
}
