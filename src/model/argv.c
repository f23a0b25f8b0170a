#include "model/argv.h"

#include <stdlib.h>
#include <string.h>

#include "parquet/parquet.h"

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

char *escape_bytes_to(char *out, const char *bytes, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *s = (const unsigned char *)bytes;
	char *o = out;

	for (size_t i = 0; i < len;) {
		if (s[i] < 0x80 && s[i] != '\\') { /* plain ASCII, most bytes of a command line */
			*o++ = (char)s[i++];
			continue;
		}
		size_t n = pq_utf8_char_length(s + i, len - i);
		bool ambiguous = s[i] == '\\' && i + 3 < len && s[i + 1] == 'x' &&
				 is_hex(s[i + 2]) && is_hex(s[i + 3]);

		if (n && !ambiguous) {
			memcpy(o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = hex[s[i] >> 4];
		*o++ = hex[s[i] & 15];
		i++;
	}
	*o = '\0';
	return o;
}

char *escape_bytes(const char *bytes, size_t len)
{
	char *out = malloc(ESCAPED_SIZE(len));

	if (out)
		escape_bytes_to(out, bytes, len);
	return out;
}

char *path_from_components(const char *components, size_t len)
{
	/* Each component escaped on its own, as the whole path would be: no escape spans a '/'.
	 * Each NUL that ends a component becomes a '/'. */
	char *path = malloc(ESCAPED_SIZE(len) + 1), *out = path;
	size_t end = len;

	if (!path)
		return NULL;
	/* Walk the components from the last (the root's child) back to the first (the leaf). */
	while (end > 0) {
		size_t start = end - 1;

		while (start > 0 && components[start - 1] != '\0')
			start--;
		*out++ = '/';
		out = escape_bytes_to(out, components + start, end - 1 - start);
		end = start;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
	return path;
}

void argv_free(struct argv_list *argv)
{
	for (size_t i = 0; i < argv->count; i++)
		free(argv->items[i]);
	free(argv->items);
	*argv = (struct argv_list){0};
}

int argv_from_words(struct argv_list *out, char *const *words, size_t count)
{
	*out = (struct argv_list){.items = calloc(count ? count : 1, sizeof(*out->items))};
	if (!out->items)
		return -1;
	for (; out->count < count; out->count++) {
		out->items[out->count] = escape_bytes(words[out->count], strlen(words[out->count]));
		if (!out->items[out->count]) {
			argv_free(out);
			return -1;
		}
	}
	return 0;
}

int argv_from_bytes(struct argv_list *out, const char *bytes, size_t len, bool truncated)
{
	size_t count = 0;

	*out = (struct argv_list){.truncated = truncated};
	for (size_t i = 0; i < len; i++)
		count += bytes[i] == '\0';
	if (len && bytes[len - 1] != '\0')
		count++; /* a last word cut short by the limit */
	out->items = calloc(count ? count : 1, sizeof(*out->items));
	if (!out->items)
		return -1;
	for (size_t start = 0; out->count < count;) {
		const char *end = memchr(bytes + start, '\0', len - start);
		size_t word = end ? (size_t)(end - bytes) - start : len - start;

		out->items[out->count] = escape_bytes(bytes + start, word);
		if (!out->items[out->count]) {
			argv_free(out);
			return -1;
		}
		out->count++;
		start += word + 1;
	}
	return 0;
}

/* A character the shell reads as itself (letters and digits tested first: most are). */
static bool shell_plain(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("_@%+=:,./-", c));
}

static bool needs_quotes(const char *word)
{
	if (!*word)
		return true;
	for (const char *c = word; *c; c++)
		if (!shell_plain(*c))
			return true;
	return false;
}

char *argv_to_cmdline(const struct argv_list *argv)
{
	size_t size = 1;
	char *out, *o;

	for (size_t i = 0; i < argv->count; i++)
		size += strlen(argv->items[i]) * 4 + 3; /* each ' becomes '\'' */
	out = o = malloc(size);
	if (!out)
		return NULL;
	for (size_t i = 0; i < argv->count; i++) {
		const char *word = argv->items[i];

		if (i)
			*o++ = ' ';
		if (!needs_quotes(word)) {
			o = stpcpy(o, word);
			continue;
		}
		*o++ = '\'';
		for (const char *c = word; *c; c++)
			o = *c == '\'' ? stpcpy(o, "'\\''") : (*o = *c, o + 1);
		*o++ = '\'';
	}
	*o = '\0';
	return out;
}
