/*
 * dupset.h - which memos of an import the user has already (db_import).
 *
 * A memo of the file is a duplicate when the user has one with the same
 * created_at and the same text, byte for byte, not yet matched with an
 * earlier memo of the file: two such memos in a file (an account upgraded
 * from the seed has every old memo at the upgrade's second, "장보기" among
 * them twice) are two memos in an account with none, one in an account
 * with one, none in an account with two, so that a file imported twice
 * adds nothing the second time and a round trip loses nothing.
 * Asked of the database memo by memo, that was a scan of all the user's
 * memos with that created_at for each memo of the file: quadratic, so that
 * a file of many memos with one created_at held its transaction for hours.
 * Instead:
 *   1. every memo of the file goes into the set (dupset_add);
 *   2. the user's memos at each created_at the file has (dupset_times,
 *      dupset_time) are read once and counted (dupset_have);
 *   3. each memo of the file in turn is taken (dupset_take): a duplicate,
 *      one copy fewer left to match, while the user has a copy left.
 * The work is linear in the file and in the memos read, and the memory in
 * the file alone: a memo read that the file does not hold is not kept.
 *
 * A key is 128 bits of SHA-256 over a key random for each set, the
 * created_at and the text's SHA-256: no file can choose where its memos
 * fall in the table, and two memos share a key with a chance near
 * n^2/2^129.  Hand-made because no Debian library of the project's has a
 * hash set (hsearch_r wants strings and cannot grow), and keys that are
 * already random need no more than an array and linear probing.
 */
#ifndef MEMO_DUPSET_H
#define MEMO_DUPSET_H

#include <stddef.h>
#include "err.h"

#define DUPSET_TIME_LEN	20	/* "YYYY-MM-DD HH:MM:SS" and NUL */

struct dupset;

/* E_OK and *out, E_NOMEM, or E_INTERNAL without randomness. */
enum err dupset_new(struct dupset **out);
void	 dupset_free(struct dupset *ds);
/* A memo of the file ("YYYY-MM-DD HH:MM:SS", text[0..len)): E_NOMEM. */
enum err dupset_add(struct dupset *ds, const char *created, const char *text,
	    size_t len);
/* How many created_at values the memos added have (sorted, each once). */
size_t	 dupset_times(struct dupset *ds);
/* The i-th of them (i below dupset_times' answer). */
void	 dupset_time(const struct dupset *ds, size_t i,
	    char out[DUPSET_TIME_LEN]);
/* The user has (one more copy of) this memo: counted, if the file holds
 * it. */
void	 dupset_have(struct dupset *ds, const char *created, const char *text,
	    size_t len);
/* 1 if the user has a copy of the memo not yet taken (a duplicate; that
 * copy is taken now); otherwise 0. */
int	 dupset_take(struct dupset *ds, const char *created, const char *text,
	    size_t len);

#endif
