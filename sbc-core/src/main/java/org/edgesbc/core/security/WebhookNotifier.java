package org.edgesbc.core.security;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts security events as JSON to an operator's webhook, from one background thread with a bounded queue, so
 * call processing never waits for it: each event is tried up to {@link #ATTEMPTS} times with a timeout and a
 * doubling pause between tries; events that do not fit the queue or fail every try are counted and dropped.
 */
public final class WebhookNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);
    static final int ATTEMPTS = 3;
    private static final int QUEUE = 1_000;

    private final URI target;
    private final Duration timeout;
    private final HttpClient client;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong failed = new AtomicLong();
    private final Thread sender;
    private volatile boolean running = true;

    public WebhookNotifier(URI target, Duration timeout) {
        this.target = target;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.sender = new Thread(this::send, "sbc-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    public void post(SecurityEvent event) {
        if (!queue.offer(event.toJson())) {
            failed.incrementAndGet();
        }
    }

    public long failed() {
        return failed.get();
    }

    private void send() {
        try {
            while (running) {
                String body = queue.poll(200, TimeUnit.MILLISECONDS);
                if (body != null) {
                    deliver(body);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void deliver(String body) throws InterruptedException {
        long pause = 500;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<Void> response = client.send(HttpRequest.newBuilder(target).timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() / 100 == 2) {
                    return;
                }
            } catch (java.io.IOException e) {
                // Retried below; the last failure is logged.
            }
            if (attempt < ATTEMPTS && running) {
                TimeUnit.MILLISECONDS.sleep(pause);
                pause *= 2;
            }
        }
        failed.incrementAndGet();
        LOG.warn("webhook {} did not take an event after {} tries ({} failed so far)", target, ATTEMPTS, failed.get());
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
    }
}
