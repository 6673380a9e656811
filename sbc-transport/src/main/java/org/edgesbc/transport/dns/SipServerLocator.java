package org.edgesbc.transport.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.edgesbc.transport.SipTransport;

/**
 * Locates SIP servers by name as RFC 3263 §4 says, through Netty's asynchronous DNS resolver on a thread of its
 * own: a port in the configuration means A/AAAA only; a transport without a port means the SRV records of that
 * transport (else A/AAAA on its default port); neither means NAPTR (services SIP+D2U, SIP+D2T, SIPS+D2T the SBC has
 * listeners for, by order and preference), each replacement's SRV records, and without NAPTR the SRV records of
 * every usable transport, then A/AAAA on UDP 5060. SRV targets come in RFC 2782 order.
 *
 * <p>Answers are cached for the shortest TTL of the records they came from, clamped to {@code minTtl..maxTtl}; a
 * name without records, or a lookup that failed, is cached as empty for {@code negativeTtl}. The cache is bounded
 * ({@code maxEntries}: beyond it expired entries are dropped, and an answer that still finds no room is not cached)
 * and shared, which is why it is concurrent: relay threads read it without waiting, only this locator's thread
 * writes it. Concurrent lookups of one destination share one set of queries.
 */
public final class SipServerLocator implements AutoCloseable {
    /**
     * @param servers DNS servers to ask, in order; empty for the system's resolver configuration
     * @param maxEntries bound of the answer cache
     * @param queryTimeout how long one query waits for its server
     */
    public record Settings(List<InetSocketAddress> servers, int maxEntries, Duration minTtl, Duration maxTtl,
            Duration negativeTtl, Duration queryTimeout) { }

    private record Answer(List<SipTarget> targets, long ttlSeconds) {
        static final Answer NONE = new Answer(List.of(), Long.MAX_VALUE);

        Answer plus(Answer other) {
            List<SipTarget> all = new ArrayList<>(targets);
            all.addAll(other.targets);
            return new Answer(all, Math.min(ttlSeconds, other.ttlSeconds));
        }
    }

    private record Entry(List<SipTarget> targets, long expiresNanos) { }

    private record Naptr(int order, int preference, String flags, String service, String replacement) { }

    private final Settings settings;
    private final Set<SipTransport> usable;
    private final DnsMetrics metrics;
    private final LongSupplier nanos;
    private final RandomGenerator random;
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final DnsNameResolver resolver;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    /** Lookups in progress, by cache key; touched on the locator's thread only. */
    private final Map<String, CompletableFuture<List<SipTarget>>> pending = new HashMap<>();

    /**
     * @param usable the transports the SBC can send on (it has a listener of each)
     * @param nanos the monotonic clock of cache expiry
     */
    public SipServerLocator(Settings settings, Set<SipTransport> usable, DnsMetrics metrics, LongSupplier nanos,
            RandomGenerator random) {
        this.settings = settings;
        this.usable = Set.copyOf(usable);
        this.metrics = metrics;
        this.nanos = nanos;
        this.random = random;
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.loop = group.next();
        DnsServerAddressStreamProvider servers = settings.servers().isEmpty()
                ? DnsServerAddressStreamProviders.platformDefault()
                : new SequentialDnsServerAddressStreamProvider(settings.servers().toArray(InetSocketAddress[]::new));
        // Netty's own caches are off: answers are cached here, with the bound and the TTL clamp above.
        this.resolver = new DnsNameResolverBuilder(loop).datagramChannelType(NioDatagramChannel.class)
                .socketChannelType(NioSocketChannel.class).nameServerProvider(servers)
                .queryTimeoutMillis(settings.queryTimeout().toMillis()).resolveCache(NoopDnsCache.INSTANCE)
                .hostsFileEntriesResolver((name, types) -> null).build();
    }

    /** Cached answers, fresh or not yet dropped. */
    public int cacheEntries() {
        return cache.size();
    }

    /**
     * The fresh cached answer for a destination (possibly empty: the name has no usable records), or null when it
     * must be looked up. Any thread; never waits.
     *
     * @param port the configured port, 0 when DNS decides
     * @param transport the configured transport, null when DNS decides
     */
    public List<SipTarget> cached(String host, int port, SipTransport transport) {
        Entry entry = cache.get(key(host, port, transport));
        return entry == null || entry.expiresNanos - nanos.getAsLong() <= 0 ? null : entry.targets;
    }

    /** Looks a destination up unless a fresh answer is cached; completes on the locator's thread. Any thread. */
    public CompletableFuture<List<SipTarget>> locate(String host, int port, SipTransport transport) {
        List<SipTarget> fresh = cached(host, port, transport);
        if (fresh != null) {
            return CompletableFuture.completedFuture(fresh);
        }
        CompletableFuture<List<SipTarget>> result = new CompletableFuture<>();
        loop.execute(() -> {
            String key = key(host, port, transport);
            CompletableFuture<List<SipTarget>> running = pending.get(key);
            if (running == null) {
                running = new CompletableFuture<>();
                pending.put(key, running);
                CompletableFuture<List<SipTarget>> lookup = running;
                lookUp(host, port, transport).whenComplete((answer, failure) -> loop.execute(() -> {
                    pending.remove(key);
                    Answer kept = failure == null ? answer : Answer.NONE;
                    store(key, kept);
                    lookup.complete(kept.targets);
                }));
            }
            running.whenComplete((targets, failure) -> result.complete(targets));
        });
        return result;
    }

    private void store(String key, Answer answer) {
        long ttl = answer.targets.isEmpty() ? settings.negativeTtl().toSeconds()
                : Math.max(settings.minTtl().toSeconds(), Math.min(settings.maxTtl().toSeconds(), answer.ttlSeconds));
        long now = nanos.getAsLong();
        if (cache.size() >= settings.maxEntries() && !cache.containsKey(key)) {
            cache.values().removeIf(entry -> entry.expiresNanos - now <= 0);
            if (cache.size() >= settings.maxEntries()) {
                return;
            }
        }
        cache.put(key, new Entry(List.copyOf(answer.targets), now + TimeUnit.SECONDS.toNanos(ttl)));
    }

    private CompletableFuture<Answer> lookUp(String host, int port, SipTransport transport) {
        if (port != 0) {
            return addresses(host, port, transport == null ? SipTransport.UDP : transport);
        }
        if (transport != null) {
            return srvTargets(srvName(transport, host), transport).thenCompose(answer -> answer.targets.isEmpty()
                    ? addresses(host, defaultPort(transport), transport) : CompletableFuture.completedFuture(answer));
        }
        return naptr(host).thenCompose(naptrs -> {
            if (!naptrs.isEmpty()) {
                return inOrder(naptrs.stream().map(n -> (Supplier<CompletableFuture<Answer>>)
                        () -> srvTargets(n.replacement(), transportOf(n.service()))).toList());
            }
            List<Supplier<CompletableFuture<Answer>>> srvs = new ArrayList<>();
            for (SipTransport candidate : List.of(SipTransport.UDP, SipTransport.TCP, SipTransport.TLS)) {
                if (usable.contains(candidate)) {
                    srvs.add(() -> srvTargets(srvName(candidate, host), candidate));
                }
            }
            return inOrder(srvs).thenCompose(answer -> answer.targets.isEmpty()
                    ? addresses(host, 5060, SipTransport.UDP) : CompletableFuture.completedFuture(answer));
        });
    }

    /** The answers of several lookups one after the other, joined in that order. */
    private static CompletableFuture<Answer> inOrder(List<Supplier<CompletableFuture<Answer>>> all) {
        CompletableFuture<Answer> joined = CompletableFuture.completedFuture(Answer.NONE);
        for (Supplier<CompletableFuture<Answer>> next : all) {
            joined = joined.thenCompose(soFar -> next.get().thenApply(soFar::plus));
        }
        return joined;
    }

    /** RFC 3263 §4.1: NAPTR records whose service the SBC can use, by order then preference. */
    private CompletableFuture<List<Naptr>> naptr(String host) {
        return query(host, DnsRecordType.NAPTR, DnsMetrics.RecordType.NAPTR).thenApply(records -> {
            List<Naptr> usableRecords = new ArrayList<>();
            for (Decoded record : records) {
                Naptr naptr = record.decode(SipServerLocator::naptrOf);
                SipTransport transport = naptr == null ? null : transportOf(naptr.service());
                if (transport != null && usable.contains(transport) && "s".equalsIgnoreCase(naptr.flags())) {
                    usableRecords.add(naptr);
                }
            }
            usableRecords.sort(Comparator.comparingInt(Naptr::order).thenComparingInt(Naptr::preference));
            return usableRecords;
        });
    }

    /** The targets of an SRV name in RFC 2782 order, each target's addresses with the record's port. */
    private CompletableFuture<Answer> srvTargets(String srvName, SipTransport transport) {
        return query(srvName, DnsRecordType.SRV, DnsMetrics.RecordType.SRV).thenCompose(records -> {
            List<SrvOrder.Srv> srvs = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            for (Decoded record : records) {
                SrvOrder.Srv srv = record.decode(SipServerLocator::srvOf);
                if (srv != null && !srv.target().equals(".")) {
                    srvs.add(srv);
                    ttl = Math.min(ttl, record.ttl());
                }
            }
            long srvTtl = ttl;
            return inOrder(SrvOrder.order(srvs, random).stream()
                    .map(srv -> (Supplier<CompletableFuture<Answer>>)
                            () -> addresses(srv.target(), srv.port(), transport)).toList())
                    .thenApply(answer -> new Answer(answer.targets, Math.min(answer.ttlSeconds, srvTtl)));
        });
    }

    /** A and AAAA records of a host (IPv4 first), as targets on {@code port}. */
    private CompletableFuture<Answer> addresses(String host, int port, SipTransport transport) {
        CompletableFuture<List<Decoded>> v4 = query(host, DnsRecordType.A, DnsMetrics.RecordType.A);
        CompletableFuture<List<Decoded>> v6 = query(host, DnsRecordType.AAAA, DnsMetrics.RecordType.AAAA)
                .exceptionally(failure -> List.of());
        return v4.exceptionally(failure -> List.of()).thenCombine(v6, (a, aaaa) -> {
            List<SipTarget> targets = new ArrayList<>();
            long ttl = Long.MAX_VALUE;
            List<Decoded> all = new ArrayList<>(a);
            all.addAll(aaaa);
            for (Decoded record : all) {
                InetAddress address = record.decode(SipServerLocator::addressOf);
                if (address != null) {
                    targets.add(new SipTarget(new InetSocketAddress(address, port), transport));
                    ttl = Math.min(ttl, record.ttl());
                }
            }
            return new Answer(targets, ttl);
        });
    }

    /**
     * A record's data and TTL, copied out of Netty's buffer (released at once): the whole message, so that a
     * compressed name's pointer can be followed, with the bounds of the record's data in it.
     */
    private record Decoded(ByteBuf message, int start, int end, long ttl) {
        static Decoded of(DnsRawRecord raw) {
            ByteBuf content = raw.content();
            ByteBuf whole = content.duplicate().setIndex(0, content.capacity());
            return new Decoded(Unpooled.copiedBuffer(whole), content.readerIndex(), content.writerIndex(),
                    raw.timeToLive());
        }

        <R> R decode(Function<ByteBuf, R> decoder) {
            try {
                return decoder.apply(message.duplicate().setIndex(start, end));
            } catch (RuntimeException e) {
                // A malformed record is skipped like a missing one.
                return null;
            }
        }
    }

    /**
     * The records of one question; an empty list when the name or records do not exist; failed on a timeout or a
     * server error. The records' data are copied, whole message included so that compressed names resolve.
     */
    private CompletableFuture<List<Decoded>> query(String name, DnsRecordType type,
            DnsMetrics.RecordType metricType) {
        CompletableFuture<List<Decoded>> result = new CompletableFuture<>();
        resolver.resolveAll(new DefaultDnsQuestion(name, type)).addListener(done -> {
            if (!done.isSuccess()) {
                boolean missing = done.cause() instanceof UnknownHostException;
                metrics.lookup(metricType, missing ? DnsMetrics.Result.NOT_FOUND : DnsMetrics.Result.FAILED);
                if (missing) {
                    result.complete(List.of());
                } else {
                    result.completeExceptionally(done.cause());
                }
                return;
            }
            @SuppressWarnings("unchecked")
            List<DnsRecord> records = (List<DnsRecord>) done.getNow();
            List<Decoded> decoded = new ArrayList<>(records.size());
            try {
                for (DnsRecord record : records) {
                    if (record instanceof DnsRawRecord raw && record.type().equals(type)) {
                        decoded.add(Decoded.of(raw));
                    }
                }
            } finally {
                records.forEach(ReferenceCountUtil::release);
            }
            metrics.lookup(metricType, decoded.isEmpty() ? DnsMetrics.Result.NOT_FOUND : DnsMetrics.Result.FOUND);
            result.complete(decoded);
        });
        return result;
    }

    /** RFC 2782 SRV RDATA: priority, weight, port, target. */
    private static SrvOrder.Srv srvOf(ByteBuf data) {
        int priority = data.readUnsignedShort();
        int weight = data.readUnsignedShort();
        int port = data.readUnsignedShort();
        return new SrvOrder.Srv(priority, weight, port, DefaultDnsRecordDecoder.decodeName(data));
    }

    /** RFC 3403 §4.1 NAPTR RDATA: order, preference, flags, services, regexp, replacement. */
    private static Naptr naptrOf(ByteBuf data) {
        int order = data.readUnsignedShort();
        int preference = data.readUnsignedShort();
        String flags = characterString(data);
        String service = characterString(data);
        characterString(data);
        return new Naptr(order, preference, flags, service, DefaultDnsRecordDecoder.decodeName(data));
    }

    private static InetAddress addressOf(ByteBuf data) {
        byte[] bytes = new byte[data.readableBytes()];
        data.readBytes(bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String characterString(ByteBuf data) {
        int length = data.readUnsignedByte();
        return data.readCharSequence(length, StandardCharsets.US_ASCII).toString();
    }

    /** RFC 3263 §4.1 service fields; RFC 3263 has no NAPTR service for TLS over anything but TCP. */
    private static SipTransport transportOf(String service) {
        return switch (service.toUpperCase(Locale.ROOT)) {
            case "SIP+D2U" -> SipTransport.UDP;
            case "SIP+D2T" -> SipTransport.TCP;
            case "SIPS+D2T" -> SipTransport.TLS;
            default -> null;
        };
    }

    private static String srvName(SipTransport transport, String host) {
        return switch (transport) {
            case UDP -> "_sip._udp." + host;
            case TCP -> "_sip._tcp." + host;
            case TLS -> "_sips._tcp." + host;
        };
    }

    private static int defaultPort(SipTransport transport) {
        return transport == SipTransport.TLS ? 5061 : 5060;
    }

    private static String key(String host, int port, SipTransport transport) {
        return host.toLowerCase(Locale.ROOT) + '|' + port + '|' + transport;
    }

    @Override
    public void close() {
        loop.execute(resolver::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
