package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PortPoolTest {
    private final AtomicLong now = new AtomicLong();

    @Test
    void handsOutEvenPortsUntilExhaustedWithoutThrowing() {
        PortPool pool = new PortPool(10001, 10008, 1_000, now::get);
        assertThat(pool.capacity()).isEqualTo(3);
        assertThat(pool.allocate()).hasValue(10002);
        assertThat(pool.allocate()).hasValue(10004);
        assertThat(pool.allocate()).hasValue(10006);
        assertThat(pool.allocate()).isEmpty();
        assertThat(pool.inUse()).isEqualTo(3);
        assertThat(pool.available()).isZero();
    }

    @Test
    void releasedPairsRestInQuarantineBeforeReuse() {
        PortPool pool = new PortPool(10000, 10003, 1_000, now::get);
        int first = pool.allocate().getAsInt();
        int second = pool.allocate().getAsInt();
        assertThat(pool.release(first)).isTrue();
        assertThat(pool.inUse()).isEqualTo(1);
        assertThat(pool.inQuarantine()).isEqualTo(1);
        now.addAndGet(999);
        assertThat(pool.allocate()).as("still in quarantine").isEmpty();
        now.addAndGet(1);
        assertThat(pool.available()).isEqualTo(1);
        assertThat(pool.allocate()).hasValue(first);
        pool.release(second);
        assertThat(pool.available()).isZero();
    }

    @Test
    void doubleAndForeignReleasesChangeNothing() {
        PortPool pool = new PortPool(10000, 10007, 0, now::get);
        int port = pool.allocate().getAsInt();
        assertThat(pool.release(port)).isTrue();
        assertThat(pool.release(port)).as("second release of the same pair").isFalse();
        assertThat(pool.release(port + 1)).as("an RTCP port").isFalse();
        assertThat(pool.release(9998)).as("below the range").isFalse();
        assertThat(pool.release(10008)).as("above the range").isFalse();
        assertThat(pool.release(10004)).as("never handed out").isFalse();
        assertThat(pool.inQuarantine() + pool.available() + pool.inUse()).isEqualTo(pool.capacity());
        int handedOut = 0;
        while (pool.allocate().isPresent() && handedOut < 10) {
            handedOut++;
        }
        assertThat(handedOut).as("each pair handed out once").isEqualTo(4);
    }

    @Test
    void quarantineEndsInReleaseOrder() {
        PortPool pool = new PortPool(20000, 20005, 100, now::get);
        int a = pool.allocate().getAsInt();
        int b = pool.allocate().getAsInt();
        int c = pool.allocate().getAsInt();
        pool.release(b);
        now.addAndGet(50);
        pool.release(a);
        now.addAndGet(50);
        assertThat(pool.allocate()).hasValue(b);
        assertThat(pool.allocate()).isEmpty();
        now.addAndGet(50);
        assertThat(pool.allocate()).hasValue(a);
        assertThat(pool.release(c)).isTrue();
        assertThat(OptionalInt.of(c)).hasValue(20004);
    }

    @Test
    void aRangeWithoutAPairIsRefusedAtConstruction() {
        assertThatThrownBy(() -> new PortPool(10001, 10002, 0, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
