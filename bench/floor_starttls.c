/*
 * floor_starttls.c - the least a stock-OpenSSL program does for a verified
 * STARTTLS probe: the floor the STARTTLS bench pair is measured against.
 *
 *   floor_starttls HOST PORT CA_FILE NAME
 * Connects to HOST:PORT (numeric address), reads the greeting, sends EHLO,
 * STARTTLS, then does one TLS handshake with libssl linked normally (the
 * default context and openssl.cnf, as any stock client), verifying the chain
 * against CA_FILE and the certificate against NAME (also sent as SNI), and
 * sends QUIT over TLS and reads its reply. Nothing else: blocking sockets,
 * no timeouts, no output unless something fails. Exits 0 when every step
 * worked and verification passed, 1 otherwise (the reason on stderr).
 * Built and run by bench/run.sh; not part of the plugins.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

/* Reading state of the plaintext part: one buffer, one connection. */
struct floor_conn {
	int fd;
	SSL *ssl; /* NULL before the handshake */
	char buf[4096];
	size_t len;
};

/* Read more bytes into the buffer; 0, or -1 on EOF or error. */
static int floor_fill(struct floor_conn *c)
{
	ssize_t n;
	size_t got = 0;

	if (c->len >= sizeof(c->buf) - 1)
		return -1;
	if (c->ssl != NULL) {
		if (SSL_read_ex(c->ssl, c->buf + c->len, sizeof(c->buf) - 1 - c->len, &got) != 1)
			return -1;
		c->len += got;
		return 0;
	}
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	return 0;
}

/* Read one whole SMTP reply; its code, or -1. Bytes after it are not expected. */
static int floor_reply(struct floor_conn *c)
{
	char *line, *nl;

	for (;;) {
		c->buf[c->len] = '\0';
		line = c->buf;
		while ((nl = strstr(line, "\r\n")) != NULL) {
			if (nl - line >= 4 && line[3] == ' ') {
				int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
					   (line[2] - '0');

				c->len = 0;
				return code;
			}
			line = nl + 2;
		}
		if (floor_fill(c) != 0)
			return -1;
	}
}

/* Send a command (plaintext or over TLS); 0 or -1. */
static int floor_send(struct floor_conn *c, const char *cmd)
{
	size_t n = strlen(cmd), put = 0;

	if (c->ssl != NULL)
		return SSL_write_ex(c->ssl, cmd, n, &put) == 1 && put == n ? 0 : -1;
	return send(c->fd, cmd, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Connect to host:port (numeric); the fd or -1. */
static int floor_connect(const char *host, const char *port)
{
	struct addrinfo hints, *ai = NULL;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* The verified handshake on c->fd: CA file, name check, SNI; 0 or -1. */
static int floor_tls(struct floor_conn *c, SSL_CTX *ctx, const char *ca, const char *name)
{
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_file(ctx, ca) != 1)
		return -1;
	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1 ||
	    SSL_set_tlsext_host_name(c->ssl, name) != 1 || SSL_set1_host(c->ssl, name) != 1)
		return -1;
	if (SSL_connect(c->ssl) != 1)
		return -1;
	return SSL_get_verify_result(c->ssl) == X509_V_OK ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct floor_conn c = {.fd = -1};
	SSL_CTX *ctx = NULL;
	const char *why = "usage: floor_starttls HOST PORT CA_FILE NAME";
	int rc = 1;

	if (argc != 5)
		goto out;
	why = "connect";
	if ((c.fd = floor_connect(argv[1], argv[2])) < 0)
		goto out;
	why = "greeting";
	if (floor_reply(&c) != 220)
		goto out;
	why = "EHLO";
	if (floor_send(&c, "EHLO floor.lab.test\r\n") != 0 || floor_reply(&c) != 250)
		goto out;
	why = "STARTTLS";
	if (floor_send(&c, "STARTTLS\r\n") != 0 || floor_reply(&c) != 220)
		goto out;
	why = "TLS handshake or verification";
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    floor_tls(&c, ctx, argv[3], argv[4]) != 0)
		goto out;
	why = "QUIT";
	if (floor_send(&c, "QUIT\r\n") != 0 || floor_reply(&c) != 221)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		fprintf(stderr, "floor_starttls: %s failed\n", why);
		ERR_print_errors_fp(stderr);
	}
	SSL_free(c.ssl);
	SSL_CTX_free(ctx);
	if (c.fd >= 0)
		close(c.fd);
	return rc;
}
