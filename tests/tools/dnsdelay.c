/*
 * dnsdelay.c - a UDP DNS forwarder that holds every answer back by a fixed
 * delay, for benchmarks that must show what concurrency buys: a check that
 * needs N lookups in a row costs N delays, one that runs them in parallel
 * costs one.
 *
 *   dnsdelay -l ADDR:PORT -u ADDR:PORT -d MS [-p PIDFILE]
 *
 * Each query from a client is sent on to the upstream server (the lab's NSD)
 * under a fresh message id; the answer goes back to the client with the
 * client's id restored, no earlier than MS milliseconds after the query
 * arrived. UDP only (the lab's answers fit in 512 bytes). Both addresses
 * must be loopback (127.0.0.0/8 or ::1): this tool never talks to anything
 * else. Single-threaded, poll()-based; at most DNSDELAY_SLOTS queries in
 * flight (the oldest is dropped when full, as a lossy network would).
 *
 * Ownership: main owns both sockets and the table of pending queries.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DNSDELAY_SLOTS 1024
#define DNSDELAY_MSG 4096

/* One query on its way: who asked, under which id, and the answer once it came. */
struct dnsdelay_slot {
	int used;
	uint16_t client_id;
	struct sockaddr_storage client;
	socklen_t client_len;
	int64_t due_ms; /* when the answer may leave */
	size_t answer_len;
	int answered;
	unsigned char answer[DNSDELAY_MSG];
};

static struct dnsdelay_slot dnsdelay_slots[DNSDELAY_SLOTS];
static volatile sig_atomic_t dnsdelay_stop;

/* Milliseconds on the monotonic clock. */
static int64_t dnsdelay_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Parse "127.0.0.1:53" or "[::1]:53" into ss; 0, or -1 when malformed or not loopback. */
static int dnsdelay_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon = strrchr(text, ':');
	char *end;
	long port;
	size_t n;

	if (colon == NULL || (n = (size_t)(colon - text)) == 0 || n >= sizeof(host))
		return -1;
	memcpy(host, text, n);
	host[n] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[n - 1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host[n - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1 ||
		    !IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
		return 0;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1 ||
	    (ntohl(s4->sin_addr.s_addr) >> 24) != 127)
		return -1;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)port);
	*len = sizeof(*s4);
	return 0;
}

/* A UDP socket of the family of ss, bound to it when bind_it. */
static int dnsdelay_socket(const struct sockaddr_storage *ss, socklen_t len, int bind_it)
{
	int fd = socket(ss->ss_family, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (bind_it && bind(fd, (const struct sockaddr *)ss, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A query from a client: take a slot (its index is the upstream id) and send it on. */
static void dnsdelay_query(int lfd, int ufd, const struct sockaddr_storage *up, socklen_t uplen,
			   int64_t delay)
{
	static unsigned next;
	unsigned char msg[DNSDELAY_MSG];
	struct sockaddr_storage from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(lfd, msg, sizeof(msg), 0, (struct sockaddr *)&from, &flen);
	struct dnsdelay_slot *s;
	unsigned id;

	if (n < 12)
		return;
	id = next++ % DNSDELAY_SLOTS;
	s = &dnsdelay_slots[id];
	s->used = 1;
	s->answered = 0;
	s->client_id = (uint16_t)(msg[0] << 8 | msg[1]);
	s->client = from;
	s->client_len = flen;
	s->due_ms = dnsdelay_now() + delay;
	msg[0] = (unsigned char)(id >> 8);
	msg[1] = (unsigned char)id;
	(void)sendto(ufd, msg, (size_t)n, 0, (const struct sockaddr *)up, uplen);
}

/* An answer from upstream: keep it in its slot until the slot is due. */
static void dnsdelay_answer(int ufd)
{
	unsigned char msg[DNSDELAY_MSG];
	ssize_t n = recv(ufd, msg, sizeof(msg), 0);
	struct dnsdelay_slot *s;
	unsigned id;

	if (n < 12)
		return;
	id = (unsigned)(msg[0] << 8 | msg[1]);
	if (id >= DNSDELAY_SLOTS || !(s = &dnsdelay_slots[id])->used || s->answered)
		return;
	msg[0] = (unsigned char)(s->client_id >> 8);
	msg[1] = (unsigned char)s->client_id;
	memcpy(s->answer, msg, (size_t)n);
	s->answer_len = (size_t)n;
	s->answered = 1;
}

/* Send every due answer; the milliseconds until the next one is due, or -1 for none. */
static int dnsdelay_flush(int lfd)
{
	int64_t now = dnsdelay_now(), next = -1;

	for (int i = 0; i < DNSDELAY_SLOTS; i++) {
		struct dnsdelay_slot *s = &dnsdelay_slots[i];

		if (!s->used || !s->answered)
			continue;
		if (s->due_ms <= now) {
			(void)sendto(lfd, s->answer, s->answer_len, 0,
				     (const struct sockaddr *)&s->client, s->client_len);
			s->used = 0;
		} else if (next < 0 || s->due_ms - now < next) {
			next = s->due_ms - now;
		}
	}
	return (int)next;
}

/* SIGTERM/SIGINT: leave the loop. */
static void dnsdelay_on_signal(int sig)
{
	(void)sig;
	dnsdelay_stop = 1;
}

/* Print the usage line and return 2. */
static int dnsdelay_usage(void)
{
	fprintf(stderr, "usage: dnsdelay -l ADDR:PORT -u ADDR:PORT -d MS [-p PIDFILE] "
			"(loopback addresses only)\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage lss, uss;
	socklen_t llen = 0, ulen = 0;
	const char *pidfile = NULL;
	long delay = -1;
	int opt, lfd, ufd, have_l = 0, have_u = 0;

	while ((opt = getopt(argc, argv, "l:u:d:p:")) != -1) {
		char *end;

		switch (opt) {
		case 'l': have_l = dnsdelay_addr(optarg, &lss, &llen) == 0; break;
		case 'u': have_u = dnsdelay_addr(optarg, &uss, &ulen) == 0; break;
		case 'd':
			delay = strtol(optarg, &end, 10);
			if (*end != '\0' || delay > 60000)
				delay = -1;
			break;
		case 'p': pidfile = optarg; break;
		default: return dnsdelay_usage();
		}
	}
	if (!have_l || !have_u || delay < 0 || optind != argc)
		return dnsdelay_usage();
	if ((lfd = dnsdelay_socket(&lss, llen, 1)) < 0 ||
	    (ufd = dnsdelay_socket(&uss, ulen, 0)) < 0) {
		perror("dnsdelay: socket");
		return 1;
	}
	if (pidfile != NULL) {
		FILE *f = fopen(pidfile, "w");

		if (f == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			perror("dnsdelay: pidfile");
			return 1;
		}
	}
	signal(SIGTERM, dnsdelay_on_signal);
	signal(SIGINT, dnsdelay_on_signal);
	while (!dnsdelay_stop) {
		struct pollfd p[2] = {{lfd, POLLIN, 0}, {ufd, POLLIN, 0}};
		int wait = dnsdelay_flush(lfd);

		if (poll(p, 2, wait) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			dnsdelay_query(lfd, ufd, &uss, ulen, delay);
		if (p[1].revents & POLLIN)
			dnsdelay_answer(ufd);
	}
	close(lfd);
	close(ufd);
	return 0;
}
