#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

json_object *
json_parse_strict(const char *buf, size_t len)
{
	struct json_tokener *tok;
	json_object *obj;

	if (len == 0 || len > (size_t)INT32_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len);
	/* json-c stops at the end of the first value: the rest must be
	 * whitespace only, or the input is not one JSON text. */
	if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		size_t off = json_tokener_get_parse_end(tok);

		/* (strchr finds a NUL too: it is no whitespace.) */
		for (; off < len; off++)
			if (buf[off] == '\0' || !strchr(" \t\r\n", buf[off]))
				break;
		if (off != len) {
			json_object_put(obj);
			obj = NULL;
		}
	} else if (obj != NULL) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

static int
fail(struct json_err *err, const char *code, const char *key, const char *what)
{
	err->code = code;
	if (strcmp(code, "missing_field") == 0)
		snprintf(err->msg, sizeof(err->msg), "The field '%s' is required.", key);
	else
		snprintf(err->msg, sizeof(err->msg), "The field '%s' must be %s.", key, what);
	return -1;
}

/* Common lookup: 1 found (non-null), 0 absent/null ok, -1 missing. */
static int
lookup(json_object *o, const char *key, int required, json_object **v,
    struct json_err *err)
{
	if (!json_object_object_get_ex(o, key, v) || *v == NULL) {
		if (required)
			return fail(err, "missing_field", key, NULL);
		return 0;
	}
	return 1;
}

int
json_get_string(json_object *o, const char *key, int required,
    const char **out, struct json_err *err)
{
	json_object *v;
	int r;

	if ((r = lookup(o, key, required, &v, err)) != 1)
		return r;
	if (!json_object_is_type(v, json_type_string))
		return fail(err, "invalid_field", key, "a string");
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return fail(err, "invalid_field", key, "a string without NUL");
	*out = json_object_get_string(v);
	return 1;
}

int
json_get_int(json_object *o, const char *key, int required, long long *out,
    struct json_err *err)
{
	json_object *v;
	int r;

	if ((r = lookup(o, key, required, &v, err)) != 1)
		return r;
	/* json-c would convert "123" or 1.5; only a JSON integer counts. */
	if (!json_object_is_type(v, json_type_int))
		return fail(err, "invalid_field", key, "an integer");
	*out = json_object_get_int64(v);
	return 1;
}

int
json_get_bool(json_object *o, const char *key, int required, int *out,
    struct json_err *err)
{
	json_object *v;
	int r;

	if ((r = lookup(o, key, required, &v, err)) != 1)
		return r;
	if (!json_object_is_type(v, json_type_boolean))
		return fail(err, "invalid_field", key, "true or false");
	*out = json_object_get_boolean(v);
	return 1;
}

int
json_get_number(json_object *o, const char *key, int required, double *out,
    struct json_err *err)
{
	json_object *v;
	int r;

	if ((r = lookup(o, key, required, &v, err)) != 1)
		return r;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return fail(err, "invalid_field", key, "a number");
	*out = json_object_get_double(v);
	if (!isfinite(*out))
		return fail(err, "invalid_field", key, "a finite number");
	return 1;
}

int
json_is_null(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && v == NULL;
}

const char *
json_text(json_object *obj, size_t *len)
{
	const char *s = json_object_to_json_string_ext(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (len)
		*len = strlen(s);
	return s;
}

void
json_add_str(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s ? json_object_new_string(s) : NULL);
}

void
json_add_opt(json_object *o, const char *key, const char *s)
{
	json_add_str(o, key, s && *s ? s : NULL);
}

void
json_add_int(json_object *o, const char *key, long long v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

void
json_add_bool(json_object *o, const char *key, int v)
{
	json_object_object_add(o, key, json_object_new_boolean(v));
}
