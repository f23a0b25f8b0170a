#include "analysis/normalize.h"

#include <stdbool.h>
#include <string.h>

#define MAX_EXTENSION 4

/* ASCII only: bytes of other characters (and of \xHH escapes' backslash) are never masked. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_digit(c) || is_letter(c);
}

static bool is_hex_letter(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Characters that can be part of a path before "/tmp/": then it is not a path's start. */
static bool is_path_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == '~';
}

/* Characters that end a path component. */
static bool ends_component(char c)
{
	return c == '\0' || c == '/' || c == ' ' || c == '\t' || c == '\'' || c == '"' ||
	       c == ',' || c == ':' || c == ';' || c == '=' || c == ')';
}

/* Length of the temporary directory prefix starting at s ("/tmp/"...), or 0. */
static size_t temp_prefix(const char *s)
{
	static const char *const prefixes[] = { "/tmp/", "/var/tmp/", "/dev/shm/" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return strlen(prefixes[i]);
	return 0;
}

/* Masks the component name[0..len) as "*" plus its extension; returns the bytes written. */
static size_t mask_temp_name(const char *name, size_t len, char *out)
{
	size_t dot = len;
	while (dot > 0 && name[dot - 1] != '.')
		dot--;
	bool extension = dot > 1 && len - dot >= 1 && len - dot <= MAX_EXTENSION;
	for (size_t i = dot; extension && i < len; i++)
		extension = is_letter(name[i]);
	out[0] = '*';
	if (!extension)
		return 1;
	memcpy(out + 1, name + dot - 1, len - dot + 1);
	return len - dot + 2;
}

/* Whether the word s[0..len) is a hex id. */
static bool is_hex_id(const char *s, size_t len)
{
	bool digit = false, letter = false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]) && !is_hex_letter(s[i]))
			return false;
		digit |= is_digit(s[i]);
		letter |= !is_digit(s[i]);
	}
	return len >= 4 && digit && letter;
}

/* Whether s starts with a UUID (8-4-4-4-12 hex digits) that ends a word. */
static bool is_uuid(const char *s)
{
	static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == '-' ? s[i] != '-' : !is_digit(s[i]) && !is_hex_letter(s[i]))
			return false;
	return !is_alnum(s[sizeof(shape) - 1]);
}

size_t normalize_command(const char *cmdline, char *out)
{
	const char *s = cmdline;
	size_t o = 0;
	for (size_t i = 0; s[i];) {
		char before = i > 0 ? s[i - 1] : '\0';
		size_t prefix = !is_path_char(before) ? temp_prefix(s + i) : 0;
		if (prefix) {
			size_t len = 0;
			while (!ends_component(s[i + prefix + len]))
				len++;
			memcpy(out + o, s + i, prefix);
			o += prefix;
			i += prefix;
			if (len > 0)
				o += mask_temp_name(s + i, len, out + o);
			i += len;
			continue;
		}
		if (!is_alnum(before) && is_uuid(s + i)) {
			out[o++] = '#';
			i += 36;
			continue;
		}
		size_t word = 0;
		if (!is_alnum(before))
			while (is_alnum(s[i + word]))
				word++;
		if (word > 0 && is_hex_id(s + i, word)) {
			out[o++] = '#';
			i += word;
			continue;
		}
		if (is_digit(s[i]) && !is_letter(before)) {
			while (is_digit(s[i]))
				i++;
			if (s[i] == '.' && is_digit(s[i + 1]))
				for (i++; is_digit(s[i]); i++)
					;
			out[o++] = '#';
			continue;
		}
		/* Digits right after a letter ("python3", "-O2") are kept. */
		bool letter = is_letter(s[i]);
		out[o++] = s[i++];
		while (letter && is_digit(s[i]))
			out[o++] = s[i++];
	}
	out[o] = '\0';
	return o;
}
