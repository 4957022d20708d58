/*
 * import.h - an export file (export.cgi's format) read back for POST
 * /import.
 *
 *   {"format":"memo-export","version":1, …,
 *    "memos":[{"text","created_at","updated_at"?,"pinned"?,
 *              "revisions"?:[{"text","created_at"},…], …},…],
 *    "trash":[the same, with "deleted_at"]}
 *
 * The file may be 64 MiB, so it is never made into one json-c tree: a
 * scanner walks the top level and finds each element of "memos" and
 * "trash", and json-c parses each element, a small object, on its own.
 * import_open checks the whole file first, so that a file with one bad
 * memo is refused before anything is written; import_next then hands the
 * memos out one at a time, built for db_import (their search copy and
 * tags made), oldest first: in the order of the export's ids, so that the
 * list shows them in the order it showed them before.
 *
 * Rules: "format" is "memo-export" and "version" 1 (both required);
 * "memos" is required and "trash" optional, both arrays of objects; a
 * memo's text is a string of at most 64 KiB of UTF-8 without NUL (empty
 * too: an account upgraded from the seed holds empty memos); times are
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC, years 1000 to 9999);
 * created_at is required, updated_at optional (null or absent: never
 * edited), pinned an optional boolean, deleted_at required in the trash
 * and absent or null among the live memos; revisions an optional array of
 * at most IMPORT_MAX_REVISIONS {"text","created_at"}, newest first, of
 * which the newest MEMO_REVISIONS_KEPT are stored.  "id" is optional,
 * a positive integer, used only for the order; "tags" are made again from
 * the text; other keys are ignored, but the whole file must be JSON.
 */
#ifndef MEMO_IMPORT_H
#define MEMO_IMPORT_H

#include <stddef.h>
#include "db.h"
#include "err.h"

#define IMPORT_MAX_BODY		((size_t)64 << 20)	/* 64 MiB */
#define IMPORT_MAX_MEMOS	1000000
#define IMPORT_MAX_REVISIONS	1000
#define IMPORT_WHY_MAX		160

struct import_file;

/* Check the whole file body[0..len) (kept, not copied, until
 * import_close): E_OK and *out, or E_BADREQ with why (whylen bytes) naming
 * what is wrong and where ("memos[3].created_at: …"), or E_NOMEM. */
enum err import_open(const char *body, size_t len, struct import_file **out,
	    char *why, size_t whylen);
/* How many memos the file holds (both arrays). */
size_t	 import_count(const struct import_file *f);
/* For db_import: the next memo (a struct import_file *), oldest first;
 * E_OK and NULL at the end.  Valid until the next call. */
enum err import_next(void *f, const struct db_import_memo **m);
/* As import_next, with only t.text, t.len and created_at set: cheaper. */
enum err import_next_key(void *f, const struct db_import_memo **m);
/* Back to the first memo (a struct import_file *). */
void	 import_rewind(void *f);
void	 import_close(struct import_file *f);

#endif
