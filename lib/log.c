#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_prog = "tcloud";
static enum log_level log_min = LOG_INFO;
static char log_req[64];

void
log_init(const char *prog, enum log_level min_level)
{
	log_prog = prog;
	log_min = min_level;
}

void
log_set_request(const char *reqid)
{
	if (reqid == NULL)
		log_req[0] = '\0';
	else
		snprintf(log_req, sizeof(log_req), "%s", reqid);
}

const char *
log_request(void)
{
	return log_req;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "debug", "info", "warn", "error" };
	char ts[32], line[2048], msg[1536];
	struct tm tm;
	time_t now;
	va_list ap;
	size_t i;
	int n;

	if (lvl < log_min)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s %s[%ld] %s%s%s%s: ", ts, log_prog,
	    (long)getpid(), log_req[0] ? "req=" : "", log_req,
	    log_req[0] ? " " : "", names[lvl]);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Values from requests may hold any byte: a control byte is written
	 * as \xNN so that no one can forge or split a log line. */
	for (i = 0; msg[i] && n > 0 && (size_t)n < sizeof(line) - 6; i++) {
		unsigned char c = msg[i];

		if (c < 0x20 || c == 0x7f)
			n += snprintf(line + n, sizeof(line) - n, "\\x%02x", c);
		else
			line[n++] = c;
	}
	if (n > 0 && (size_t)n < sizeof(line))
		line[n] = '\0';
	/* One write per line so workers sharing stderr do not interleave. */
	n = strlen(line);
	if (n > 0 && (size_t)n < sizeof(line) - 1) {
		line[n++] = '\n';
		line[n] = '\0';
	}
	fputs(line, stderr);
	fflush(stderr);
}
