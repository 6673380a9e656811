package org.edgesbc.media;

/** A UDP socket bound on a media loop; which kind depends on the loop's {@link MediaIo}. */
interface MediaSocket {
    /**
     * Closes the socket. Its port is free once the loop has let go of it ({@link MediaLoop#releaseClosed}); closing
     * twice changes nothing.
     */
    void close();
}
