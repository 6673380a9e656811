package org.edgesbc.media;

/** Every test of {@link MediaLoopIT} on the JDK selector that never sleeps (busy-poll with io: selector). */
class BusyPollingSelectorMediaLoopIT extends SelectorMediaLoopIT {
    BusyPollingSelectorMediaLoopIT() throws java.io.IOException {
        super();
    }

    @Override
    boolean busyPoll() {
        return true;
    }
}
