package org.edgesbc.transport;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.TlsContextFactory;

/**
 * What of the transport can change while it runs, built completely before it is swapped in with
 * {@link SipTransportService#replaceSettings}: the strict gate's limits and the TLS contexts (certificate chain,
 * private key, trust bundle, client-certificate and peer-verification policy, client certificates per peer group). Listeners, I/O threads, buffers and
 * connection caps are fixed at start. Immutable.
 *
 * @param gate the strict gate with its limits
 * @param serverTls the context of inbound TLS connections, null without TLS
 * @param clientTls the context of outbound TLS connections, null without TLS
 * @param identityClientTls contexts of outbound TLS connections that present a certificate of their own, by the
 *         name of the client identity
 * @param certificateExpiry notAfter of the SBC's own (first) certificate, null without TLS
 */
public record TransportSettings(SipMessageGate gate, SslContext serverTls, SslContext clientTls,
        Map<String, SslContext> identityClientTls, Instant certificateExpiry) {

    public TransportSettings {
        identityClientTls = Map.copyOf(identityClientTls);
    }

    /** The context for an outbound connection presenting {@code clientIdentity}, or the SBC's certificate. */
    public SslContext clientTls(String clientIdentity) {
        return clientIdentity == null ? clientTls : identityClientTls.getOrDefault(clientIdentity, clientTls);
    }

    /**
     * Reads the TLS key material (every time: a rotated certificate keeps its file name) and builds both contexts.
     *
     * @param tls key material and policy, or null without TLS
     * @throws IOException when a PEM file cannot be read or the key does not fit a context
     */
    public static TransportSettings build(TransportConfig.GateLimits gate, TransportConfig.TlsSettings tls)
            throws IOException {
        SipMessageGate messageGate = new SipMessageGate(gate);
        if (tls == null) {
            return new TransportSettings(messageGate, null, null, Map.of(), null);
        }
        X509Certificate[] chain = PemFiles.certificates(tls.certificateChain());
        Map<String, SslContext> identities = new HashMap<>();
        for (Map.Entry<String, TransportConfig.ClientIdentity> identity : tls.clientIdentities().entrySet()) {
            identities.put(identity.getKey(), TlsContextFactory.client(tls, identity.getValue()));
        }
        return new TransportSettings(messageGate, TlsContextFactory.server(tls), TlsContextFactory.client(tls),
                identities, chain[0].getNotAfter().toInstant());
    }
}
