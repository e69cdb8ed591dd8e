/* The tcloud.conf keys: name, type, default and bounds (SPEC §6).
 * conf/tcloud.conf documents each one. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "app.h"

#define S(k, d)		{ #k, CONFIG_STR, offsetof(struct conf, k), d, 0, 0 }
#define I(k, d, lo, hi)	{ #k, CONFIG_INT, offsetof(struct conf, k), d, lo, hi }
#define B(k, d, lo, hi)	{ #k, CONFIG_BYTES, offsetof(struct conf, k), d, lo, hi }
#define F(k, d)		{ #k, CONFIG_BOOL, offsetof(struct conf, k), d, 0, 1 }

static const struct config_key keys[] = {
	S(db_socket, "/run/mysqld/mysqld.sock"),
	S(db_host, "localhost"),
	I(db_port, "3306", 1, 65535),
	S(db_user, "tcloud"),
	S(db_password, ""),
	S(db_name, "tcloud"),
	S(data_dir, "/var/lib/tcloud"),
	S(master_key_file, "/etc/tcloud/master.key"),
	I(master_key_id, "1", 1, 4294967295LL),
	S(old_key_files, ""),
	S(jwt_secret_file, "/etc/tcloud/jwt.secret"),
	I(token_lifetime, "86400", 60, 31536000),
	B(default_quota, "5G", 0, 1LL << 60),
	B(max_upload, "2G", 1, 1LL << 50),
	I(max_folder_depth, "256", 1, 900),
	I(max_files_per_user, "100000", 1, 1LL << 40),
	I(max_folders_per_user, "10000", 1, 1LL << 40),
	I(send_timeout, "30", 1, 86400),
	B(send_min_rate, "16K", 0, 1LL << 40),
	S(public_base_url, "http://127.0.0.1:8080"),
	S(trusted_proxies, ""),
	I(login_max_failures, "10", 1, 1000000),
	I(login_window, "900", 1, 86400 * 30),
	I(register_max, "20", 1, 1000000),
	I(register_window, "3600", 1, 86400),	/* gc keeps 2 days */
	I(link_session_lifetime, "900", 60, 86400),
	I(argon2_m_kib, "19456", 64, 1048576),
	I(argon2_t, "2", 1, 16),
	I(link_max_lifetime, "0", 0, 315360000),
	F(link_require_password, "false"),
	S(log_level, "info"),
	S(log_file, ""),
};

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
	size_t n;

	memset(c, 0, sizeof(*c));
	if (config_load(path, keys, sizeof(keys) / sizeof(keys[0]), c, err,
	    errlen) == -1)
		return -1;
	/* public_base_url is joined with "/api/share/...": no trailing '/'. */
	n = strlen(c->public_base_url);
	while (n > 0 && c->public_base_url[n - 1] == '/')
		c->public_base_url[--n] = '\0';
	if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
	    strcmp(c->log_level, "warn") && strcmp(c->log_level, "error")) {
		snprintf(err, errlen, "%s: log_level must be debug, info, warn "
		    "or error", path ? path : "defaults");
		return -1;
	}
	return 0;
}

void
conf_free(struct conf *c)
{
	config_free(keys, sizeof(keys) / sizeof(keys[0]), c);
}
