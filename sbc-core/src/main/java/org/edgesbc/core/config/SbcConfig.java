package org.edgesbc.core.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The whole validated configuration snapshot, immutable once built. A reload builds a new one beside the running
 * one and swaps it in only when it is complete and valid.
 *
 * @param source the file it was read from (for messages)
 * @param dataDir where generated certificates and state files live, resolved against the config file's folder
 * @param registration the binding table and registration caching of remote phones
 * @param stirShaken signing and verification of caller identity ({@link StirShakenConfig#OFF} when absent)
 * @param logs rotation and retention of the security-event and CDR files
 * @param routing which trunk or PBX zone each new call goes to, and when an attempt moves on
 * @param dns where and how peers named by host name are located
 * @param cluster the nodes this one shares state with ({@link ClusterConfig#OFF}: one node)
 */
public record SbcConfig(Path source, Path dataDir, SipConfig sip, MediaSettings media, SecurityConfig security,
        FraudConfig fraud, List<ZoneConfig> zones,
        ManagementConfig management, RegistrationConfig registration, StirShakenConfig stirShaken, LogsConfig logs,
        RoutingConfig routing, DnsConfig dns, ClusterConfig cluster) {

    /** A configuration built in code (tests): one node, no cluster. */
    public SbcConfig(Path source, Path dataDir, SipConfig sip, MediaSettings media, SecurityConfig security,
            FraudConfig fraud, List<ZoneConfig> zones, ManagementConfig management, RegistrationConfig registration,
            StirShakenConfig stirShaken, LogsConfig logs, RoutingConfig routing, DnsConfig dns) {
        this(source, dataDir, sip, media, security, fraud, zones, management, registration, stirShaken, logs, routing,
                dns, ClusterConfig.OFF);
    }

    /** A configuration built in code (tests) whose named peers, if any, are located as {@link DnsConfig#DEFAULTS}. */
    public SbcConfig(Path source, Path dataDir, SipConfig sip, MediaSettings media, SecurityConfig security,
            FraudConfig fraud, List<ZoneConfig> zones, ManagementConfig management, RegistrationConfig registration,
            StirShakenConfig stirShaken, LogsConfig logs, RoutingConfig routing) {
        this(source, dataDir, sip, media, security, fraud, zones, management, registration, stirShaken, logs, routing,
                DnsConfig.DEFAULTS);
    }

    /** A configuration built in code (tests) routed as {@link RoutingConfig#defaults} routes its zones. */
    public SbcConfig(Path source, Path dataDir, SipConfig sip, MediaSettings media, SecurityConfig security,
            FraudConfig fraud, List<ZoneConfig> zones, ManagementConfig management, RegistrationConfig registration,
            StirShakenConfig stirShaken, LogsConfig logs) {
        this(source, dataDir, sip, media, security, fraud, zones, management, registration, stirShaken, logs,
                RoutingConfig.defaults(zones));
    }

    /** A configuration built in code (tests) whose record files roll as {@link LogsConfig#DEFAULTS} says. */
    public SbcConfig(Path source, Path dataDir, SipConfig sip, MediaSettings media, SecurityConfig security,
            FraudConfig fraud, List<ZoneConfig> zones, ManagementConfig management, RegistrationConfig registration,
            StirShakenConfig stirShaken) {
        this(source, dataDir, sip, media, security, fraud, zones, management, registration, stirShaken,
                LogsConfig.DEFAULTS);
    }

    /** This configuration as a node of the cluster {@code next} describes (tests). */
    public SbcConfig withCluster(ClusterConfig next) {
        return new SbcConfig(source, dataDir, sip, media, security, fraud, zones, management, registration,
                stirShaken, logs, routing, dns, next);
    }

    public ZoneConfig zone(String name) {
        for (ZoneConfig zone : zones) {
            if (zone.name().equals(name)) {
                return zone;
            }
        }
        return null;
    }
}
