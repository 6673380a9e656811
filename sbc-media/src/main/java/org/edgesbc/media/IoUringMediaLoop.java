package org.edgesbc.media;

import io.netty.channel.IoEvent;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Buffer;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;
import org.edgesbc.media.srtp.SrtpContext;

/**
 * A media loop on Linux io_uring, through Netty's native library: every socket of the loop keeps one multishot receive
 * armed in the loop's ring, and every send is queued there too, so one {@code io_uring_enter} hands the kernel the
 * sends queued so far and collects the datagrams that arrived, where the selector loop makes a {@code recvfrom} and a
 * {@code sendto} per packet. A call's socket carries 50 packets/s, so batching on one socket ({@code recvmmsg},
 * {@code sendmmsg}) gains nothing; batching across sockets is what a ring gives (docs/performance.md, "The media relay
 * on io_uring"). Netty's handler enters the ring again within a round as long as the kernel reports work pending, so
 * under load a round is many short batches ("Send slots for a whole round").
 *
 * <p>A multishot receive stays armed after each datagram (Linux 6.0), so a datagram costs the kernel no new
 * submission, no failed first attempt on an empty socket and no poll armed again, which a one-shot receive per
 * datagram cost (docs/performance.md, "Receives that stay armed"). Its datagrams land in buffers the loop provides to
 * the kernel: one pool per loop, shared by all its sockets, each buffer handed back once its datagram is relayed.
 *
 * <p>Memory the kernel reads or writes after the call that queued the operation must stay put until its completion:
 * the receive buffers (the kernel's header, the sender's address, {@link #RECEIVE_BYTES} of payload each), and the
 * send area, where each send copies its packet into a slot ({@link #SLOT_PAYLOAD_BYTES} of payload), free again at
 * the send's completion. A datagram longer than a receive buffer holds arrives cut short and is dropped and counted
 * ({@link MediaDropReason#OVERSIZE}).
 */
final class IoUringMediaLoop extends MediaLoop {
    /**
     * The longest datagram a socket reads whole: RTP, RTCP and UDPTL over an Ethernet path fit several times over.
     */
    static final int RECEIVE_BYTES = 4_096;
    /**
     * Sends queued and not yet completed, per loop; beyond them a packet is sent at once with a system call. A slot is
     * free again only when the ring reports its send done, after the round that queued it, so a round needs a slot
     * per packet it relays: this many cover the round after the loop stood still for 60 ms at 130,000 packets/s.
     * Fewer made a stall self-sustaining: with 1,024 slots the packets beyond them cost a system call each, which
     * lengthened the round, so the next round found more waiting (docs/performance.md, "Send slots for a whole
     * round").
     */
    static final int SEND_SLOTS = 8_192;
    /**
     * The longest payload a send slot holds: a datagram of a path with a 1,500-byte MTU, and what an SRTP protect
     * adds; a longer one is sent at once with a system call.
     */
    static final int SLOT_PAYLOAD_BYTES = 1_500 + SrtpContext.MAX_GROWTH;
    /**
     * Receive buffers of a loop, shared by all its sockets: a buffer is taken by a datagram when the kernel completes
     * its receive and is free again once the loop has relayed it, in the same round, so the pool needs to cover the
     * datagrams one {@code io_uring_enter} completes, not the sockets. A receive that finds none ends with
     * {@code ENOBUFS}, its datagram left queued in the socket, and is armed again.
     */
    static final int RECEIVE_BUFFERS = 4_096;
    /** Buffers handed back to the kernel together: one submission for this many datagrams. */
    private static final int RELEASE_BATCH = 64;
    private static final short BUFFER_GROUP = 0;
    private static final byte OP_SENDMSG = 9;
    private static final byte OP_RECVMSG = 10;
    private static final byte OP_ASYNC_CANCEL = 14;
    private static final byte OP_PROVIDE_BUFFERS = 31;
    private static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    private static final short IORING_RECV_MULTISHOT = 1 << 1;
    private static final int IORING_CQE_F_BUFFER = 1;
    private static final int IORING_CQE_F_MORE = 1 << 1;
    private static final int IORING_CQE_BUFFER_SHIFT = 16;
    private static final int MSG_TRUNC = 0x20;
    private static final int ENOBUFS = 105;
    private static final int ECANCELED = 125;
    private static final short AF_INET = 2;
    private static final short AF_INET6 = 10;
    // A send slot: struct msghdr (LP64: name, namelen, iov, iovlen, control, controllen, flags), one struct iovec, a
    // struct sockaddr_in or sockaddr_in6, the payload.
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_HEADER_BYTES = 56;
    private static final int IOV = 64;
    private static final int IOV_LEN = IOV + 8;
    private static final int NAME = 80;
    private static final int PAYLOAD = 112;
    private static final int NAME_CAPACITY = PAYLOAD - NAME;
    private static final int SEND_SLOT_BYTES = align(PAYLOAD + SLOT_PAYLOAD_BYTES);
    // A receive buffer as a multishot receive fills it: struct io_uring_recvmsg_out (namelen, controllen,
    // payloadlen, flags), the sender's address in the room the receive's message header gives it, the payload. The
    // kernel lays provided buffers out back to back at their length, so the length is the stride: no room past
    // RECEIVE_BYTES for a longer datagram to fit.
    private static final int OUT_FLAGS = 12;
    private static final int RECEIVED_NAME = 16;
    private static final int RECEIVED_PAYLOAD = RECEIVED_NAME + NAME_CAPACITY;
    private static final int RECEIVE_BUFFER_BYTES = RECEIVED_PAYLOAD + RECEIVE_BYTES;
    /**
     * Operations queued before the loop hands them to the kernel: a round's sends go in batches of this many (Netty's
     * default is 128).
     */
    private static final int SUBMISSION_QUEUE = 4_096;
    /** Completions the ring holds before the kernel keeps them aside: at least one per socket of a full range. */
    private static final int COMPLETION_QUEUE = 65_536;

    private final IoHandler ring;
    private final MediaMetrics metrics;
    private final ByteBuffer sendArea;
    private final long sendAreaAddress;
    private final int[] freeSlots = new int[SEND_SLOTS];
    private int freeSlotCount;
    private final Set<UringSocket> sockets = new HashSet<>();
    private final ReceiveBuffers receiveBuffers = new ReceiveBuffers();
    /**
     * The message header every socket's multishot receive is prepared from (the kernel copies it when the receive is
     * submitted): room for a sender's address, no payload vector (the payload goes to a provided buffer).
     */
    private final ByteBuffer receiveHeader = ByteBuffer.allocateDirect(MSG_HEADER_BYTES + NAME_CAPACITY)
            .order(ByteOrder.nativeOrder());
    private final RoundContext round = new RoundContext();
    /** Where a packet from the heap goes before a send of its own ({@link UringSocket#sendNow}). */
    private final ByteBuffer directCopy = ByteBuffer.allocateDirect(RECEIVE_BYTES + SrtpContext.MAX_GROWTH);
    /** Datagrams read in the current round. */
    private int datagrams;

    IoUringMediaLoop(String name, long periodNanos, boolean busyPoll, OptionalInt nice, int receiveBufferBytes,
            MediaMetrics metrics, Runnable periodic) {
        super(name, periodNanos, busyPoll, nice, receiveBufferBytes, periodic, RECEIVE_BYTES);
        this.metrics = metrics;
        ThreadAwareExecutor executor = new ThreadAwareExecutor() {
            @Override
            public boolean isExecutorThread(Thread thread) {
                return inLoop();
            }

            @Override
            public void execute(Runnable task) {
                IoUringMediaLoop.this.execute(task);
            }
        };
        this.ring = IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setRingSize(SUBMISSION_QUEUE)
                .setCqSize(COMPLETION_QUEUE))
                .newHandler(executor);
        this.sendArea = ByteBuffer.allocateDirect(SEND_SLOTS * SEND_SLOT_BYTES).order(ByteOrder.nativeOrder());
        this.sendAreaAddress = Buffer.memoryAddress(sendArea);
        for (int slot = 0; slot < SEND_SLOTS; slot++) {
            long address = sendAreaAddress + (long) slot * SEND_SLOT_BYTES;
            prepareArea(sendArea, slot * SEND_SLOT_BYTES, address);
            freeSlots[freeSlotCount++] = slot;
        }
        long headerAddress = Buffer.memoryAddress(receiveHeader);
        receiveHeader.putLong(MSG_NAME, headerAddress + MSG_HEADER_BYTES);
        receiveHeader.putInt(MSG_NAMELEN, NAME_CAPACITY);
    }

    /**
     * Enabling the ring makes the enabling thread its only submitter, so the loop enables it, and hands the kernel its
     * receive buffers before any socket is bound.
     */
    @Override
    void onLoopStart() {
        ring.initialize();
        try {
            receiveBuffers.registration = ring.register(receiveBuffers);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the receive buffers of " + name(), e);
        }
        receiveBuffers.provide(0, RECEIVE_BUFFERS);
    }

    private static int align(int bytes) {
        return (bytes + 63) & ~63;
    }

    /** Points a send slot's message header at its iovec and address, and its iovec at its payload. */
    private static void prepareArea(ByteBuffer memory, int offset, long address) {
        memory.putLong(offset + MSG_NAME, address + NAME);
        memory.putLong(offset + MSG_IOV, address + IOV);
        memory.putLong(offset + MSG_IOVLEN, 1);
        memory.putLong(offset + IOV, address + PAYLOAD);
    }

    @Override
    MediaSocket bind(ProtocolFamily family, InetSocketAddress address, Receiver receiver) throws IOException {
        UringSocket socket;
        try {
            socket = new UringSocket(family, receiver);
        } catch (RuntimeException e) {
            // Netty reports a socket it could not open (the descriptor limit, say) unchecked.
            throw new IOException("cannot open a socket on " + name(), e);
        }
        try {
            if (receiveBufferBytes != MediaConfig.KERNEL_RECEIVE_BUFFER) {
                socket.socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.socket.bind(address);
            socket.registration = ring.register(socket);
        } catch (Exception e) {
            socket.socket.close();
            throw e instanceof IOException io ? io : new IOException("cannot register a socket on " + name(), e);
        }
        sockets.add(socket);
        socket.receive();
        return socket;
    }

    /** A closing socket's queued receive is cancelled in the next round; its descriptor closes at the completion. */
    @Override
    void releaseClosed() {
        poll(0);
    }

    @Override
    boolean send(MediaSocket socket, ByteBuffer packet, InetSocketAddress destination) {
        UringSocket from = (UringSocket) socket;
        int length = packet.remaining();
        if (from.closed || !from.destinationFits(destination)) {
            return false;
        }
        if (freeSlotCount == 0 || length > SLOT_PAYLOAD_BYTES) {
            return from.sendNow(packet, destination);
        }
        int slot = freeSlots[--freeSlotCount];
        int offset = slot * SEND_SLOT_BYTES;
        sendArea.put(offset + PAYLOAD, packet, packet.position(), length);
        sendArea.putLong(offset + IOV_LEN, length);
        sendArea.putInt(offset + MSG_NAMELEN, from.writeDestination(sendArea, offset + NAME, destination));
        from.registration.submit(new IoUringIoOps(OP_SENDMSG, (byte) 0, (short) 0, from.fd,
                0L, sendAreaAddress + offset, 1, 0, slot, (short) 0, (short) 0, 0, 0L));
        return true;
    }

    @Override
    int poll(long waitNanos) {
        datagrams = 0;
        round.waitNanos = waitNanos;
        ring.run(round);
        return datagrams;
    }

    @Override
    void wakeUp() {
        ring.wakeup();
    }

    /**
     * Cancels every socket's receive and lets the ring finish them (a cancelled receive completes at once), so each
     * descriptor closes and its port is free; then the ring goes. Bounded: a socket left over is closed outright.
     */
    @Override
    void closeAll() {
        for (UringSocket socket : new ArrayList<>(sockets)) {
            socket.close();
        }
        for (int attempt = 0; attempt < 100 && !sockets.isEmpty(); attempt++) {
            poll(0);
        }
        if (receiveBuffers.registration != null) {
            receiveBuffers.registration.cancel();
        }
        try {
            ring.prepareToDestroy();
            ring.destroy();
        } catch (RuntimeException e) {
            fault("closing its ring", e);
        }
        for (UringSocket socket : new ArrayList<>(sockets)) {
            socket.closeDescriptor();
        }
    }

    /**
     * The loop's receive buffers, provided to the kernel as one group that every socket's multishot receive takes
     * from. A buffer is handed back when the datagram in it has been relayed; the kernel gets them back
     * {@link #RELEASE_BATCH} at a time, a run of consecutive buffers in one submission, which it reports here.
     */
    private final class ReceiveBuffers implements IoUringIoHandle {
        final ByteBuffer area = ByteBuffer.allocateDirect(RECEIVE_BUFFERS * RECEIVE_BUFFER_BYTES)
                .order(ByteOrder.nativeOrder());
        final long address = Buffer.memoryAddress(area);
        /** The same memory in network order, as the relay reads a datagram. */
        final ByteBuffer payloads = area.duplicate().order(ByteOrder.BIG_ENDIAN);
        /** Per run of {@link #RELEASE_BATCH} buffers, how many of them are back from the kernel. */
        final int[] released = new int[RECEIVE_BUFFERS / RELEASE_BATCH];
        IoRegistration registration;

        void provide(int first, int count) {
            registration.submit(new IoUringIoOps(OP_PROVIDE_BUFFERS, (byte) 0, (short) 0, count, first,
                    address + (long) first * RECEIVE_BUFFER_BYTES, RECEIVE_BUFFER_BYTES, 0, 0L, BUFFER_GROUP,
                    (short) 0, 0, 0L));
        }

        void release(int buffer) {
            int run = buffer / RELEASE_BATCH;
            if (++released[run] == RELEASE_BATCH) {
                released[run] = 0;
                provide(run * RELEASE_BATCH, RELEASE_BATCH);
            }
        }

        /** The datagram of {@code length} bytes in {@code buffer}, between position and limit. */
        ByteBuffer payload(int buffer, int length) {
            int start = buffer * RECEIVE_BUFFER_BYTES + RECEIVED_PAYLOAD;
            payloads.clear().position(start).limit(start + length);
            return payloads;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int result = ((IoUringIoEvent) event).res();
            if (result < 0 && result != -ECANCELED) {
                fault("handing receive buffers back", new IOException("provide buffers failed: errno " + -result));
            }
        }

        @Override
        public void close() {
        }
    }

    /** What the ring asks of the loop for one round: whether it may wait, and how long. */
    private static final class RoundContext implements IoHandlerContext {
        long waitNanos;

        @Override
        public boolean canBlock() {
            return waitNanos > 0;
        }

        @Override
        public long delayNanos(long currentTimeNanos) {
            return waitNanos;
        }

        @Override
        public long deadlineNanos() {
            return System.nanoTime() + waitNanos;
        }
    }

    /** A Netty socket of the bind address's family (Netty's own factory opens dual-stack IPv6 sockets). */
    private static final class FamilySocket extends Socket {
        FamilySocket(ProtocolFamily family) {
            super(newSocketDgram0(family == StandardProtocolFamily.INET6
                    ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET));
        }
    }

    /** A socket of this loop; completions of its operations come to it. */
    private final class UringSocket implements MediaSocket, IoUringIoHandle {
        final Socket socket;
        final int fd;
        final boolean ipv6;
        final Receiver receiver;
        final IoUringIoOps receiveOperation;
        IoRegistration registration;
        /** The armed receive's user data, which a cancel names; 0 while none is armed. */
        long queuedReceive;
        /** Closed by the relay; the descriptor stays open while the socket is in {@link #sockets}. */
        boolean closed;
        /** The last sender, returned again while the address stays the same, so latching sees one instance. */
        InetSocketAddress sender;
        int senderPort = -1;
        long senderHigh;
        long senderLow;
        int senderScope;
        /**
         * The last destination and its address as the words a socket address holds, kept while the socket sends to
         * the same peer, as {@link #sender} reads them: an IPv4 address as the int in {@code destinationHigh}, an
         * IPv6 one as two longs, in the areas' (native) order so that they land as the address's bytes. Copying the
         * address's byte array into the slot instead was 9 % of a fresh SBC's media thread, still not compiled 16 s
         * into a load (docs/performance.md, "The destination as words").
         */
        InetSocketAddress destination;
        boolean destinationIsV4;
        long destinationHigh;
        long destinationLow;
        int destinationScope;

        UringSocket(ProtocolFamily family, Receiver receiver) {
            this.socket = new FamilySocket(family);
            this.fd = socket.intValue();
            this.ipv6 = family == StandardProtocolFamily.INET6;
            this.receiver = receiver;
            this.receiveOperation = new IoUringIoOps(OP_RECVMSG, IOSQE_BUFFER_SELECT, IORING_RECV_MULTISHOT, fd,
                    0L, Buffer.memoryAddress(receiveHeader), 1, 0, 0L, BUFFER_GROUP, (short) 0, 0, 0L);
        }

        void receive() {
            queuedReceive = registration.submit(receiveOperation);
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            IoUringIoEvent completion = (IoUringIoEvent) event;
            switch (completion.opcode()) {
                case OP_RECVMSG -> received(completion.res(), completion.flags());
                case OP_SENDMSG -> sent((int) completion.userData(), completion.res());
                default -> { } // a cancel's own completion; the cancelled receive completes separately
            }
        }

        /**
         * A completion of the armed receive: a datagram in a provided buffer, or the receive's end (cancelled, out
         * of buffers, failed), after which an open socket arms a new one.
         */
        private void received(int result, int flags) {
            if ((flags & IORING_CQE_F_BUFFER) != 0) {
                int buffer = flags >>> IORING_CQE_BUFFER_SHIFT;
                if (!closed) {
                    take(buffer, result);
                }
                receiveBuffers.release(buffer);
            } else if (result < 0 && result != -ECANCELED && result != -ENOBUFS) {
                fault("reading a datagram", new IOException("recvmsg failed: errno " + -result));
            }
            if ((flags & IORING_CQE_F_MORE) != 0) {
                return;
            }
            queuedReceive = 0;
            // The receiver may have closed the socket while it handled the datagram.
            if (closed) {
                closeDescriptor();
            } else {
                receive();
            }
        }

        /** A datagram in {@code buffer} on an open socket: for the receiver, or dropped as too long. */
        private void take(int buffer, int result) {
            int offset = buffer * RECEIVE_BUFFER_BYTES;
            ByteBuffer area = receiveBuffers.area;
            if ((area.getInt(offset + OUT_FLAGS) & MSG_TRUNC) != 0) {
                metrics.packetDropped(MediaDropReason.OVERSIZE);
                return;
            }
            datagrams++;
            InetSocketAddress from = sender(area, offset + RECEIVED_NAME);
            deliver(receiver, receiveBuffers.payload(buffer, result - RECEIVED_PAYLOAD), from);
        }

        private void sent(int slot, int result) {
            freeSlots[freeSlotCount++] = slot;
            if (result < 0) {
                // Refused after the packet was handed over: the call's own statistics counted it relayed.
                metrics.packetDropped(MediaDropReason.SEND_FAILED);
            }
        }

        /** The sender whose address is at {@code name}: the previous instance while it is the same address and port. */
        private InetSocketAddress sender(ByteBuffer area, int name) {
            int port = (area.get(name + 2) & 0xff) << 8 | area.get(name + 3) & 0xff;
            boolean v6 = area.getShort(name) == AF_INET6;
            long high = v6 ? area.getLong(name + 8) : area.getInt(name + 4);
            long low = v6 ? area.getLong(name + 16) : 0;
            int scope = v6 ? area.getInt(name + 24) : 0;
            if (sender != null && port == senderPort && high == senderHigh && low == senderLow
                    && scope == senderScope) {
                return sender;
            }
            byte[] bytes = new byte[v6 ? 16 : 4];
            area.get(v6 ? name + 8 : name + 4, bytes);
            try {
                InetAddress address = v6 && scope != 0 ? Inet6Address.getByAddress(null, bytes, scope)
                        : InetAddress.getByAddress(bytes);
                sender = new InetSocketAddress(address, port);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("the kernel reported an address of " + bytes.length + " bytes", e);
            }
            senderPort = port;
            senderHigh = high;
            senderLow = low;
            senderScope = scope;
            return sender;
        }

        /** An IPv4 socket sends to IPv4 only; an IPv6 socket to either (IPv4 as a mapped address). */
        boolean destinationFits(InetSocketAddress to) {
            return ipv6 || to.getAddress() instanceof Inet4Address;
        }

        /** Writes {@code to} as a socket address at {@code offset}; returns its length. */
        int writeDestination(ByteBuffer memory, int offset, InetSocketAddress to) {
            if (to != destination) {
                InetAddress address = to.getAddress();
                ByteBuffer words = ByteBuffer.wrap(address.getAddress()).order(ByteOrder.nativeOrder());
                destinationIsV4 = words.capacity() == 4;
                destinationHigh = destinationIsV4 ? words.getInt(0) : words.getLong(0);
                destinationLow = destinationIsV4 ? 0 : words.getLong(8);
                destinationScope = address instanceof Inet6Address v6 ? v6.getScopeId() : 0;
                destination = to;
            }
            int port = to.getPort();
            memory.putShort(offset, ipv6 ? AF_INET6 : AF_INET);
            memory.put(offset + 2, (byte) (port >>> 8));
            memory.put(offset + 3, (byte) port);
            if (!ipv6) {
                memory.putInt(offset + 4, (int) destinationHigh);
                memory.putLong(offset + 8, 0);
                return 16;
            }
            memory.putInt(offset + 4, 0);
            if (destinationIsV4) {
                // ::ffff:a.b.c.d, the IPv4-mapped form (RFC 4291 §2.5.5.2)
                memory.putLong(offset + 8, 0);
                memory.putShort(offset + 16, (short) 0);
                memory.putShort(offset + 18, (short) -1);
                memory.putInt(offset + 20, (int) destinationHigh);
            } else {
                memory.putLong(offset + 8, destinationHigh);
                memory.putLong(offset + 16, destinationLow);
            }
            memory.putInt(offset + 24, destinationScope);
            return 28;
        }

        /** When every send slot is queued, or the packet is longer than a slot: it goes now, with a system call. */
        boolean sendNow(ByteBuffer packet, InetSocketAddress to) {
            int position = packet.position();
            try {
                ByteBuffer direct = packet;
                if (!packet.isDirect()) {
                    direct = directCopy.clear().put(packet).flip();
                }
                return socket.sendTo(direct, direct.position(), direct.limit(), to.getAddress(), to.getPort()) > 0;
            } catch (IOException e) {
                return false;
            } finally {
                packet.position(position);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            if (queuedReceive != 0) {
                registration.submit(new IoUringIoOps(OP_ASYNC_CANCEL, (byte) 0, (short) 0, -1, 0L, queuedReceive,
                        0, 0, 0L, (short) 0, (short) 0, 0, 0L));
            } else {
                closeDescriptor();
            }
        }

        void closeDescriptor() {
            if (!sockets.remove(this)) {
                return;
            }
            registration.cancel();
            try {
                socket.close();
            } catch (IOException e) {
                fault("closing a socket", e);
            }
        }
    }
}
