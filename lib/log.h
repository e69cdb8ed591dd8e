/* Log lines to stderr in one shape: time, program, pid, request id,
 * level, message.  Audit events are not logs: they go to a table. */
#ifndef LOG_H
#define LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERR };

/* Name the program in every line; lines below min_level are dropped. */
void	log_init(const char *prog, enum log_level min_level);
/* Tag following lines with a request id (NULL: none).  Copied. */
void	log_set_request(const char *reqid);
const char *log_request(void);
void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#endif
