/*
 * fuzz_net_addr.c - libFuzzer target for net_addr_parse().
 *
 * The first byte picks the port (its value times 257, so 0..65535 and a few
 * out-of-range values via the top bit); the rest is the text. An accepted
 * address must print back to a non-empty string that parses to the same
 * address: anything else aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse the input as text; check that accepted addresses round-trip. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net_addr a, b;
	char text[64];
	char *s;
	int port;

	if (size == 0)
		return 0;
	port = (data[0] & 0x80) ? -(int)data[0] : data[0] * 257;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	if (net_addr_parse(s, port, &a) == 0) {
		if (port < 0 || net_addr_str(&a, text, sizeof(text))[0] == '\0')
			abort();
		if (net_addr_parse(text, port, &b) != 0 || a.len != b.len ||
		    memcmp(&a.ss, &b.ss, a.len) != 0)
			abort();
	}
	free(s);
	return 0;
}
