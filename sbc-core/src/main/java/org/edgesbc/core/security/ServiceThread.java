package org.edgesbc.core.security;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.util.concurrent.TimeUnit;

/** The single thread a security service owns, with a bounded queue: work beyond it is refused, never buffered. */
final class ServiceThread {
    private ServiceThread() { }

    static DefaultEventExecutor start(String name, int maxQueued) {
        return new DefaultEventExecutor(null, task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        }, maxQueued, RejectedExecutionHandlers.reject());
    }

    /** Refuses new work, runs what is queued, and waits up to five seconds for the thread to end. */
    static void stop(DefaultEventExecutor executor) {
        executor.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(6, TimeUnit.SECONDS);
    }
}
