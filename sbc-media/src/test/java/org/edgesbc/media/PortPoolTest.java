package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PortPoolTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void handsOutEvenPortsUntilExhaustedWithoutThrowing() {
        PortPool pool = new PortPool(10001, 10008, 1_000, now::get);
        assertThat(pool.capacity()).isEqualTo(3);
        assertThat(pool.allocate()).isEqualTo(10002);
        assertThat(pool.allocate()).isEqualTo(10004);
        assertThat(pool.allocate()).isEqualTo(10006);
        assertThat(pool.allocate()).isEqualTo(-1);
    }

    @Test
    void releasedPairsRestInQuarantineBeforeReuse() {
        PortPool pool = new PortPool(10000, 10003, 1_000, now::get);
        int first = pool.allocate();
        int second = pool.allocate();
        pool.release(first);
        now.addAndGet(999);
        assertThat(pool.allocate()).as("still in quarantine").isEqualTo(-1);
        now.addAndGet(1);
        assertThat(pool.allocate()).isEqualTo(first);
        pool.release(second);
        assertThat(pool.available()).isZero();
    }
}
