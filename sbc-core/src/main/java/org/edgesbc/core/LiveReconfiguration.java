package org.edgesbc.core;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.core.management.ConfigReloader;
import org.edgesbc.core.management.ReloadMetrics;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.relay.RelayEngine;
import org.edgesbc.core.relay.RelaySettings;
import org.edgesbc.core.security.AccessPolicy;
import org.edgesbc.core.security.BanService;
import org.edgesbc.core.security.FloodWatch;
import org.edgesbc.core.security.FraudService;
import org.edgesbc.core.security.SecurityZones;
import org.edgesbc.core.security.SourceAdmissionPolicy;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.MediaTimeouts;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.transport.SipTransportService;
import org.edgesbc.transport.TransportConfig;
import org.edgesbc.transport.TransportSettings;

/**
 * What a reload changes in the running daemon, component by component, each through its own immutable settings
 * and swap: the transport's gate limits and TLS contexts, admission (zone networks, packet budgets), the flood
 * watch, the access policy (users, request budgets, thresholds), ban durations, toll-fraud rules and rates, the
 * dial plan and known customers of STIR/SHAKEN attestation, the zones' next hops, the registrar's expiries and accounts, and the media timeouts. Everything else is refused
 * before it gets here ({@link org.edgesbc.core.config.RestartRequiredChanges}).
 *
 * <p>{@link #prepare} builds every new object first (reading the TLS key files among them) and changes nothing;
 * the swap it returns only assigns, so it cannot fail half-way. Each component reads its settings once per packet,
 * request or decision (or, for bans and toll fraud, takes them on its own thread), so no message ever mixes two
 * generations within one component and no hot path takes a lock.
 */
final class LiveReconfiguration implements ConfigReloader.LiveSettings {
    private final SipTransportService transport;
    private final SourceAdmissionPolicy admission;
    private final FloodWatch flood;
    private final AccessPolicy access;
    private final BanService bans;
    private final FraudService fraud;
    private final CallerIdentityService callerIdentity;
    private final RelayEngine relay;
    private final MediaRelay media;
    private final ReloadMetrics metrics;

    /** @param media the media relay, or null when media anchoring is off */
    LiveReconfiguration(SipTransportService transport, SourceAdmissionPolicy admission, FloodWatch flood,
            AccessPolicy access, BanService bans, FraudService fraud, CallerIdentityService callerIdentity,
            RelayEngine relay, MediaRelay media, ReloadMetrics metrics) {
        this.transport = transport;
        this.admission = admission;
        this.flood = flood;
        this.access = access;
        this.bans = bans;
        this.fraud = fraud;
        this.callerIdentity = callerIdentity;
        this.relay = relay;
        this.media = media;
        this.metrics = metrics;
    }

    @Override
    public Runnable prepare(SbcConfig next) throws IOException {
        // Read again even when the paths are unchanged: a rotated certificate usually keeps its file name.
        TransportConfig transportConfig = SbcDaemon.transportConfig(next, SbcDaemon.TlsMaterial.resolve(next));
        TransportSettings transportSettings = TransportSettings.build(transportConfig.gate(), transportConfig.tls());
        SecurityZones zones = new SecurityZones(next.zones());
        ZoneAdmission allowlist = ZoneAdmission.of(next);
        SecurityConfig security = next.security();
        RelaySettings peers = SbcDaemon.relaySettings(next, transport);
        Set<String> accounts = security.users().stream().map(DigestUser::name).collect(Collectors.toSet());
        Set<String> customers = SbcDaemon.knownCustomers(next);
        MediaTimeouts timeouts = new MediaTimeouts(next.media().timeout(), next.media().holdTimeout());
        Registrar registrar = relay.registrar();
        return () -> {
            transport.replaceSettings(transportSettings);
            admission.reconfigure(allowlist, zones, security);
            flood.reconfigure(zones, security.floodBanAfter(), security.packetsPerSecond());
            access.reconfigure(zones, security);
            bans.reconfigure(security);
            fraud.reconfigure(next.fraud());
            callerIdentity.reconfigure(next.fraud().dialPlan(), customers);
            relay.replacePeers(peers);
            if (registrar != null) {
                registrar.reconfigure(next.registration(), accounts);
            }
            if (media != null) {
                media.replaceTimeouts(timeouts);
            }
            metrics.tlsCertificateExpiry(transportSettings.certificateExpiry());
        };
    }
}
