package org.edgesbc.media;

/** Every test of {@link MediaLoopIT} again on the JDK selector (media.io: selector). */
class SelectorMediaLoopIT extends MediaLoopIT {
    SelectorMediaLoopIT() throws java.io.IOException {
        super();
    }

    @Override
    MediaIo io() {
        return MediaIo.SELECTOR;
    }
}
