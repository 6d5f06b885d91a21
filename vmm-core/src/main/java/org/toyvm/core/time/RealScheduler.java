package org.toyvm.core.time;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The real clock: one Netty event loop (NIO) on the system ticker. Modelled costs become scheduled
 * delays on this loop; nothing sleeps on it. Real sockets (wire ports) register on {@link #eventLoop()}.
 */
public final class RealScheduler implements SimScheduler, AutoCloseable {
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Ticker ticker = Ticker.systemTicker();
    private final long start = ticker.nanoTime();
    private final Ticker relative = new Ticker() {
        @Override
        public long initialNanoTime() {
            return start;
        }

        @Override
        public long nanoTime() {
            return ticker.nanoTime();
        }

        @Override
        public void sleep(long delay, TimeUnit unit) throws InterruptedException {
            ticker.sleep(delay, unit);
        }
    };

    public RealScheduler() {
        this.group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        this.loop = group.next();
    }

    /** The Netty event loop everything runs on (register channels here). */
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public Ticker ticker() {
        return relative;
    }

    @Override
    public boolean isVirtual() {
        return false;
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        Future<?> f = loop.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public boolean inLoop() {
        return loop.inEventLoop();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
