package dev.switchboard.common;

import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.BiPredicate;

/**
 * Rows read on every request (an API key's workspace, a workspace's limits) kept for a few seconds, so a request
 * does not pay a database round trip for them. This replica forgets a value as soon as the transaction that
 * changes it ends; other replicas see the change within {@code ttl}. Absent rows are never kept, so a key or
 * policy that appears is seen at once and unknown keys cannot fill the cache.
 */
public final class ShortLivedCache<K, V> {

    private record Entry<V>(V value, Instant expires) {}

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    /** Bumped by every forget: a read that began before it must not store what it read. */
    private final AtomicLong generation = new AtomicLong();
    private final Clock clock;
    private final Duration ttl;
    private final int maxEntries;

    public ShortLivedCache(Clock clock, Duration ttl, int maxEntries) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    /** The kept value if still fresh, without loading. */
    public Optional<V> peek(K key) {
        Entry<V> e = entries.get(key);
        return e != null && clock.instant().isBefore(e.expires()) ? Optional.of(e.value()) : Optional.empty();
    }

    /** The kept value, or what {@code load} reads (kept unless empty). */
    public Optional<V> get(K key, Function<K, Optional<V>> load) {
        Optional<V> kept = peek(key);
        if (kept.isPresent()) {
            return kept;
        }
        long before = generation.get();
        Optional<V> loaded = load.apply(key);
        if (loaded.isPresent()) {
            if (entries.size() >= maxEntries) {
                entries.clear(); // a cheap bound: refilling costs one read per key
            }
            Instant expires = clock.instant().plus(ttl);
            entries.put(key, new Entry<>(loaded.get(), expires));
            if (generation.get() != before) {
                entries.remove(key); // a change ended while we read: what we read may be the old row
            }
        }
        return loaded;
    }

    /**
     * Forgets the values that match, now and again when the current transaction ends (reads in between may still
     * see the old row and must not keep it).
     */
    public void forgetWhenDone(TransactionSynchronizationRegistry transactions, BiPredicate<K, V> which) {
        forget(which);
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {}

            @Override
            public void afterCompletion(int status) {
                forget(which);
            }
        });
    }

    private void forget(BiPredicate<K, V> which) {
        generation.incrementAndGet();
        entries.entrySet().removeIf(e -> which.test(e.getKey(), e.getValue().value()));
    }
}
