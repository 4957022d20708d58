/* err.c - mapping errors to HTTP statuses and texts. */
#include "err.h"

int
err_status(enum err e)
{
	switch (e) {
	case E_OK:		return 200;
	case E_BADREQ:		return 400;
	case E_UNAUTH:		return 401;
	case E_FORBIDDEN:	return 403;
	case E_NOTFOUND:	return 404;
	case E_METHOD:		return 405;
	case E_LENGTH:		return 411;
	case E_CONFLICT:	return 409;
	case E_PRECOND:		return 412;
	case E_TOOLARGE:	return 413;
	case E_MEDIATYPE:	return 415;
	case E_UPSTREAM:	return 502;
	case E_DB:		return 503;
	case E_INTERNAL:
	case E_NOMEM:
	default:		return 500;
	}
}

const char *
err_text(enum err e)
{
	switch (e) {
	case E_OK:		return "ok";
	case E_BADREQ:		return "bad request";
	case E_UNAUTH:		return "login required";
	case E_FORBIDDEN:	return "forbidden";
	case E_NOTFOUND:	return "not found";
	case E_METHOD:		return "method not allowed";
	case E_LENGTH:		return "Content-Length required";
	case E_CONFLICT:	return "conflict";
	case E_PRECOND:		return "the memo has changed since it was read";
	case E_TOOLARGE:	return "request body too large";
	case E_MEDIATYPE:	return "content type must be application/json";
	case E_UPSTREAM:	return "login provider failed";
	case E_DB:		return "database unavailable";
	case E_NOMEM:		return "out of memory";
	case E_INTERNAL:
	default:		return "internal error";
	}
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 302: return "Found";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default:  return "Internal Server Error";
	}
}
