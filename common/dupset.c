/* dupset.c - an import's memos as a set of keys, each counting the
 * copies the user has (dupset.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nettle/sha2.h>
#include "dupset.h"
#include "sess.h"

#define KEY_LEN		16
#define FIRST_SLOTS	64

enum { EMPTY, IN_FILE };

struct dupset {
	uint8_t		 secret[16];
	uint8_t		(*key)[KEY_LEN];
	uint8_t		*state;		/* per slot: EMPTY or IN_FILE */
	uint32_t	*have;		/* per slot: the user's copies not yet
					 * matched with one of the file's */
	size_t		 slots, used;	/* slots: a power of two */
	uint64_t	*times;		/* the file's created_at, packed */
	size_t		 ntimes, times_cap;
	int		 sorted;
};

enum err
dupset_new(struct dupset **out)
{
	struct dupset *ds;
	enum err e;

	if ((*out = ds = calloc(1, sizeof(*ds))) == NULL)
		return E_NOMEM;
	ds->slots = FIRST_SLOTS;
	ds->key = calloc(ds->slots, KEY_LEN);
	ds->state = calloc(ds->slots, 1);
	ds->have = calloc(ds->slots, sizeof(*ds->have));
	if (ds->key == NULL || ds->state == NULL || ds->have == NULL)
		e = E_NOMEM;
	else
		e = sess_random(ds->secret, sizeof(ds->secret));
	if (e != E_OK) {
		dupset_free(ds);
		*out = NULL;
	}
	return e;
}

void
dupset_free(struct dupset *ds)
{
	if (ds == NULL)
		return;
	free(ds->key);
	free(ds->state);
	free(ds->have);
	free(ds->times);
	free(ds);
}

/* "YYYY-MM-DD HH:MM:SS" as the number YYYYMMDDHHMMSS (its digits), which
 * orders as the times do. */
static uint64_t
time_pack(const char *created)
{
	uint64_t v = 0;

	for (size_t i = 0; i < DUPSET_TIME_LEN - 1 && created[i] != '\0'; i++)
		if (created[i] >= '0' && created[i] <= '9')
			v = v * 10 + (uint64_t)(created[i] - '0');
	return v;
}

static void
memo_key(const struct dupset *ds, const char *created, const char *text,
    size_t len, uint8_t out[KEY_LEN])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof(d), d);
	sha256_init(&ctx);
	sha256_update(&ctx, sizeof(ds->secret), ds->secret);
	sha256_update(&ctx, strnlen(created, DUPSET_TIME_LEN),
	    (const uint8_t *)created);
	sha256_update(&ctx, sizeof(d), d);
	sha256_digest(&ctx, KEY_LEN, out);
}

/* The slot holding key, or the empty one where it would go. */
static size_t
slot_of(const struct dupset *ds, const uint8_t key[KEY_LEN])
{
	uint64_t h;
	size_t i;

	memcpy(&h, key, sizeof(h));
	for (i = (size_t)h & (ds->slots - 1); ds->state[i] != EMPTY;
	    i = (i + 1) & (ds->slots - 1))
		if (memcmp(ds->key[i], key, KEY_LEN) == 0)
			break;
	return i;
}

/* Twice the slots, every key placed again. */
static enum err
grow(struct dupset *ds)
{
	struct dupset old = *ds;

	if (ds->slots > SIZE_MAX / 2 / KEY_LEN)
		return E_NOMEM;
	ds->slots *= 2;
	ds->key = calloc(ds->slots, KEY_LEN);
	ds->state = calloc(ds->slots, 1);
	ds->have = calloc(ds->slots, sizeof(*ds->have));
	if (ds->key == NULL || ds->state == NULL || ds->have == NULL) {
		free(ds->key);
		free(ds->state);
		free(ds->have);
		*ds = old;
		return E_NOMEM;
	}
	for (size_t i = 0; i < old.slots; i++) {
		if (old.state[i] == EMPTY)
			continue;
		size_t j = slot_of(ds, old.key[i]);

		memcpy(ds->key[j], old.key[i], KEY_LEN);
		ds->state[j] = old.state[i];
		ds->have[j] = old.have[i];
	}
	free(old.key);
	free(old.state);
	free(old.have);
	return E_OK;
}

static enum err
time_add(struct dupset *ds, uint64_t t)
{
	if (ds->ntimes > 0 && ds->times[ds->ntimes - 1] == t)
		return E_OK;	/* a run of one time, as a file often has */
	if (ds->ntimes == ds->times_cap) {
		size_t cap = ds->times_cap ? ds->times_cap * 2 : FIRST_SLOTS;
		uint64_t *p;

		if (cap > SIZE_MAX / sizeof(*p) ||
		    (p = realloc(ds->times, cap * sizeof(*p))) == NULL)
			return E_NOMEM;
		ds->times = p;
		ds->times_cap = cap;
	}
	ds->times[ds->ntimes++] = t;
	ds->sorted = 0;
	return E_OK;
}

enum err
dupset_add(struct dupset *ds, const char *created, const char *text,
    size_t len)
{
	uint8_t key[KEY_LEN];
	size_t i;
	enum err e;

	/* At most half full: short probe runs. */
	if ((ds->used + 1) * 2 > ds->slots && (e = grow(ds)) != E_OK)
		return e;
	memo_key(ds, created, text, len, key);
	i = slot_of(ds, key);
	if (ds->state[i] == EMPTY) {
		memcpy(ds->key[i], key, KEY_LEN);
		ds->state[i] = IN_FILE;
		ds->used++;
	}
	return time_add(ds, time_pack(created));
}

static int
time_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t
dupset_times(struct dupset *ds)
{
	size_t n = 0;

	if (ds->sorted)
		return ds->ntimes;
	/* A file without memos added none: times is NULL, which qsort's
	 * first argument must never be, even for no elements. */
	if (ds->ntimes > 1)
		qsort(ds->times, ds->ntimes, sizeof(*ds->times), time_order);
	for (size_t i = 0; i < ds->ntimes; i++)
		if (n == 0 || ds->times[n - 1] != ds->times[i])
			ds->times[n++] = ds->times[i];
	ds->ntimes = n;
	ds->sorted = 1;
	return n;
}

void
dupset_time(const struct dupset *ds, size_t i, char out[DUPSET_TIME_LEN])
{
	uint64_t t = ds->times[i];
	unsigned int f[6];

	for (int k = 5; k >= 1; k--, t /= 100)
		f[k] = (unsigned int)(t % 100);
	f[0] = (unsigned int)(t % 10000);
	(void)snprintf(out, DUPSET_TIME_LEN, "%04u-%02u-%02u %02u:%02u:%02u",
	    f[0], f[1], f[2], f[3], f[4], f[5]);
}

/* The memo's slot: EMPTY if the file does not hold it. */
static size_t
slot_for(struct dupset *ds, const char *created, const char *text,
    size_t len)
{
	uint8_t key[KEY_LEN];

	memo_key(ds, created, text, len, key);
	return slot_of(ds, key);
}

void
dupset_have(struct dupset *ds, const char *created, const char *text,
    size_t len)
{
	size_t i = slot_for(ds, created, text, len);

	if (ds->state[i] != EMPTY && ds->have[i] < UINT32_MAX)
		ds->have[i]++;
}

int
dupset_take(struct dupset *ds, const char *created, const char *text,
    size_t len)
{
	size_t i = slot_for(ds, created, text, len);

	if (ds->state[i] == EMPTY || ds->have[i] == 0)
		return 0;
	ds->have[i]--;
	return 1;
}
