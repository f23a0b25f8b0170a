/* The built-in rules (docs/redaction.md). One pass over a word splits it into shell-like tokens
 * and classes the bytes each holds: a rule runs only where the bytes it needs are, so a word
 * like /bin/true costs one table lookup per byte. Words may be shell scripts (bash -c '...'):
 * the option, assignment and token format rules look at each token, the header, URL and PEM
 * rules at the whole text. */
#include "redact/rules.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_SPACE = 1 << 0, /* ends a token */
	C_DELIM = 1 << 1, /* ends a token too: quotes and shell operators */
	C_EQ = 1 << 2,
	C_COLON = 1 << 3,
	C_DASH = 1 << 4,
	C_UNDER = 1 << 5,
	C_DOT = 1 << 6,
	C_UPPER = 1 << 7,
	C_LOWER = 1 << 8,
	C_DIGIT = 1 << 9,
	C_QUOTE = 1 << 10,
	C_TRIGGER = 1 << 11, /* _ - A J: every token format and JWT has one at a set place */
	C_ALNUM = C_UPPER | C_LOWER | C_DIGIT,
	C_NAME = C_ALNUM | C_UNDER | C_DOT | C_DASH, /* NAME in NAME=VALUE, an option's name */
};

static const uint16_t classes[256] = {
	[' '] = C_SPACE, ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, ['\v'] = C_SPACE,
	['\f'] = C_SPACE, ['\''] = C_DELIM | C_QUOTE, ['"'] = C_DELIM | C_QUOTE, ['`'] = C_DELIM,
	[';'] = C_DELIM, ['&'] = C_DELIM, ['|'] = C_DELIM, ['('] = C_DELIM, [')'] = C_DELIM,
	['<'] = C_DELIM, ['>'] = C_DELIM, ['='] = C_EQ, [':'] = C_COLON,
	['-'] = C_DASH | C_TRIGGER, ['_'] = C_UNDER | C_TRIGGER, ['.'] = C_DOT,
	['0' ... '9'] = C_DIGIT, ['A'] = C_UPPER | C_TRIGGER, ['B' ... 'I'] = C_UPPER,
	['J'] = C_UPPER | C_TRIGGER, ['K' ... 'Z'] = C_UPPER, ['a' ... 'z'] = C_LOWER,
};

static uint16_t class_of(char c)
{
	return classes[(unsigned char)c];
}

/* Lower case, with - and . read as _ (db-password, db.password and DB_PASSWORD are alike). */
static char fold(char c)
{
	return c == '-' || c == '.' ? '_' : c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Where needle (folded already) starts in name[0..len) folded, from `from`; -1 when nowhere. */
static long find_folded(const char *name, size_t len, size_t from, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = from; i + n <= len; i++) {
		size_t k = 0;

		while (k < n && fold(name[i + k]) == needle[k])
			k++;
		if (k == n)
			return (long)i;
	}
	return -1;
}

static bool ends_folded(const char *name, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && find_folded(name, len, len - n, suffix) >= 0;
}

/* Whether a name holds every letter of one of the words a secret name needs (token, pass,
 * secret, key, auth, pwd, credential), in any case: a test of one pass that turns down most
 * names (-O2, --jobs, CC) before they are looked at closely. */
static bool may_name_secret(const char *name, size_t len)
{
#define L(c) (1u << ((c) - 'a'))
	static const uint32_t needed[] = {
		L('t') | L('o') | L('k') | L('e') | L('n'), L('p') | L('a') | L('s'),
		L('s') | L('e') | L('c') | L('r') | L('t'), L('k') | L('e') | L('y'),
		L('a') | L('u') | L('t') | L('h'), L('p') | L('w') | L('d'),
		L('c') | L('r') | L('e') | L('d') | L('n') | L('t') | L('i') | L('a') | L('l'),
	};
#undef L
	uint32_t present = 0;

	for (size_t i = 0; i < len; i++) {
		char c = fold(name[i]);

		if (c >= 'a' && c <= 'z')
			present |= 1u << (c - 'a');
	}
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if ((present & needed[i]) == needed[i])
			return true;
	return false;
}

/* Names that say what a value is about without being it: PASSWORD_FILE=/run/secrets/db,
 * --token-url, --auth-type basic, --password-stdin. */
static bool names_no_secret(const char *name, size_t len)
{
	static const char *const suffixes[] = {"_file", "_path", "_dir", "_url", "_type", "_mode",
					       "_name", "_length", "_ttl", "_stdin", "_env"};

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (ends_folded(name, len, suffixes[i]))
			return true;
	return false;
}

/* A NAME of NAME=VALUE that says secret (set *path_ok when a file name there is no secret:
 * GOOGLE_APPLICATION_CREDENTIALS=/path/key.json). AUTH counts, but not in AUTHOR. */
static bool secret_assignment_name(const char *name, size_t len, bool *path_ok)
{
	static const char *const secret[] = {"token", "secret", "password", "passwd",
					      "passphrase", "api_key", "apikey", "access_key"};
	long at;

	*path_ok = false;
	if (!may_name_secret(name, len) || names_no_secret(name, len))
		return false;
	for (size_t i = 0; i < sizeof(secret) / sizeof(secret[0]); i++)
		if (find_folded(name, len, 0, secret[i]) >= 0)
			return true;
	*path_ok = true;
	if (find_folded(name, len, 0, "private_key") >= 0 || find_folded(name, len, 0, "credential") >= 0)
		return true;
	*path_ok = false;
	for (at = find_folded(name, len, 0, "auth"); at >= 0;
	     at = find_folded(name, len, (size_t)at + 1, "auth"))
		if (find_folded(name, len, (size_t)at + 4, "or") != at + 4)
			return true;
	return false;
}

/* An option's name, as its _-separated parts, that says its value is secret: a part that ends
 * in token, password, passwd, secret, apikey or passphrase (--token, --githubtoken,
 * --client-secret), is pass, auth or pwd, or api/access/private followed by key. Its value is
 * kept when it names a file for private-key and credential options. Not: --tokenizer,
 * --password-file, --no-password, --ask-pass (flags that take no value). */
static bool secret_option_name(const char *name, size_t len, bool *path_ok)
{
	static const char *const endings[] = {"token", "password", "passwd", "secret", "apikey",
					      "passphrase"};
	static const char *const alone[] = {"pass", "auth", "pwd"};
	char part[32], previous[32] = "";
	size_t start = 0;

	*path_ok = false;
	if (!may_name_secret(name, len) || names_no_secret(name, len) ||
	    find_folded(name, len, 0, "no_") == 0 ||
	    find_folded(name, len, 0, "ask_") == 0 || find_folded(name, len, 0, "prompt_") == 0)
		return false;
	while (start < len) {
		size_t end = start, n = 0;

		while (end < len && fold(name[end]) != '_')
			end++;
		for (size_t i = start; i < end && n + 1 < sizeof(part); i++)
			part[n++] = fold(name[i]);
		part[n] = '\0';
		for (size_t i = 0; i < sizeof(endings) / sizeof(endings[0]); i++)
			if (ends_folded(part, n, endings[i]))
				return true;
		for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++)
			if (!strcmp(part, alone[i]))
				return true;
		if (!strcmp(part, "key") && (!strcmp(previous, "api") || !strcmp(previous, "access") ||
					     !strcmp(previous, "private"))) {
			*path_ok = !strcmp(previous, "private");
			return true;
		}
		if (!strncmp(part, "credential", 10)) {
			*path_ok = true;
			return true;
		}
		memcpy(previous, part, n + 1);
		start = end + 1;
	}
	return false;
}

bool looks_like_path(const char *value, size_t len)
{
	return len && (value[0] == '/' || (len > 1 && value[0] == '~' && value[1] == '/') ||
		       (len > 1 && value[0] == '.' && (value[1] == '/' || value[1] == '.')));
}

/* A shell-like token of a word: [start, end), and the quote just before it, which makes it
 * run on to the matching quote (0: none). */
struct token {
	size_t start, end;
	char quote;
	uint16_t present; /* the classes of its bytes */
};

/* The value that starts at `start` in token t: up to the closing quote when it starts with one
 * or the token was opened by one ('--password=a b' in a script); else to the word's end when
 * to_end (the token began the word, which is then the value's own), else to the token's end. */
static void mark_value(const struct word *w, const struct token *t, size_t start, bool to_end,
		       bool path_ok, struct marks *m)
{
	const char *s = w->s;
	char quote = t->quote;
	size_t end = to_end ? w->len : t->end;

	if (start < w->len && class_of(s[start]) & C_QUOTE)
		quote = s[start++];
	if (quote) {
		const char *close = memchr(s + start, quote, w->len - start);

		end = close ? (size_t)(close - s) : w->len;
	}
	if (end > start && !(path_ok && looks_like_path(s + start, end - start)))
		mark(m, start, end);
}

/* A token that begins the word is the word: its value runs to the word's end (a password with
 * spaces given as one argument), unless the word is a multi-line script. */
static bool value_to_end(const struct word *w, size_t token_start)
{
	return token_start == 0 && !memchr(w->s, '\n', w->len);
}

/* -name VALUE or --name=VALUE in token t; returns what the next token is. */
static enum pending_value option_rule(const struct word *w, const struct token *t, size_t *eq,
				      struct marks *m)
{
	const char *s = w->s;
	size_t a = t->start, b = t->end;
	size_t name = a + 1 + (b > a + 1 && s[a + 1] == '-'), end = name;
	bool path_ok;

	while (end < b && class_of(s[end]) & C_NAME && s[end] != '=')
		end++;
	*eq = end < b && s[end] == '=' ? end : (size_t)-1;
	if (end == name || (end < b && s[end] != '=') || s[name] == '-' ||
	    !secret_option_name(s + name, end - name, &path_ok))
		return PENDING_NONE;
	if (*eq == (size_t)-1)
		return path_ok ? PENDING_SECRET_OR_PATH : PENDING_SECRET;
	mark_value(w, t, end + 1, value_to_end(w, a), path_ok, m);
	return PENDING_NONE;
}

/* NAME=VALUE anywhere in token t (env, make, docker -e, a URL's query), except the '=' at
 * skip_eq that an option rule took. */
static void assignment_rule(const struct word *w, const struct token *t, size_t skip_eq,
			    struct marks *m)
{
	const char *s = w->s;
	size_t a = t->start, b = t->end;
	bool path_ok;

	for (const char *eq = memchr(s + a, '=', b - a); eq; eq = memchr(eq + 1, '=', s + b - eq - 1)) {
		size_t e = (size_t)(eq - s), start = e;

		if (e == skip_eq)
			continue;
		while (start > a && class_of(s[start - 1]) & C_NAME)
			start--;
		while (start < e && s[start] == '-')
			start++;
		if (start < e && !(class_of(s[start]) & C_DIGIT) &&
		    secret_assignment_name(s + start, e - start, &path_ok))
			mark_value(w, t, e + 1, value_to_end(w, start), path_ok, m);
		if (e + 1 == b)
			break;
	}
}

/* Known token formats: a prefix (kept, so that the kind of token still shows) with its trigger
 * (the offset of its _, - or A) and a body of at least min_body bytes of the given classes. */
struct token_format {
	const char *prefix;
	unsigned char len, trigger;
	uint16_t body;
	unsigned short min_body;
};

/* Grouped by trigger: _ first, then -, then A (formats_triggered_by). */
static const struct token_format token_formats[] = {
	{"ghp_", 4, 3, C_ALNUM, 20}, {"gho_", 4, 3, C_ALNUM, 20}, {"ghu_", 4, 3, C_ALNUM, 20},
	{"ghs_", 4, 3, C_ALNUM, 20}, {"ghr_", 4, 3, C_ALNUM, 20},
	{"github_pat_", 11, 6, C_ALNUM | C_UNDER, 20}, {"npm_", 4, 3, C_ALNUM, 30},
	{"sk_live_", 8, 2, C_ALNUM, 10}, {"rk_live_", 8, 2, C_ALNUM, 10},
	{"sk_test_", 8, 2, C_ALNUM, 10}, {"rk_test_", 8, 2, C_ALNUM, 10},
	{"glpat-", 6, 5, C_ALNUM | C_UNDER | C_DASH, 20},
	{"xoxb-", 5, 4, C_ALNUM | C_DASH, 10}, {"xoxa-", 5, 4, C_ALNUM | C_DASH, 10},
	{"xoxp-", 5, 4, C_ALNUM | C_DASH, 10}, {"xoxr-", 5, 4, C_ALNUM | C_DASH, 10},
	{"xoxs-", 5, 4, C_ALNUM | C_DASH, 10},
	{"AKIA", 4, 0, C_UPPER | C_DIGIT, 16}, {"ASIA", 4, 0, C_UPPER | C_DIGIT, 16},
};

/* The formats [*first, *last) whose trigger is c. */
static void formats_triggered_by(char c, size_t *first, size_t *last)
{
	*first = c == '_' ? 0 : c == '-' ? 11 : c == 'A' ? 17 : 0;
	*last = c == '_' ? 11 : c == '-' ? 17 : c == 'A' ? 19 : 0;
}

static size_t run_of(const struct word *w, size_t i, size_t b, uint16_t allowed)
{
	size_t start = i;

	while (i < b && class_of(w->s[i]) & allowed)
		i++;
	return i - start;
}

/* A body long enough, or cut short by the argv limit at the word's end. */
static bool body_enough(const struct word *w, size_t end, size_t body, size_t min_body)
{
	return body >= min_body || (body && w->cut && end == w->len);
}

/* Where a format found at i ends when the word's cut end stopped it at p, else i (none). */
static size_t cut_end(const struct word *w, size_t i, size_t p)
{
	return w->cut && p == w->len ? p : i;
}

/* A JWT at i: three base64url segments, the first two JSON objects ("eyJ"). Returns its end,
 * or i when there is none. */
static size_t jwt_end(const struct word *w, size_t i, size_t b)
{
	const uint16_t b64 = C_ALNUM | C_UNDER | C_DASH;
	size_t p = i + run_of(w, i, b, b64);

	if (p - i < 10 || p == b || w->s[p] != '.')
		return cut_end(w, i, p);
	p++;
	if (b - p < 3 || strncmp(w->s + p, "eyJ", 3))
		return cut_end(w, i, p);
	p += run_of(w, p, b, b64);
	if (p == b || w->s[p] != '.')
		return cut_end(w, i, p);
	return p + 1 + run_of(w, p + 1, b, b64);
}

/* Whether a format's prefix may start at i: not inside a longer run of letters and digits. */
static bool at_boundary(const char *s, size_t a, size_t i)
{
	return i == a || !(class_of(s[i - 1]) & C_ALNUM);
}

/* Token formats in [a, b), looked for at their triggers only. Returns where the one that
 * triggers at p ends, or p when none does. */
static size_t token_at(const struct word *w, size_t a, size_t b, size_t p, struct marks *m)
{
	const char *s = w->s;

	if (s[p] == 'J') { /* eyJ... */
		size_t end = p >= a + 2 && s[p - 2] == 'e' && s[p - 1] == 'y' && at_boundary(s, a, p - 2)
				     ? jwt_end(w, p - 2, b)
				     : p;

		if (end > p + 1)
			mark(m, p + 1, end);
		return end > p ? end : p;
	}
	size_t first, last;

	formats_triggered_by(s[p], &first, &last);
	for (size_t f = first; f < last; f++) {
		const struct token_format *t = &token_formats[f];
		size_t start = p - t->trigger, body;

		/* The bytes next to the trigger first: they turn down most candidates (mod_1). */
		if (p < a + t->trigger ||
		    (t->trigger ? s[p - 1] != t->prefix[t->trigger - 1]
				: p + 1 < b && s[p + 1] != t->prefix[1]) ||
		    s[start] != t->prefix[0] || b - start < t->len ||
		    memcmp(s + start, t->prefix, t->len) || !at_boundary(s, a, start))
			continue;
		body = run_of(w, start + t->len, b, t->body);
		if (!body_enough(w, start + t->len + body, body, t->min_body))
			return p;
		mark(m, start + t->len, start + t->len + body);
		return start + t->len + body;
	}
	return p;
}

/* Each shell-like token's rules: the value of a secret option that ended the token before, the
 * option, assignment and token format rules (those its bytes allow). Returns what the next
 * token is. */
static enum pending_value token_rules(const struct word *w, const struct token *t,
				      enum pending_value pending, struct marks *m)
{
	enum pending_value next = PENDING_NONE;
	size_t eq = (size_t)-1;

	if (pending)
		mark_value(w, t, t->start, false, pending == PENDING_SECRET_OR_PATH, m);
	if (w->s[t->start] == '-')
		next = option_rule(w, t, &eq, m);
	if (t->present & C_EQ)
		assignment_rule(w, t, eq, m);
	if (t->present & C_TRIGGER)
		/* A format has letters before its trigger: an option's dashes trigger none. */
		for (size_t p = t->start + (w->s[t->start] == '-'); p < t->end; p++)
			if (class_of(w->s[p]) & C_TRIGGER)
				p = token_at(w, t->start, t->end, p, m);
	return next;
}

/* PEM private-key blocks: the lines between -----BEGIN ... PRIVATE KEY----- and -----END. */
static void pem_rule(const struct word *w, struct marks *m)
{
	const char *s = w->s, *end = s + w->len, *begin = s;

	while ((begin = memmem(begin, (size_t)(end - begin), "-----BEGIN ", 11))) {
		const char *line_end = memchr(begin, '\n', (size_t)(end - begin));
		const char *kind = memmem(begin, (size_t)((line_end ? line_end : end) - begin),
					  "PRIVATE KEY-----", 16);
		const char *body, *stop;

		begin += 11;
		if (!kind)
			continue;
		body = kind + 16;
		stop = memmem(body, (size_t)(end - body), "-----END ", 9);
		if (!stop)
			stop = end;
		/* The line breaks around the body stay, so the block keeps its shape. */
		while (body < stop && class_of(*body) & C_SPACE)
			body++;
		while (stop > body && class_of(stop[-1]) & C_SPACE)
			stop--;
		if (stop > body)
			mark(m, (size_t)(body - s), (size_t)(stop - s));
		begin = stop;
	}
}

static bool is_authorization(const char *s, size_t colon)
{
	return colon >= 13 && find_folded(s + colon - 13, 13, 0, "authorization") == 0;
}

/* HEADER: VALUE for Authorization and Proxy-Authorization (the scheme kept: Bearer ***) and
 * for dashed secret-named headers (X-Api-Key, Private-Token). The value ends at a quote or a
 * line break. */
static void header_rule(const struct word *w, struct marks *m)
{
	const char *s = w->s;

	for (const char *c = memchr(s, ':', w->len); c; c = memchr(c + 1, ':', s + w->len - c - 1)) {
		size_t colon = (size_t)(c - s), name = colon, value = colon + 1, end;
		bool authorization = is_authorization(s, colon), path_ok;

		while (name > 0 && class_of(s[name - 1]) & (C_ALNUM | C_DASH))
			name--;
		if (!authorization && (!memchr(s + name, '-', colon - name) ||
				       !secret_assignment_name(s + name, colon - name, &path_ok)))
			continue;
		while (value < w->len && (s[value] == ' ' || s[value] == '\t'))
			value++;
		for (end = value; end < w->len && !(class_of(s[end]) & C_QUOTE) && s[end] != '\n';
		     end++)
			;
		if (authorization) {
			size_t scheme = run_of(w, value, end, C_ALNUM | C_DASH);

			if (scheme && value + scheme < end && s[value + scheme] == ' ')
				value += scheme + 1;
			while (value < end && s[value] == ' ')
				value++;
		}
		if (end > value)
			mark(m, value, end);
	}
}

/* scheme://user:PASSWORD@host: the password (the last @ of the authority ends the userinfo). */
static void url_rule(const struct word *w, struct marks *m)
{
	const char *s = w->s, *end = s + w->len;

	for (const char *p = memmem(s, w->len, "://", 3); p; p = memmem(p + 3, (size_t)(end - p - 3), "://", 3)) {
		const char *authority = p + 3, *stop = authority, *at = NULL, *colon;

		while (stop < end && !strchr("/?#", *stop) && !(class_of(*stop) & (C_SPACE | C_DELIM))) {
			if (*stop == '@')
				at = stop;
			stop++;
		}
		colon = at ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
		if (colon && at > colon + 1)
			mark(m, (size_t)(colon + 1 - s), (size_t)(at - s));
	}
}

/* One pass splits the word into shell-like tokens (quotes and shell operators end them:
 * '--password' 'x' in a script is the two tokens --password and x), noting the classes of the
 * bytes each holds; the text rules run after, when the word holds what they need. */
enum pending_value builtin_rules(const struct word *w, struct marks *m)
{
	enum pending_value pending = PENDING_NONE;
	struct token t = {0, 0, 0, 0};
	uint16_t present = 0;

	while (t.end < w->len) {
		for (t.start = t.end; t.start < w->len && class_of(w->s[t.start]) & (C_SPACE | C_DELIM);)
			present |= class_of(w->s[t.start++]);
		if (t.start == w->len)
			break;
		t.quote = t.start && class_of(w->s[t.start - 1]) & C_QUOTE ? w->s[t.start - 1] : 0;
		t.present = 0;
		for (t.end = t.start; t.end < w->len && !(class_of(w->s[t.end]) & (C_SPACE | C_DELIM));)
			t.present |= class_of(w->s[t.end++]);
		present |= t.present;
		pending = token_rules(w, &t, pending, m);
	}
	if (present & C_COLON) {
		header_rule(w, m);
		url_rule(w, m);
	}
	if (present & C_DASH)
		pem_rule(w, m);
	return pending;
}
