/* tcloud.fcgi: one single-threaded FastCGI worker.  A supervisor
 * (multiwatch, systemd or mod_fcgid) runs N of them on one listening
 * socket on fd 0; each holds its own DB connection and keeps no state
 * another worker would need (SPEC §1). */
#include <autoconfig.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
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

/* Set by SIGTERM, SIGUSR1 (multiwatch's stop) and SIGUSR2 (its reload):
 * finish the request in hand, then exit; the supervisor starts a fresh
 * worker unless it is stopping itself. */
static volatile sig_atomic_t stopping;

static void
on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The stop signals are blocked while a request runs, so its reads and
 * writes are never interrupted; they are let in only while waiting for
 * the next connection (ppoll), where stopping loses nothing. */
static int
wait_connection(FCGX_Request *fr, const sigset_t *waitmask)
{
	static int ep = -2;
	struct epoll_event ev;
	struct pollfd p;
	int fd, rc;

	/* Idle workers wait on the shared socket through epoll with
	 * EPOLLEXCLUSIVE: a new connection wakes one of them, not all (each
	 * wake-up is a context switch that then loses the accept race). */
	if (ep == -2) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		ev.events = EPOLLIN | EPOLLEXCLUSIVE;
		ev.data.fd = fr->listen_sock;
		if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fr->listen_sock,
		    &ev) == -1) {
			close(ep);
			ep = -1;
		}
	}
	for (;;) {
		if (stopping)
			return -1;
		/* A connection the web server kept open (FCGI_KEEP_CONN)
		 * brings its next request on the same fd. */
		if (fr->ipcFd < 0 && ep >= 0)
			rc = epoll_pwait(ep, &ev, 1, -1, waitmask);
		else {
			p.fd = fr->ipcFd >= 0 ? fr->ipcFd : fr->listen_sock;
			p.events = POLLIN;
			rc = ppoll(&p, 1, NULL, waitmask);
		}
		if (rc == -1) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			return -1;
		}
		if (fr->ipcFd >= 0)
			return 0;
		/* The socket is non-blocking: another worker may have won. */
		fd = accept4(fr->listen_sock, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			/* FCGX_Accept_r reads the request from an ipcFd it
			 * finds open; keepConnection stops its opening
			 * FCGX_Finish_r from closing it first. */
			fr->ipcFd = fd;
			fr->keepConnection = 1;
			return 0;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED && errno != EPROTO) {
			log_err("accept: %s", strerror(errno));
			return -1;
		}
	}
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
	struct sigaction sa;
	sigset_t stopset, waitmask;
	struct http h;
	char err[512];
	unsigned char pw[16];
	struct sockaddr_storage ss;
	socklen_t sl;
	int ch, unix_sock;

	while ((ch = getopt(argc, argv, "c:")) != -1)
		switch (ch) {
		case 'c': path = optarg; break;
		default: usage();
		}
	log_init("tcloud", LOG_INFO);
	/* A fixed mmap threshold: glibc would otherwise raise it after the
	 * first Argon2 buffer (19 MiB) is freed, serve the next from the
	 * heap and keep it there; fixed, every large buffer goes back to the
	 * kernel and the idle worker stays small. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
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
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGUSR1);
	sigaddset(&stopset, SIGUSR2);
	sigprocmask(SIG_BLOCK, &stopset, &waitmask);
	sigdelset(&waitmask, SIGTERM);
	sigdelset(&waitmask, SIGUSR1);
	sigdelset(&waitmask, SIGUSR2);
	if (fcntl(fr.listen_sock, F_SETFL, fcntl(fr.listen_sock, F_GETFL) |
	    O_NONBLOCK) == -1) {
		log_err("fd 0 is not the FastCGI listening socket");
		return 1;
	}
	sl = sizeof(ss);
	unix_sock = getsockname(fr.listen_sock, (struct sockaddr *)&ss,
	    &sl) == 0 && ss.ss_family == AF_UNIX;
	log_info("worker ready");
	while (wait_connection(&fr, &waitmask) == 0 &&
	    FCGX_Accept_r(&fr) >= 0) {
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
		} else {
			/* libfcgi closes by shutting down its side and waiting
			 * for the server to close (up to 2 s): on TCP, unread
			 * input would otherwise reset the connection and lose
			 * the response.  On a unix socket queued data stays
			 * readable, so once the server has nothing left to
			 * send, close at once (a wake-up less per request). */
			if (unix_sock && !fr.keepConnection &&
			    http_input_done(&h))
				fr.detached = 1;
			FCGX_Finish_r(&fr);
		}
		http_clear(&h);
	}
	db_close(app.db);
	conf_free(&app.conf);
	return 0;
}
