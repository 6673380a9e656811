package org.edgesbc.media;

/**
 * The SBC's side of one leg, as SDP toward that leg's peer announces it.
 *
 * @param address the advertised media address (c= line)
 * @param rtpPort the even RTP port (m= line)
 * @param rtcpPort the RTCP port, {@code rtpPort + 1} (a=rtcp)
 */
public record LegEndpoint(String address, int rtpPort, int rtcpPort) { }
