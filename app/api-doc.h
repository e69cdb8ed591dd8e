/* The prose of the API description, one entry per route: what the route
 * tables cannot say (summary, notes, examples, the handler's statuses).
 * route-openapi.c joins it with the tables; api-doc.c holds it. */
#ifndef API_DOC_H
#define API_DOC_H

enum doc_kind {
	DOC_JSON,	/* a JSON request (if any) and a JSON reply */
	DOC_MULTIPART,	/* multipart/form-data upload */
	DOC_BYTES	/* the reply is the file's bytes */
};

struct api_param {
	const char	*name, *in, *type, *description;
};

struct api_tag {
	const char	*id, *title, *note;
};

struct api_doc {
	const char	*method, *path, *tag, *summary;
	const char	*auth;		/* who may call, as people say it */
	enum doc_kind	 kind;
	const char	*notes;
	const char	*body;		/* request example (JSON) */
	const char	*body_note;	/* what JSON cannot say of the body */
	const char	*response;	/* success reply example (JSON) */
	const char	*statuses;	/* "201 400 409": the handler's own */
	const struct api_param *params;
};

/* Both end with an entry whose first field is NULL. */
extern const struct api_tag api_tags[];
extern const struct api_doc api_docs[];
#endif
