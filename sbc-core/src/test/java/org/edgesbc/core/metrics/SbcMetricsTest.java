package org.edgesbc.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.identity.FetchFailure;
import org.edgesbc.core.relay.RelayDropReason;
import org.edgesbc.core.relay.RelayMetrics;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.IdentityStatus;
import org.edgesbc.transport.GateRejection;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SbcMetricsTest {
    private final SbcMetrics metrics = new SbcMetrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    private long seriesOf(String name) {
        return metrics.scrape().lines().filter(line -> line.startsWith(name + "{")).count();
    }

    @Test
    void inventedMethodsAreCountedAsOtherAndCreateNoSeries() {
        long before = seriesOf("sbc_transport_messages_received_total");
        metrics.transport().messageReceived(SipTransport.UDP, "INVITE");
        metrics.transport().messageReceived(SipTransport.UDP, "XATTACKX");
        metrics.transport().messageReceived(SipTransport.UDP, "invite");
        String scrape = metrics.scrape();
        assertThat(scrape).contains("sbc_transport_messages_received_total{method=\"INVITE\",transport=\"udp\"} 1.0")
                .contains("sbc_transport_messages_received_total{method=\"other\",transport=\"udp\"} 2.0")
                .doesNotContain("XATTACKX");
        assertThat(seriesOf("sbc_transport_messages_received_total")).isEqualTo(before);
    }

    @Test
    void theSocketDropCountIsReadWhenScrapedAndOutlivesACollection() {
        long[] drops = {41};
        metrics.bindUdpReceiveDrops(() -> drops[0]);
        System.gc();
        drops[0] = 42;
        assertThat(metrics.scrape()).contains("sbc_transport_udp_receive_drops_total 42.0");
    }

    @Test
    void transportCountersCarryTransportAndReason() {
        metrics.transport().gateRejected(SipTransport.TCP, GateRejection.MESSAGE_TOO_LARGE);
        metrics.transport().admissionDropped(SipTransport.TLS);
        metrics.transport().messageSent(SipTransport.UDP);
        metrics.transport().connectionRefused(SipTransport.TCP);
        metrics.transport().sendFailed(SipTransport.TLS);
        assertThat(metrics.scrape())
                .contains("sbc_transport_gate_rejected_total{reason=\"message_too_large\",transport=\"tcp\"} 1.0")
                .contains("sbc_transport_admission_dropped_total{transport=\"tls\"} 1.0")
                .contains("sbc_transport_messages_sent_total{transport=\"udp\"} 1.0")
                .contains("sbc_transport_connections_refused_total{transport=\"tcp\"} 1.0")
                .contains("sbc_transport_send_failed_total{transport=\"tls\"} 1.0");
    }

    @Test
    void relayCountsResponsesByClassAndDropsByReason() {
        metrics.relay().responseRelayed(180);
        metrics.relay().responseRelayed(200);
        metrics.relay().responseRelayed(603);
        metrics.relay().requestRelayed("BYE");
        metrics.relay().requestRelayed("FOO");
        metrics.relay().dropped(RelayDropReason.STALE);
        metrics.relay().transactionOverflow();
        metrics.relay().retransmissionAbsorbed();
        assertThat(metrics.scrape()).contains("sbc_relay_responses_total{class=\"1xx\"} 1.0")
                .contains("sbc_relay_responses_total{class=\"2xx\"} 1.0")
                .contains("sbc_relay_responses_total{class=\"6xx\"} 1.0")
                .contains("sbc_relay_requests_total{method=\"BYE\"} 1.0")
                .contains("sbc_relay_requests_total{method=\"other\"} 1.0")
                .contains("sbc_relay_dropped_total{reason=\"stale\"} 1.0")
                .contains("sbc_relay_transactions_overflow_total 1.0")
                .contains("sbc_relay_retransmissions_absorbed_total 1.0");
    }

    @Test
    void callSetUpRelayLatencyAndUdpQueueWaitAreHistogramsWithFixedBuckets() {
        metrics.relay().callSetUp(true, TimeUnit.MILLISECONDS.toNanos(1_500));
        metrics.relay().callSetUp(false, TimeUnit.MILLISECONDS.toNanos(30));
        metrics.relay().relayed(RelayMetrics.RelayedMessage.REQUEST, TimeUnit.MICROSECONDS.toNanos(80));
        metrics.transport().udpQueueWait(TimeUnit.MILLISECONDS.toNanos(120));
        assertThat(metrics.scrape())
                .contains("sbc_relay_call_setup_seconds_bucket{outcome=\"answered\",le=\"1.0\"} 0")
                .contains("sbc_relay_call_setup_seconds_bucket{outcome=\"answered\",le=\"2.5\"} 1")
                .contains("sbc_relay_call_setup_seconds_bucket{outcome=\"failed\",le=\"0.05\"} 1")
                .contains("sbc_relay_call_setup_seconds_count{outcome=\"answered\"} 1")
                .contains("sbc_relay_latency_seconds_bucket{message=\"request\",le=\"5.0E-5\"} 0")
                .contains("sbc_relay_latency_seconds_bucket{message=\"request\",le=\"1.0E-4\"} 1")
                .contains("sbc_relay_latency_seconds_count{message=\"response\"} 0")
                .contains("sbc_transport_udp_queue_wait_seconds_bucket{le=\"0.1\"} 0")
                .contains("sbc_transport_udp_queue_wait_seconds_bucket{le=\"0.25\"} 1");
    }

    @Test
    void buildInfoNamesTheVersion() {
        assertThat(metrics.scrape().lines()).contains("sbc_build_info{version=\"dev\"} 1");
    }

    @Test
    void gaugesReadTheirSuppliersAtScrapeTime() {
        AtomicInteger transactions = new AtomicInteger();
        metrics.bindGauges(transactions::get, () -> 7, () -> 3, () -> 4_860.5);
        transactions.set(42);
        assertThat(metrics.scrape()).contains("sbc_relay_transactions_active 42.0")
                .contains("sbc_relay_dialogs_active 7.0")
                .contains("sbc_transport_connections 3.0")
                .contains("sbc_transport_new_call_limit 4860.5");
    }

    @Test
    void identityCountsFetchesCacheResultsSigningAndVerdictsByEnum() {
        AtomicInteger entries = new AtomicInteger();
        metrics.bindIdentityGauges(entries::get);
        metrics.identity().certificateFetched();
        metrics.identity().certificateFetchFailed(FetchFailure.HOST_NOT_ALLOWED);
        metrics.identity().certificateCacheHit(true);
        metrics.identity().certificateCacheHit(false);
        metrics.identity().certificateCacheHit(false);
        metrics.identity().signed(Attestation.B);
        metrics.identity().verified(IdentityStatus.NO_TN_AUTHORIZATION);
        entries.set(5);
        assertThat(metrics.scrape()).contains("sbc_identity_certificate_fetches_total{outcome=\"ok\"} 1.0")
                .contains("sbc_identity_certificate_fetches_total{outcome=\"host_not_allowed\"} 1.0")
                .contains("sbc_identity_certificate_fetches_total{outcome=\"timeout\"} 0.0")
                .contains("sbc_identity_certificate_cache_total{result=\"hit\"} 1.0")
                .contains("sbc_identity_certificate_cache_total{result=\"miss\"} 2.0")
                .contains("sbc_identity_signed_total{attestation=\"b\"} 1.0")
                .contains("sbc_identity_verified_total{status=\"no_tn_authorization\"} 1.0")
                .contains("sbc_identity_certificate_cache_entries 5.0");
    }

    @Test
    void jvmMetersAreBound() {
        assertThat(metrics.scrape()).contains("jvm_memory_used_bytes").contains("jvm_threads_live_threads")
                .contains("jvm_classes_loaded_classes").contains("system_cpu_count").contains("process_uptime_seconds");
    }
}
