package org.edgesbc.core.identity;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the certificate cache answers for an x5u URL: the chain served there (leaf first, then the intermediates, as
 * served), or why there is none.
 *
 * @param chain the certificates, empty when the fetch failed
 * @param failure why there is no chain, null when there is one
 */
public record CertificateFetch(List<X509Certificate> chain, FetchFailure failure) {
    public CertificateFetch {
        chain = List.copyOf(chain);
        if ((failure == null) == chain.isEmpty()) {
            throw new IllegalArgumentException("a certificate fetch has either a chain or a failure");
        }
    }

    static CertificateFetch of(List<X509Certificate> chain) {
        return new CertificateFetch(chain, null);
    }

    static CertificateFetch failed(FetchFailure failure) {
        return new CertificateFetch(List.of(), failure);
    }

    public boolean ok() {
        return failure == null;
    }
}
