/* Strict JSON input on json-c: whole-input parsing and typed field
 * getters.  A getter that fails fills a json_err with a snake_case code
 * ("missing_field", "invalid_field") and a sentence naming the field. */
#ifndef JSON_H
#define JSON_H
#include <stddef.h>
#include <json-c/json.h>

struct json_err {
	const char	*code;
	char		 msg[192];
};

/* Parse exactly len bytes as one JSON value.  Returns a new reference,
 * or NULL when the text is not valid JSON or has trailing bytes. */
json_object	*json_parse_strict(const char *buf, size_t len);

/* Each getter: 1 = present and well-typed (*out set), 0 = absent or
 * null and not required, -1 = error (err filled). */
int	json_get_string(json_object *, const char *key, int required,
	    const char **out, struct json_err *err);
int	json_get_int(json_object *, const char *key, int required,
	    long long *out, struct json_err *err);
int	json_get_bool(json_object *, const char *key, int required,
	    int *out, struct json_err *err);
/* Accepts integers and doubles. */
int	json_get_number(json_object *, const char *key, int required,
	    double *out, struct json_err *err);
/* 1 if key is present with an explicit null. */
int	json_is_null(json_object *, const char *key);

/* Serialize compactly; the string belongs to obj. */
const char	*json_text(json_object *obj, size_t *len);
/* Add a string member, or null when s is NULL. */
void	json_add_str(json_object *, const char *key, const char *s);
/* The same, null also when s is "" (a fixed buffer's SQL NULL). */
void	json_add_opt(json_object *, const char *key, const char *s);
void	json_add_int(json_object *, const char *key, long long v);
void	json_add_bool(json_object *, const char *key, int v);
#endif
