package org.edgesbc.core.management;

import java.time.Instant;

/** What the reload of the configuration reports; implemented on Micrometer in the metrics package. */
public interface ReloadMetrics {
    /** One reload attempt ended with {@code result}. */
    void reloadAttempt(ConfigReloader.Result result);

    /** The configuration of {@code generation} (1 at start) went live at {@code loadedAt}. */
    void generationLive(long generation, Instant loadedAt);

    /** notAfter of the certificate new TLS handshakes present, or null when there is none. */
    void tlsCertificateExpiry(Instant notAfter);
}
