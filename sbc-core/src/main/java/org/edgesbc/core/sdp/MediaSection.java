package org.edgesbc.core.sdp;

import java.util.List;

/**
 * One media description: its m= line split into fields and the lines that follow it up to the next m= line.
 *
 * @param media the media type (audio, video, ...)
 * @param port the transport port, 0 for a rejected or disabled stream (RFC 3264 §5.1, §6)
 * @param portCount the port count after a slash, 1 when absent
 * @param proto the transport protocol (RTP/AVP, RTP/SAVP, ...)
 * @param formats the format list, as written
 * @param lines the lines after the m= line, in order
 */
public record MediaSection(String media, int port, int portCount, String proto, String formats, List<SdpLine> lines) {

    public boolean rejected() {
        return port == 0;
    }
}
