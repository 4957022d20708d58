/* resp.c - buffered CGI response writer. */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "fault.h"
#include "jsonx.h"
#include "resp.h"

/* The page loads only its own script and stylesheet; nothing may frame it.
 * No Referer to another origin; same-origin, not no-referrer: under
 * no-referrer a browser sends "Origin: null" with the page's own form
 * POSTs (logout), which a browser without Sec-Fetch-Site (plain HTTP to a
 * host that is not local) would then have refused as another page's
 * (cgi_from_own_page). */
static const char security_headers[] =
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; "
    "style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'\r\n"
    "Cache-Control: no-store\r\n";

void
resp_init(struct resp *r, const struct cgi_io *io, int head_only)
{
	r->io = io;
	r->status = 0;
	r->in_body = 0;
	r->head_only = head_only;
	r->failed = 0;
	r->sent = 0;
	r->len = 0;
}

int
resp_rewind(struct resp *r)
{
	if (r->sent > 0 || r->failed)
		return -1;
	r->len = 0;
	r->status = 0;
	r->in_body = 0;
	return 0;
}

int
resp_flush(struct resp *r)
{
	if (!r->failed && r->len > 0 &&
	    r->io->write(r->io->ctx, r->buf, r->len) != 0)
		r->failed = 1;
	r->sent += r->len;
	r->len = 0;
	return r->failed ? -1 : 0;
}

int
resp_gone(const struct resp *r)
{
	return r->failed;
}

static void
put_raw(struct resp *r, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0 && !r->failed) {
		size_t room = sizeof(r->buf) - r->len;
		size_t n = len < room ? len : room;

		memcpy(r->buf + r->len, p, n);
		r->len += n;
		p += n;
		len -= n;
		if (r->len == sizeof(r->buf))
			resp_flush(r);
	}
}

void
resp_start(struct resp *r, int status, const char *content_type)
{
	char line[64];
	int n;

	if (r->status != 0)
		return;		/* a response is under way: keep it whole */
	r->status = status;
	n = snprintf(line, sizeof(line), "Status: %d %s\r\n", status,
	    http_reason(status));
	put_raw(r, line, (size_t)n);
	if (content_type != NULL)
		resp_header(r, "Content-Type", content_type);
	put_raw(r, security_headers, sizeof(security_headers) - 1);
}

void
resp_header(struct resp *r, const char *name, const char *value)
{
	if (r->in_body || strpbrk(name, "\r\n:") != NULL ||
	    strpbrk(value, "\r\n") != NULL)
		return;
	put_raw(r, name, strlen(name));
	put_raw(r, ": ", 2);
	put_raw(r, value, strlen(value));
	put_raw(r, "\r\n", 2);
}

void
resp_body(struct resp *r)
{
	if (r->in_body)
		return;
	put_raw(r, "\r\n", 2);
	r->in_body = 1;
}

void
resp_write(struct resp *r, const void *data, size_t len)
{
	if (!r->in_body)
		resp_body(r);
	if (!r->head_only)
		put_raw(r, data, len);
}

void
resp_puts(struct resp *r, const char *s)
{
	resp_write(r, s, strlen(s));
}

/* The answer when its JSON cannot be made: what a handler had started
 * (a 200, an ETag) is taken back while nothing is sent, so a client never
 * sees a success with an empty body. */
static void
out_of_memory(struct resp *r)
{
	if (r->status != 0 && resp_rewind(r) != 0)
		return;
	resp_start(r, 500, "application/json; charset=utf-8");
	resp_body(r);
	resp_puts(r, "{\"error\":\"out of memory\"}\n");
}

void
resp_json(struct resp *r, int status, struct json_object *obj)
{
	size_t len;
	const char *s = FAULT("json_nomem") ? NULL :
	    json_object_to_json_string_length(obj,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);

	if (s == NULL) {
		out_of_memory(r);
		return;
	}
	resp_start(r, status, "application/json; charset=utf-8");
	resp_body(r);
	resp_write(r, s, len);
	resp_write(r, "\n", 1);
}

void
resp_error(struct resp *r, enum err e, const char *why)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL || jsonx_add(o, "error",
	    json_object_new_string(why ? why : err_text(e))) != 0)
		out_of_memory(r);
	else
		resp_json(r, err_status(e), o);
	json_object_put(o);
}

void
resp_redirect(struct resp *r, int status, const char *location,
    const char *const *cookies)
{
	resp_start(r, status, NULL);
	resp_header(r, "Location", location);
	for (; cookies != NULL && *cookies != NULL; cookies++)
		resp_header(r, "Set-Cookie", *cookies);
	resp_body(r);
}
