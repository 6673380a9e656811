package org.edgesbc.core.identity;

/** Why no certificate chain could be had from an x5u URL; the bounded label set of the fetch counter. */
public enum FetchFailure {
    /** The URL names a host outside the configured {@code allowed-hosts}. */
    HOST_NOT_ALLOWED,
    /** Not an absolute http or https URL with a host, or it carries user info. */
    BAD_URL,
    /** No complete answer within {@code fetch-timeout}. */
    TIMEOUT,
    /** The name did not resolve, the connection or the TLS handshake failed, or the server closed early. */
    CONNECT_FAILED,
    /** An answer other than 200, redirects included: they are not followed. */
    HTTP_STATUS,
    /** The body (or the announced Content-Length, or the header block) exceeds the chain's bound. */
    TOO_LARGE,
    /** The answer is not HTTP the decoder accepts, or its body is not a PEM chain {@code CertificateChains} reads. */
    UNPARSEABLE,
    /** The cache is at its bound and every entry in it is a fetch still in flight. */
    CACHE_FULL
}
