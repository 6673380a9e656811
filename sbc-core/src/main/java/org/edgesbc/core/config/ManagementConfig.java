package org.edgesbc.core.config;

/**
 * The management HTTP listener: Prometheus {@code /metrics}, {@code /health}, {@code /ready}, and the admin API.
 *
 * @param address bind address; loopback by default because the admin API must never face the internet
 * @param port TCP port
 * @param token bearer token for the admin API; null disables the admin API (metrics and health stay open)
 * @param drain how the SBC drains before it stops
 */
public record ManagementConfig(String address, int port, String token, DrainConfig drain) {
    /** The listener with the default drain settings. */
    public ManagementConfig(String address, int port, String token) {
        this(address, port, token, DrainConfig.DEFAULTS);
    }
}
