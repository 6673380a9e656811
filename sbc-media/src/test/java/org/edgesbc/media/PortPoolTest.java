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
        PortPool pool = new PortPool(10001, 10008, 1, 1_000, now::get);
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
        PortPool pool = new PortPool(10000, 10003, 1, 1_000, now::get);
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
        PortPool pool = new PortPool(10000, 10007, 1, 0, now::get);
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
        PortPool pool = new PortPool(20000, 20005, 1, 100, now::get);
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
    void boundPairsAreHandedOutPerSlotAndComeBackBoundAfterQuarantine() {
        PortPool pool = new PortPool(30000, 30007, 2, 100, now::get);
        int first = pool.allocate().getAsInt();
        int second = pool.allocate().getAsInt();
        assertThat(pool.markBound(first, 0)).isTrue();
        assertThat(pool.markBound(second, 1)).isTrue();
        assertThat(pool.markBound(second, 1)).as("already bound").isFalse();
        assertThat(pool.ready()).isEqualTo(2);
        assertThat(pool.available()).as("ready pairs are free pairs").isEqualTo(4);

        assertThat(pool.allocateBound(0)).hasValue(first);
        assertThat(pool.allocateBound(0)).as("slot 0 has no other bound pair").isEmpty();
        assertThat(pool.ready(1)).isEqualTo(1);
        assertThat(pool.inUse()).isEqualTo(1);

        assertThat(pool.release(first)).isTrue();
        assertThat(pool.ready(0)).as("in quarantine").isZero();
        now.addAndGet(100);
        assertThat(pool.ready(0)).as("bound again, not back among the unbound").isEqualTo(1);
        assertThat(pool.allocateBound(0)).hasValue(first);
    }

    @Test
    void readyPairsBeyondWhatASlotKeepsAreRetiredThenFreeOnceUnbound() {
        PortPool pool = new PortPool(30000, 30007, 2, 100, now::get);
        int[] ports = new int[3];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = pool.allocate().getAsInt();
            pool.markBound(ports[i], 0);
        }
        int inUse = pool.allocateBound(0).getAsInt();
        pool.release(inUse);
        assertThat(pool.retireSurplus(0, 1)).as("the longest-ready pair stays").hasSize(1);
        assertThat(pool.ready(0)).isEqualTo(1);
        assertThat(pool.retireSurplus(1, 0)).as("another slot's pairs are not touched").isEmpty();

        now.addAndGet(100);
        int[] retired = pool.retireSurplus(0, 1);
        assertThat(retired).as("back from quarantine, beyond what the slot keeps").containsExactly(inUse);
        assertThat(pool.available()).as("a retired pair is neither ready nor free while it closes").isEqualTo(2);
        assertThat(pool.allocate()).as("the only unbound pair").hasValue(30006);
        assertThat(pool.allocate()).as("the retired pair is not handed out before it is unbound").isEmpty();

        assertThat(pool.unbound(retired[0])).isTrue();
        assertThat(pool.unbound(retired[0])).as("already unbound").isFalse();
        assertThat(pool.unbound(pool.allocateBound(0).getAsInt())).as("a pair in use is not retired").isFalse();
        assertThat(pool.allocate()).as("free to bind again").hasValue(inUse);
    }

    @Test
    void allocateHandsOutOnlyPairsNeverBound() {
        PortPool pool = new PortPool(30000, 30003, 1, 0, now::get);
        int bound = pool.allocate().getAsInt();
        pool.markBound(bound, 0);
        int unbound = pool.allocate().getAsInt();
        assertThat(unbound).isNotEqualTo(bound);
        assertThat(pool.allocate()).as("the only other pair is bound").isEmpty();
        pool.release(unbound);
        assertThat(pool.allocate()).as("a pair that failed to bind rests in quarantine, then is free")
                .hasValue(unbound);
        assertThat(pool.allocateBound(0)).hasValue(bound);
        assertThat(pool.allocateBound(0)).as("exhausted: empty, not an exception").isEmpty();
        assertThat(pool.inUse()).isEqualTo(2);
    }

    @Test
    void aRangeWithoutAPairIsRefusedAtConstruction() {
        assertThatThrownBy(() -> new PortPool(10001, 10002, 1, 0, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
