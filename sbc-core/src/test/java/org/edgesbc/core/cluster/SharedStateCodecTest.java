package org.edgesbc.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.fraud.DestinationClass;
import org.junit.jupiter.api.Test;

class SharedStateCodecTest {
    @Test
    void aBanComesBackAsItWentWithoutItsCountersAndWithItsDetailOnOneLine() throws Exception {
        Ban ban = new Ban(InetAddress.getByName("2001:db8::7"), BanReason.AUTH_FAILURES, "10 failures\tin\n10 min",
                Map.of("failures", 10L), Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(3_601_000), 2);
        Ban back = SharedStateCodec.ban(SharedStateCodec.ban(ban));
        assertThat(back).isEqualTo(new Ban(ban.source(), ban.reason(), "10 failures in 10 min", ban.created(),
                ban.expires(), 2));
    }

    @Test
    void anAccountShareComesBackAsItWent() {
        AccountShare share = new AccountShare("300", 3, Map.of(DestinationClass.NATIONAL, 2,
                DestinationClass.INTERNATIONAL, 1), LocalDate.of(2026, 11, 21), 1_500_000, LocalDate.of(2026, 11, 21),
                700_000);
        assertThat(SharedStateCodec.share("300", SharedStateCodec.share(share))).isEqualTo(share);
        AccountShare idle = new AccountShare("301", 0, Map.of(), null, 0, null, 0);
        assertThat(SharedStateCodec.share("301", SharedStateCodec.share(idle))).isEqualTo(idle);
    }

    @Test
    void aNodesSipAddressComesBackAsItWentAndOnlyAsAnIpLiteralWithAPort() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::9"), 5070);
        assertThat(SharedStateCodec.hostPort(v6)).isEqualTo("[2001:db8:0:0:0:0:0:9]:5070");
        assertThat(SharedStateCodec.sipAddress(SharedStateCodec.hostPort(v6))).isEqualTo(v6);
        assertThat(SharedStateCodec.sipAddress("127.0.0.4:5060"))
                .isEqualTo(new InetSocketAddress(InetAddress.getByName("127.0.0.4"), 5060));
        for (String bad : new String[] {"sbc2.example:5060", "127.0.0.4", "127.0.0.4:0", "127.0.0.4:x", ":5060"}) {
            assertThatThrownBy(() -> SharedStateCodec.sipAddress(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void malformedEntriesAreRefusedAndNamesAreNeverResolved() {
        assertThatThrownBy(() -> SharedStateCodec.ban("127.0.0.1\tSCANNER\t1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedStateCodec.ban("127.0.0.1\tNOPE\t1\t2\t1\tx"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedStateCodec.share("300", "x\t\t-\t0\t-\t0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedStateCodec.share("300", "1\tmoon=1\t-\t0\t-\t0"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SharedStateCodec.address("redis.example.com"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
