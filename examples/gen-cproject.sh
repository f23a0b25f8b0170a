#!/bin/sh
# gen-cproject.sh DIR MODULES FUNCS — writes a small C project into DIR: MODULES translation
# units (mod_N.c, FUNCS non-trivial functions each: loops, switches, tables, qsort, formatting,
# so the optimiser has real work), a main.c that calls every module, and a Makefile
# (`make -jN` builds ./app, `make clean`). Deterministic: same arguments, same files.
# ./app LINES prints LINES pseudo access-log records (method, path, status, latency in ms, user)
# derived from the modules' mixers.
# Used by examples/pipeline.sh (a dozen modules) and bench/run.sh (64, for its build benchmark).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DIR MODULES FUNCS" >&2; exit 2; }
dir=$1 modules=$2 funcs=$3
mkdir -p "$dir"

# One module: FUNCS static mixers of four shapes, and mod_N() chaining them all.
gen_module() {
	m=$1
	printf '#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include "app.h"\n\n'
	f=0
	while [ "$f" -lt "$funcs" ]; do
		c=$((m * 131 + f * 17 + 3))
		case $((f % 4)) in
		0) cat <<EOF
static unsigned long m${m}_f${f}(unsigned long x)
{
	unsigned long acc = 0x9e3779b97f4a7c15UL ^ ${c}UL;
	for (int i = 0; i < 24; i++) {
		x ^= x >> 13;
		x *= 0xff51afd7ed558ccdUL + (unsigned long)i * ${c}UL;
		x ^= x << 7;
		switch ((x >> 5) & 7) {
		case 0: acc += x * 3; break;
		case 1: acc ^= x >> 11; break;
		case 2: acc = (acc << 9) | (acc >> 55); break;
		case 3: acc -= x ^ ${c}UL; break;
		case 4: acc += (x & 0xffff) * (acc & 0xff); break;
		case 5: acc ^= acc >> (x & 31); break;
		case 6: acc *= (x | 1); break;
		default: acc += i; break;
		}
	}
	return acc ^ x;
}

EOF
		;;
		1) cat <<EOF
static unsigned long m${m}_f${f}(unsigned long x)
{
	unsigned long table[32];
	for (int i = 0; i < 32; i++)
		table[i] = (x + (unsigned long)i * ${c}UL) * 0x2545f4914f6cdd1dUL;
	for (int round = 0; round < 4; round++)
		for (int i = 1; i < 32; i++) {
			table[i] ^= table[i - 1] >> (round + 3);
			table[i] += table[(i * 7 + round) & 31];
		}
	unsigned long sum = 0;
	for (int i = 0; i < 32; i++)
		sum = sum * 31 + (table[i] % (${c}UL + 97));
	return sum;
}

EOF
		;;
		2) cat <<EOF
struct m${m}_rec${f} { unsigned key; int weight; char tag[12]; };

static int m${m}_cmp${f}(const void *a, const void *b)
{
	const struct m${m}_rec${f} *ra = a, *rb = b;
	if (ra->key != rb->key)
		return ra->key < rb->key ? -1 : 1;
	if (ra->weight != rb->weight)
		return ra->weight - rb->weight;
	return strcmp(ra->tag, rb->tag);
}

static unsigned long m${m}_f${f}(unsigned long x)
{
	struct m${m}_rec${f} recs[16];
	for (int i = 0; i < 16; i++) {
		x = x * 6364136223846793005UL + ${c}UL;
		recs[i].key = (unsigned)(x >> 40) % 97;
		recs[i].weight = (int)((x >> 20) & 1023) - 512;
		snprintf(recs[i].tag, sizeof recs[i].tag, "t%u", (unsigned)(x >> 50));
	}
	qsort(recs, 16, sizeof recs[0], m${m}_cmp${f});
	unsigned long h = 1469598103934665603UL;
	for (int i = 0; i < 16; i++) {
		h = (h ^ recs[i].key) * 1099511628211UL;
		h = (h ^ (unsigned long)(recs[i].weight + 512)) * 1099511628211UL;
		for (const char *p = recs[i].tag; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211UL;
	}
	return h;
}

EOF
		;;
		3) cat <<EOF
static unsigned long m${m}_f${f}(unsigned long x)
{
	char buf[96];
	unsigned long h = ${c}UL;
	for (int i = 0; i < 6; i++) {
		int n = snprintf(buf, sizeof buf, "%lx:%d:%s", x, i, (x & 1) ? "odd" : "even");
		for (int j = 0; j < n; j++) {
			unsigned char ch = (unsigned char)buf[j];
			if (ch >= '0' && ch <= '9')
				h = h * 10 + (ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				h = (h << 4) ^ (ch - 'a' + 10);
			else
				h ^= h >> 17;
		}
		x = h ^ (x >> 3);
	}
	return h;
}

EOF
		;;
		esac
		f=$((f + 1))
	done
	printf 'unsigned long mod_%d(unsigned long x)\n{\n' "$m"
	f=0
	while [ "$f" -lt "$funcs" ]; do
		printf '\tx = m%d_f%d(x);\n' "$m" "$f"
		f=$((f + 1))
	done
	printf '\treturn x;\n}\n'
}

{
	echo '#ifndef APP_H'
	echo '#define APP_H'
	m=0
	while [ "$m" -lt "$modules" ]; do
		echo "unsigned long mod_$m(unsigned long x);"
		m=$((m + 1))
	done
	echo '#endif'
} > "$dir/app.h"

m=0
while [ "$m" -lt "$modules" ]; do
	gen_module "$m" > "$dir/mod_$m.c"
	m=$((m + 1))
done

{
	cat <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include "app.h"

typedef unsigned long (*mixer)(unsigned long);
static const mixer mixers[] = {
EOF
	m=0
	while [ "$m" -lt "$modules" ]; do
		echo "	mod_$m,"
		m=$((m + 1))
	done
	cat <<'EOF'
};
#define NMIXERS (sizeof mixers / sizeof mixers[0])

static const char *const methods[] = {"GET", "GET", "GET", "POST", "PUT", "DELETE"};
static const char *const paths[] = {"/api/items", "/api/users", "/api/orders", "/health",
				    "/static/app.js", "/api/search", "/login", "/metrics"};
static const int statuses[] = {200, 200, 200, 200, 201, 204, 304, 400, 404, 500};

int main(int argc, char **argv)
{
	long lines = argc > 1 ? atol(argv[1]) : 10;
	unsigned long x = 42;
	for (long i = 0; i < lines; i++) {
		/* Reseed from a module every 16 lines, a cheap LCG in between. */
		x = i % 16 ? x * 6364136223846793005UL + 1442695040888963407UL
			   : mixers[(i / 16) % NMIXERS](x + (unsigned long)i);
		/* A skewed distribution, so the top of `uniq -c | sort -rn` means something. */
		unsigned long r = x >> 33, p = r % 8, skew = (r >> 4) % 3 == 0 ? 0 : p;
		printf("%s %s %d %lu user%lu\n", methods[(r >> 8) % 6], paths[skew],
		       statuses[(r >> 16) % 10], 5 + (r >> 20) % 400, (r >> 12) % 5000);
	}
	return 0;
}
EOF
} > "$dir/main.c"

{
	printf 'CFLAGS = -O2\nOBJS :='
	m=0
	while [ "$m" -lt "$modules" ]; do
		printf ' mod_%d.o' "$m"
		m=$((m + 1))
	done
	printf ' main.o\n\n'
	cat <<'EOF'
app: $(OBJS)
	$(CC) $(CFLAGS) -o $@ $(OBJS)

%.o: %.c app.h
	$(CC) $(CFLAGS) -c -o $@ $<

clean:
	rm -f app $(OBJS)

.PHONY: clean
EOF
} > "$dir/Makefile"
