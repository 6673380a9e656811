package org.edgesbc.media;

/** Every test of {@link RtpRelaySessionIT} again on the JDK selector (media.io: selector). */
class SelectorRtpRelaySessionIT extends RtpRelaySessionIT {
    @Override
    MediaIo io() {
        return MediaIo.SELECTOR;
    }
}
