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
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The io_uring floor under the media relay: {@link JdkDatagramForwarder}'s socket pattern (a socket per stream, a
 * packet read on one sent from its partner to the generator's far socket) on one io_uring ring through Netty's
 * native library, as {@code IoUringMediaLoop} uses it, with none of the relay's work. Each socket keeps one
 * {@code recvmsg} queued; a received packet is sent from the same memory with a {@code sendmsg}, and the receive is
 * queued again when the send completes. No allocation per packet; the thread waits in the ring when idle.
 *
 * <p>Usage (the SBC's jar carries Netty): {@code java -cp sbc-core/target/sbc.jar IoUringDatagramForwarder.java
 * PAIRS FIRST_PORT PORTS_FILE}: binds PAIRS pairs of loopback ports from FIRST_PORT (4 apart), writes them to
 * PORTS_FILE as the shared RTP generator's {@code --ports-file} wants them, prints "ready", forwards until killed.
 */
public final class IoUringDatagramForwarder {
    private static final byte OP_SENDMSG = 9;
    private static final byte OP_RECVMSG = 10;
    // Per socket: a receive msghdr, a send msghdr, their iovecs, the sender's and the destination's sockaddr_in, the
    // payload.
    private static final int RECEIVE_HEADER = 0;
    private static final int SEND_HEADER = 64;
    private static final int RECEIVE_IOV = 128;
    private static final int SEND_IOV = 144;
    private static final int SENDER = 160;
    private static final int DESTINATION = 192;
    private static final int PAYLOAD = 256;
    private static final int PAYLOAD_BYTES = 2_048;
    private static final int STRIDE = PAYLOAD + PAYLOAD_BYTES;

    /** A socket of the bind address's family, as the relay opens them. */
    private static final class Ipv4Socket extends Socket {
        Ipv4Socket() {
            super(newSocketDgram0(SocketProtocolFamily.INET));
        }
    }

    private static final class Forwarding implements IoUringIoHandle {
        final Socket socket = new Ipv4Socket();
        final ByteBuffer memory;
        final int offset;
        Forwarding partner;
        IoRegistration registration;
        IoUringIoOps receive;
        IoUringIoOps send;

        Forwarding(ByteBuffer memory, long base, int index, InetSocketAddress destination) {
            this.memory = memory;
            this.offset = index * STRIDE;
            long address = base + offset;
            header(RECEIVE_HEADER, address, SENDER, RECEIVE_IOV);
            header(SEND_HEADER, address, DESTINATION, SEND_IOV);
            memory.putInt(offset + SEND_HEADER + 8, 16);
            memory.putShort(offset + DESTINATION, (short) 2);
            memory.put(offset + DESTINATION + 2, (byte) (destination.getPort() >>> 8));
            memory.put(offset + DESTINATION + 3, (byte) destination.getPort());
            memory.put(offset + DESTINATION + 4, destination.getAddress().getAddress());
        }

        private void header(int header, long address, int name, int iov) {
            memory.putLong(offset + header, address + name);
            memory.putLong(offset + header + 16, address + iov);
            memory.putLong(offset + header + 24, 1);
            memory.putLong(offset + iov, address + PAYLOAD);
        }

        void operations(long base) {
            long address = base + offset;
            int fd = socket.intValue();
            receive = new IoUringIoOps(OP_RECVMSG, (byte) 0, (short) 0, fd, 0L, address + RECEIVE_HEADER, 1, 0,
                    0L, (short) 0, (short) 0, 0, 0L);
            send = new IoUringIoOps(OP_SENDMSG, (byte) 0, (short) 0, partner.socket.intValue(), 0L,
                    address + SEND_HEADER, 1, 0, 0L, (short) 0, (short) 0, 0, 0L);
        }

        void receive() {
            memory.putInt(offset + RECEIVE_HEADER + 8, 16);
            memory.putLong(offset + RECEIVE_IOV + 8, PAYLOAD_BYTES);
            registration.submit(receive);
        }

        @Override
        public void handle(IoRegistration ignored, IoEvent event) {
            IoUringIoEvent completion = (IoUringIoEvent) event;
            if (completion.opcode() == OP_RECVMSG && completion.res() > 0) {
                memory.putLong(offset + SEND_IOV + 8, completion.res());
                registration.submit(send);
            } else {
                receive();
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    public static void main(String[] args) throws Exception {
        int pairs = Integer.parseInt(args[0]);
        int firstPort = Integer.parseInt(args[1]);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", 30000);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", 30002);
        Thread loop = Thread.currentThread();
        IoHandler ring = IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setRingSize(4_096))
                .newHandler(new ThreadAwareExecutor() {
                    @Override
                    public boolean isExecutorThread(Thread thread) {
                        return thread == loop;
                    }

                    @Override
                    public void execute(Runnable task) {
                        throw new UnsupportedOperationException("one thread does everything");
                    }
                });
        ring.initialize();
        ByteBuffer memory = ByteBuffer.allocateDirect(STRIDE * pairs * 2).order(ByteOrder.nativeOrder());
        long base = Buffer.memoryAddress(memory);
        Forwarding[] sockets = new Forwarding[pairs * 2];
        try (PrintWriter ports = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
            for (int i = 0; i < sockets.length; i++) {
                int port = firstPort + 4 * (i / 2) + 2 * (i % 2);
                // The even socket faces A and forwards to B, the odd one the other way.
                sockets[i] = new Forwarding(memory, base, i, i % 2 == 0 ? b : a);
                sockets[i].socket.bind(new InetSocketAddress("127.0.0.1", port));
                ports.println((i % 2 == 0 ? "A " : "B ") + port);
            }
        }
        for (int i = 0; i < sockets.length; i++) {
            sockets[i].partner = sockets[i ^ 1];
            sockets[i].registration = ring.register(sockets[i]);
        }
        for (Forwarding socket : sockets) {
            socket.operations(base);
            socket.receive();
        }
        IoHandlerContext waitUpToASecond = new IoHandlerContext() {
            @Override
            public boolean canBlock() {
                return true;
            }

            @Override
            public long delayNanos(long currentTimeNanos) {
                return 1_000_000_000L;
            }

            @Override
            public long deadlineNanos() {
                return System.nanoTime() + 1_000_000_000L;
            }
        };
        System.out.println("ready");
        while (true) {
            ring.run(waitUpToASecond);
        }
    }
}
