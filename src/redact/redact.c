#include "redact/redact.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "redact/rules.h"

struct redactor {
	regex_t *patterns; /* the user's --redact patterns, compiled */
	size_t pattern_count;
	struct marks marks; /* the word at hand's */
	char *copy;         /* a last word without its NUL, with one, for regexec */
	size_t copy_size;
};

void marks_start(struct marks *m, size_t len)
{
	m->len = len;
	m->any = m->whole = false;
}

void mark(struct marks *m, size_t start, size_t end)
{
	if (!m->any) {
		if (m->len > m->capacity) {
			unsigned char *mask = realloc(m->mask, m->len);

			if (!mask) { /* fails closed: nothing of the word is kept */
				m->any = m->whole = true;
				return;
			}
			m->mask = mask;
			m->capacity = m->len;
		}
		memset(m->mask, 0, m->len);
		m->any = true;
	}
	if (!m->whole)
		memset(m->mask + start, 1, end - start);
}

void redactor_free(struct redactor *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->pattern_count; i++)
		regfree(&r->patterns[i]);
	free(r->patterns);
	free(r->marks.mask);
	free(r->copy);
	free(r);
}

/* Compiles each pattern into r; -1 at the first that does not compile, with why in err. */
static int compile_patterns(struct redactor *r, const char *const *patterns, size_t count,
			    char *err, size_t err_size)
{
	for (; r->pattern_count < count; r->pattern_count++) {
		regex_t *re = &r->patterns[r->pattern_count];
		const char *pattern = patterns[r->pattern_count];
		int rc = regcomp(re, pattern, REG_EXTENDED);
		char why[160];

		if (rc) {
			regerror(rc, re, why, sizeof(why));
			snprintf(err, err_size, "--redact '%s': %s", pattern, why);
			return -1;
		}
	}
	return 0;
}

struct redactor *redactor_new(const char *const *patterns, size_t count, char *err,
			      size_t err_size)
{
	struct redactor *r = calloc(1, sizeof(*r));

	if (r)
		r->patterns = calloc(count ? count : 1, sizeof(*r->patterns));
	if (!r || !r->patterns)
		snprintf(err, err_size, "out of memory");
	if (!r || !r->patterns || compile_patterns(r, patterns, count, err, err_size)) {
		redactor_free(r);
		r = NULL;
	}
	return r;
}

/* w's text with a NUL after it: w itself, or for a word cut short (no NUL), a copy; NULL
 * when out of memory. */
static const char *terminated(struct redactor *r, const struct word *w, bool has_nul)
{
	if (has_nul)
		return w->s;
	if (w->len >= r->copy_size) {
		char *copy = realloc(r->copy, w->len + 1);

		if (!copy)
			return NULL;
		r->copy = copy;
		r->copy_size = w->len + 1;
	}
	memcpy(r->copy, w->s, w->len);
	r->copy[w->len] = '\0';
	return r->copy;
}

/* Every match of every --redact pattern in w: its first group when it has one, else all of it.
 * Fails closed: a word that cannot be matched is all secret. */
static void user_rules(struct redactor *r, const struct word *w, bool has_nul)
{
	const char *text = r->pattern_count ? terminated(r, w, has_nul) : w->s;

	if (!text) {
		mark(&r->marks, 0, w->len);
		return;
	}
	for (size_t p = 0; p < r->pattern_count; p++) {
		const regex_t *re = &r->patterns[p];

		for (size_t from = 0; from <= w->len;) {
			regmatch_t match[2];
			const regmatch_t *secret = &match[0];

			if (regexec(re, text + from, 2, match, from ? REG_NOTBOL : 0))
				break;
			if (re->re_nsub && match[1].rm_so >= 0)
				secret = &match[1];
			if (secret->rm_eo > secret->rm_so)
				mark(&r->marks, from + (size_t)secret->rm_so, from + (size_t)secret->rm_eo);
			from += (size_t)(match[0].rm_eo > match[0].rm_so ? match[0].rm_eo
								       : match[0].rm_so + 1);
		}
	}
}

/* w with each run of marked bytes written as the mark; returns the bytes written. */
static size_t write_redacted(char *out, const struct word *w, const struct marks *m)
{
	const size_t mark_len = sizeof(REDACTED_MARK) - 1;
	size_t o = 0;

	if (m->whole) {
		memcpy(out, REDACTED_MARK, mark_len);
		return mark_len;
	}
	for (size_t i = 0; i < w->len;) {
		if (!m->mask[i]) {
			out[o++] = w->s[i++];
			continue;
		}
		memcpy(out + o, REDACTED_MARK, mark_len);
		o += mark_len;
		while (i < w->len && m->mask[i])
			i++;
	}
	return o;
}

size_t redact_argv(struct redactor *r, const char *in, size_t len, bool cut, char *out,
		   size_t *out_len)
{
	enum pending_value pending = PENDING_NONE;
	size_t changed = 0, o = 0;

	for (size_t start = 0; start < len;) {
		const char *nul = memchr(in + start, '\0', len - start);
		struct word w = {in + start, nul ? (size_t)(nul - in) - start : len - start,
				 cut && !nul};

		marks_start(&r->marks, w.len);
		if (pending && w.len &&
		    !(pending == PENDING_SECRET_OR_PATH && looks_like_path(w.s, w.len)))
			mark(&r->marks, 0, w.len); /* the value of --password VALUE */
		pending = builtin_rules(&w, &r->marks);
		user_rules(r, &w, nul != NULL);
		if (r->marks.any) {
			if (!changed++) { /* the first change: the words before are copied now */
				memcpy(out, in, start);
				o = start;
			}
			o += write_redacted(out + o, &w, &r->marks);
		} else if (changed) {
			memcpy(out + o, w.s, w.len);
			o += w.len;
		}
		if (nul && changed)
			out[o++] = '\0';
		start += w.len + 1;
	}
	*out_len = changed ? o : len;
	return changed;
}

char **redact_words(struct redactor *r, char *const *words, size_t count, size_t *changed)
{
	size_t len = 0, out_len = 0;
	char *joined, *redacted, **list = NULL;

	for (size_t i = 0; i < count; i++)
		len += strlen(words[i]) + 1;
	joined = calloc(len + 1, 1);
	redacted = malloc(REDACTED_SIZE(len));
	*changed = 0;
	if (joined && redacted) {
		char *at = joined;

		for (size_t i = 0; i < count; i++)
			at = stpcpy(at, words[i]) + 1;
		out_len = len;
		*changed = r ? redact_argv(r, joined, len, false, redacted, &out_len) : 0;
		list = malloc((count ? count : 1) * sizeof(*list) + out_len);
	}
	if (list) {
		char *text = (char *)(list + count);

		memcpy(text, *changed ? redacted : joined, out_len);
		for (size_t i = 0; i < count; i++, text += strlen(text) + 1)
			list[i] = text;
	}
	free(joined);
	free(redacted);
	return list;
}
