/* The built-in rules (rules.c), internal to src/redact: each marks the bytes of the secrets it
 * finds in one argv word. */
#ifndef PIPETRACE_REDACT_RULES_H
#define PIPETRACE_REDACT_RULES_H

#include <stdbool.h>
#include <stddef.h>

/* One argv word; cut: the last word of an argv cut short by --max-args. */
struct word {
	const char *s;
	size_t len;
	bool cut;
};

/* The secret bytes found in one word: a byte mask, allocated on the first mark (most words
 * have none). When it cannot be allocated the whole word counts as secret. */
struct marks {
	unsigned char *mask;
	size_t capacity, len;
	bool any, whole;
};

void marks_start(struct marks *m, size_t len);
void mark(struct marks *m, size_t start, size_t end);

/* Whether the next word is the value of a secret option that ended this one (--password
 * VALUE), and whether a path there is to be kept (--private-key FILE). */
enum pending_value { PENDING_NONE, PENDING_SECRET, PENDING_SECRET_OR_PATH };

/* Marks what the built-in rules find in w; returns what the next word is. */
enum pending_value builtin_rules(const struct word *w, struct marks *m);

/* Whether value[0..len) names a file: the value of a key option is kept when it does. */
bool looks_like_path(const char *value, size_t len);

#endif
