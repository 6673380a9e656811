package org.edgesbc.media;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The nice value of the calling thread, on Linux, where each thread has its own (setpriority(2) given a thread ID).
 * Among the threads that want one core, the scheduler gives a thread with a lower nice a larger share and an earlier
 * deadline, so a woken media thread takes its core ahead of a shell, the JIT's compiler or a relay shard instead of
 * waiting out their slice: waits of 5-8 ms that, at 100,000 packets/s, queued hundreds of packets and set the relay's
 * latency tail (docs/performance.md, "The media thread's nice value"). The JDK offers no per-thread nice (its
 * thread priorities are ignored on Linux unless the JVM runs with {@code -XX:ThreadPriorityPolicy=1} as root), hence
 * one call through JNA.
 */
final class ThreadNice {
    private static final int PRIO_PROCESS = 0;
    private static final int EPERM = 1;
    private static final int EACCES = 13;

    interface LibC extends Library {
        int setpriority(int which, int who, int prio) throws LastErrorException;
    }

    private ThreadNice() {
    }

    /**
     * Sets the calling thread's nice value to {@code nice}, one {@link MediaConfig} has checked.
     *
     * @throws IOException when this is not Linux, JNA cannot reach the C library, or the kernel refused (a nice
     *     below the thread's present one needs CAP_SYS_NICE or an RLIMIT_NICE that allows it)
     */
    static void setForCurrentThread(int nice) throws IOException {
        int threadId;
        try {
            threadId = currentThreadId();
        } catch (IOException e) {
            throw new IOException("a thread's own nice value needs Linux (" + e + ")", e);
        }
        try {
            Native.load("c", LibC.class).setpriority(PRIO_PROCESS, threadId, nice);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            throw new IOException(errno == EACCES || errno == EPERM
                    ? "the kernel refused (errno " + errno + "): a lower nice needs CAP_SYS_NICE or a nice "
                            + "limit that allows it (systemd: LimitNICE=30 for -10; Docker: --ulimit nice=30)"
                    : "setpriority failed: errno " + errno, e);
        } catch (LinkageError e) {
            // JNA's own native library could not be loaded (a temporary folder mounted noexec, say): the first
            // attempt fails with UnsatisfiedLinkError, every later one with NoClassDefFoundError.
            throw new IOException("JNA could not call the C library: " + e, e);
        }
    }

    /** The calling thread's ID as the kernel knows it: {@code /proc/thread-self} links to {@code PID/task/TID}. */
    private static int currentThreadId() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }
}
