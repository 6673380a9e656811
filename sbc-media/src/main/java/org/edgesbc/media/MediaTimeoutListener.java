package org.edgesbc.media;

/** Told, on a media thread, when a session saw no packet for its timeout; the owner ends the call. */
@FunctionalInterface
public interface MediaTimeoutListener {
    void onMediaTimeout(MediaSession session);
}
