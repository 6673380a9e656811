package org.edgesbc.core.security;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.edgesbc.policy.ban.Ban;

/** Records each write of the ban file: which thread wrote it and what it held. */
final class RecordingBanWriter implements BanService.BanWriter {
    record Write(String thread, List<Ban> bans) { }

    private final BlockingQueue<Write> writes = new LinkedBlockingQueue<>();

    @Override
    public void write(List<Ban> bans) {
        writes.add(new Write(Thread.currentThread().getName(), List.copyOf(bans)));
    }

    /** The next write, waiting up to five seconds for it (null when none came). */
    Write next() throws InterruptedException {
        return writes.poll(5, TimeUnit.SECONDS);
    }
}
