package org.edgesbc.core.sdp;

import java.util.List;

/**
 * The result of {@link SdpRewriter#rewrite}.
 *
 * @param status OK, or why the body cannot be anchored (core answers a request that carries it with 488)
 * @param sdp the rewritten body with CRLF line ends when OK, else null
 * @param announced per m= line, what the sender announced, when OK, else empty
 * @param origin the o= identity of the rewritten body, to pass back as the next call's {@code previous}; null
 *     unless OK
 */
public record SdpRewrite(SdpStatus status, String sdp, List<AnnouncedMedia> announced, SdpOrigin origin) {

    static SdpRewrite failed(SdpStatus status) {
        return new SdpRewrite(status, null, List.of(), null);
    }

    public boolean ok() {
        return status == SdpStatus.OK;
    }

    /** Every stream that is not rejected is held by the sender (and there is one): the longer timeout applies. */
    public boolean hold() {
        boolean any = false;
        for (AnnouncedMedia media : announced) {
            if (!media.rejected()) {
                if (!media.hold()) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
