package org.edgesbc.media;

/** Every test of {@link MediaLoopIT} again on a loop that never sleeps (media.busy-poll). */
class BusyPollingMediaLoopIT extends MediaLoopIT {
    BusyPollingMediaLoopIT() throws java.io.IOException {
        super();
    }

    @Override
    boolean busyPoll() {
        return true;
    }
}
