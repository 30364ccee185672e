/*
 * ossl.c - dlopen() libcrypto and libssl on first use and resolve our table.
 *
 * Contract:
 * - ossl_load() tries once per process; its result (and message) is kept, so
 *   a missing library costs one failed dlopen, not one per call.
 * - Libraries are opened RTLD_NOW (every symbol bound at load, so a missing
 *   one fails here, not in the middle of a handshake) and RTLD_LOCAL (their
 *   symbols do not leak into the global scope), nothing else: the ordinary
 *   symbol search, so an allocator preloaded with LD_PRELOAD, ASan and musl
 *   see OpenSSL as they see any linked library. Once loaded they are never
 *   closed: OpenSSL 3 keeps itself loaded until exit anyway.
 * - Why on demand at all: a plain probe that links OpenSSL pays 4.1 M
 *   instructions of symbol binding at exec for 0.57 M of work (bench/notes.md).
 * - Packagers see the dependency in the binaries: OSSL_ELF_NOTE_DLOPEN below
 *   puts a .note.dlopen ELF note (systemd's dlopen-metadata format) into every
 *   program linking this file; make check reads it back (scripts/dlopen-note.sh).
 * - The loaded libcrypto must have the major version of the headers we were
 *   compiled against (the table's types come from them).
 * - No output, no exit: failures are returned with a message.
 */
#include "tls/ossl.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OSSL_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL)

/* The note's owner and type (https://systemd.io/ELF_DLOPEN_METADATA/). */
#define OSSL_NOTE_OWNER "FDO"
#define OSSL_NOTE_TYPE UINT32_C(0x407c0c0a)

/*
 * Emit one ELF note of section .note.dlopen whose payload is the
 * zero-terminated JSON array json (a string literal): an ELF note header
 * (name size, payload size, type), the owner and the payload, each padded
 * to 4 bytes; allocated and read-only, kept even though nothing reads it.
 */
#define OSSL_ELF_NOTE_DLOPEN(var, json)                                                            \
	__attribute__((used, section(".note.dlopen"), aligned(4))) static const struct {           \
		uint32_t namesz, descsz, type;                                                     \
		char owner[(sizeof(OSSL_NOTE_OWNER) + 3) & ~(size_t)3];                            \
		char desc[(sizeof(json) + 3) & ~(size_t)3];                                        \
	} var /* NOLINT(bugprone-macro-parentheses): a name */ = {                                 \
		sizeof(OSSL_NOTE_OWNER), sizeof(json), OSSL_NOTE_TYPE, OSSL_NOTE_OWNER, json}

/* The two libraries ossl_load() opens, as packaging tools read them. */
/* Read by readelf and packaging tools, never by this program: */
// cppcheck-suppress unusedStructMember
OSSL_ELF_NOTE_DLOPEN(ossl_note_dlopen,
		     "[{\"feature\":\"tls\",\"description\":\"STARTTLS and implicit TLS probes, "
		     "certificate checks\",\"priority\":\"recommended\",\"soname\":[\"" OSSL_SSL_NAME
		     "\"]},{\"feature\":\"crypto\",\"description\":\"TLS and CRAM-MD5 "
		     "authentication\",\"priority\":\"recommended\",\"soname\":[\"" OSSL_CRYPTO_NAME
		     "\"]}]");

/* Which handle a symbol comes from. */
enum ossl_lib { OSSL_LIB_SSL, OSSL_LIB_CRYPTO };

/* One table entry: the symbol name, where it goes, which library has it. */
struct ossl_sym {
	const char *name;
	size_t off;
	enum ossl_lib lib;
};

_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "dlsym results fit function pointers");

#define OSSL_SYM_SSL(f) {#f, offsetof(struct ossl_fns, f), OSSL_LIB_SSL},
#define OSSL_SYM_CRYPTO(f) {#f, offsetof(struct ossl_fns, f), OSSL_LIB_CRYPTO},
static const struct ossl_sym ossl_syms[] = {OSSL_SSL_FUNCS(OSSL_SYM_SSL)
						    OSSL_CRYPTO_FUNCS(OSSL_SYM_CRYPTO)};
#undef OSSL_SYM_SSL
#undef OSSL_SYM_CRYPTO

struct ossl_fns ossl_fn;

static int ossl_state;     /* 0 not tried, 1 loaded, -1 failed */
static char ossl_why[256]; /* the failure of the one attempt */

/* Put the dlerror() text (or what) into err. */
static void ossl_err_dl(char *err, size_t errlen, const char *what)
{
	const char *e = dlerror();

	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "cannot load OpenSSL: %s", e != NULL ? e : what);
}

/* Resolve every symbol of the table from the two handles; 0 or -1. */
static int ossl_resolve(struct ossl_fns *t, void *ssl, void *crypto, char *err, size_t errlen)
{
	size_t i;
	void *p;

	for (i = 0; i < sizeof(ossl_syms) / sizeof(ossl_syms[0]); i++) {
		(void)dlerror();
		p = dlsym(ossl_syms[i].lib == OSSL_LIB_SSL ? ssl : crypto, ossl_syms[i].name);
		if (p == NULL) {
			ossl_err_dl(err, errlen, ossl_syms[i].name);
			return -1;
		}
		memcpy((char *)t + ossl_syms[i].off, (const void *)&p, sizeof(p));
	}
	return 0;
}

/* Open the libraries named ssl_name and crypto_name and fill t; 0 or -1 with the reason. */
int ossl_open(struct ossl_fns *t, const char *ssl_name, const char *crypto_name, char *err,
	      size_t errlen)
{
	void *crypto = NULL, *ssl = NULL;
	unsigned long v;

	crypto = dlopen(crypto_name, OSSL_DLOPEN_FLAGS);
	if (crypto == NULL) {
		ossl_err_dl(err, errlen, crypto_name);
		goto fail;
	}
	ssl = dlopen(ssl_name, OSSL_DLOPEN_FLAGS);
	if (ssl == NULL) {
		ossl_err_dl(err, errlen, ssl_name);
		goto fail;
	}
	if (ossl_resolve(t, ssl, crypto, err, errlen) != 0)
		goto fail;
	v = t->OpenSSL_version_num();
	if (v >> 28 != OPENSSL_VERSION_MAJOR) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "cannot load OpenSSL: %s is version %lx, want %d.x",
				 crypto_name, v, OPENSSL_VERSION_MAJOR);
		goto fail;
	}
	return 0;
fail:
	memset(t, 0, sizeof(*t));
	if (ssl != NULL)
		dlclose(ssl);
	if (crypto != NULL)
		dlclose(crypto);
	return -1;
}

/* Load OpenSSL once; 0 when the table is usable, else -1 and the reason in err. */
int ossl_load(char *err, size_t errlen)
{
	if (ossl_state == 0)
		ossl_state = ossl_open(&ossl_fn, OSSL_SSL_NAME, OSSL_CRYPTO_NAME, ossl_why,
				       sizeof(ossl_why)) == 0
				     ? 1
				     : -1;
	if (ossl_state > 0)
		return 0;
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", ossl_why);
	return -1;
}
