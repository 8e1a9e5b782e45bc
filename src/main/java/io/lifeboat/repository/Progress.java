package io.lifeboat.repository;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a running backup, restore or check, read by whoever shows progress. */
public final class Progress {
    public final AtomicLong files = new AtomicLong();
    public final AtomicLong bytes = new AtomicLong();
    public final AtomicLong bytesSkipped = new AtomicLong();
    public final AtomicLong problems = new AtomicLong();
}
