/*
 * tls_ssl.h - what tls.c shares with tls_detail.c only: the OpenSSL session
 * behind a connection and the helpers that print its certificates. Not for
 * other modules (they see tls.h and tls_info.h, never OpenSSL types).
 */
#ifndef MAILPATH_TLS_SSL_H
#define MAILPATH_TLS_SSL_H

#include <stddef.h>
#include <time.h>
#include <openssl/ssl.h>
#include "tls/tls.h"

/* The session behind t. */
SSL *tls_conn_ssl(const struct tls_conn *t);
/* Print an X509 name on one line into out (bounded, UTF-8 kept). */
void tls_name_line(const X509_NAME *name, char *out, size_t len);
/* The certificate's notAfter as time_t; 0 when unreadable. */
time_t tls_not_after(const X509 *cert);

#endif
