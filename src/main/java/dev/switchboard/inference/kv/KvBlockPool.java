package dev.switchboard.inference.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * The KV blocks of one cache with a prefix cache on top: a block that a sequence has filled with the keys and values
 * of {@code blockSize} final tokens can be registered under the hash of its parent block's hash and its tokens, so
 * that another sequence starting with the same tokens reuses it instead of computing them again.
 *
 * <p>Blocks are either free, private (held by the one sequence that allocated them, still being written) or cached
 * (full and immutable, shared read-only, with a reference count). A cached block whose count drops to 0 stays
 * cached and becomes evictable; {@link #allocate()} evicts the least recently released one only when no block is
 * free. Since only full immutable blocks are shared, nobody ever writes a block someone else reads: no copy-on-write.
 *
 * <p>Not thread-safe: the engine loop owns it.
 */
public final class KvBlockPool {
    /** The parent hash of a sequence's first block. */
    public static final long ROOT = 0x9E3779B97F4A7C15L;

    private final BlockAllocator allocator;
    private final int blockSize;
    private final boolean caching;
    private final Map<Long, Integer> byHash = new HashMap<>();
    /** Per physical block: its entry when cached, else null. */
    private final Entry[] entries;
    /** Cached blocks with no reference, least recently released first. */
    private final LinkedHashSet<Integer> evictable = new LinkedHashSet<>();
    private long evictions;

    private static final class Entry {
        final long hash;
        final long parent;
        final int[] tokens;
        int refs;

        Entry(long hash, long parent, int[] tokens) {
            this.hash = hash;
            this.parent = parent;
            this.tokens = tokens;
        }
    }

    /**
     * @param caching whether full blocks are kept for reuse; without it, {@link #register} and {@link #lookup} do
     *     nothing and every block is private
     */
    public KvBlockPool(int numBlocks, int blockSize, boolean caching) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, got " + blockSize);
        }
        this.allocator = new BlockAllocator(numBlocks);
        this.blockSize = blockSize;
        this.caching = caching;
        this.entries = new Entry[numBlocks];
    }

    public int numBlocks() {
        return allocator.numBlocks();
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean caching() {
        return caching;
    }

    /** Blocks on the free list. */
    public int freeBlocks() {
        return allocator.freeBlocks();
    }

    /** Cached blocks nobody references: reclaimable by eviction. */
    public int evictableBlocks() {
        return evictable.size();
    }

    /** Blocks that {@link #allocate()} can hand out now: free plus evictable. */
    public int availableBlocks() {
        return allocator.freeBlocks() + evictable.size();
    }

    /** Blocks in the prefix cache, referenced or not. */
    public int cachedBlocks() {
        return byHash.size();
    }

    public long evictions() {
        return evictions;
    }

    /** The reference count of a cached block (for tests); -1 for a block that is not cached. */
    public int refs(int block) {
        Entry e = entries[block];
        return e == null ? -1 : e.refs;
    }

    /**
     * A block for private use: a free one, or else the least recently released evictable one (dropped from the
     * cache). -1 when every block is referenced.
     */
    public int allocate() {
        int block = allocator.allocate();
        if (block >= 0 || evictable.isEmpty()) {
            return block;
        }
        int victim = evictable.removeFirst();
        byHash.remove(entries[victim].hash);
        entries[victim] = null;
        evictions++;
        allocator.free(victim);
        return allocator.allocate();
    }

    /** The hash of a block of {@code tokens[from, from + blockSize)} whose predecessor hashed to {@code parent}. */
    public long hash(long parent, int[] tokens, int from) {
        long h = parent * 0x100000001B3L ^ 0xCBF29CE484222325L;
        for (int i = from; i < from + blockSize; i++) {
            h = (h ^ tokens[i]) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 29;
        }
        return h;
    }

    /**
     * The cached blocks holding {@code tokens[0, maxBlocks * blockSize)}, longest chain first found from the start,
     * without taking references ({@link #acquire} does, once the caller decides to use them). Token ids are compared,
     * not only hashes, so a hash collision never hands out a wrong block.
     */
    public int[] lookup(int[] tokens, int maxBlocks) {
        if (!caching) {
            return new int[0];
        }
        int[] found = new int[maxBlocks];
        long parent = ROOT;
        int n = 0;
        while (n < maxBlocks) {
            long h = hash(parent, tokens, n * blockSize);
            Integer block = byHash.get(h);
            if (block == null) {
                break;
            }
            Entry e = entries[block];
            if (e.parent != parent || !Arrays.equals(e.tokens, 0, blockSize, tokens, n * blockSize,
                    (n + 1) * blockSize)) {
                break;
            }
            found[n++] = block;
            parent = h;
        }
        return Arrays.copyOf(found, n);
    }

    /** How many of these cached blocks nobody references: what acquiring them takes away from eviction. */
    public int countEvictable(int[] blocks) {
        int n = 0;
        for (int b : blocks) {
            if (entries[b].refs == 0) {
                n++;
            }
        }
        return n;
    }

    /** Takes a reference on each of these cached blocks (from {@link #lookup}). */
    public void acquire(int[] blocks) {
        for (int b : blocks) {
            Entry e = entries[b];
            if (e == null) {
                throw new IllegalStateException("block " + b + " is not cached");
            }
            if (e.refs++ == 0) {
                evictable.remove(b);
            }
        }
    }

    /**
     * Offers a private block that now holds the keys and values of {@code tokens[from, from + blockSize)} to the
     * cache. The caller keeps its reference either way. When an equal block is cached already (two sequences
     * computed the same prefix at once), this one stays private.
     *
     * @return the block's hash, the parent of the sequence's next block
     */
    public long register(int block, long parent, int[] tokens, int from) {
        long h = hash(parent, tokens, from);
        if (caching && entries[block] == null && !byHash.containsKey(h)) {
            Entry e = new Entry(h, parent, Arrays.copyOfRange(tokens, from, from + blockSize));
            e.refs = 1;
            entries[block] = e;
            byHash.put(h, block);
        }
        return h;
    }

    /**
     * Gives up a sequence's references, last block first: private blocks go back to the free list, cached ones lose
     * a reference and become evictable at 0, later blocks ahead of earlier ones in eviction order (a block is only
     * found through its predecessors, so evicting a prefix first would strand its successors).
     */
    public void release(int... blocks) {
        for (int i = blocks.length - 1; i >= 0; i--) {
            int b = blocks[i];
            Entry e = entries[b];
            if (e == null) {
                allocator.free(b);
            } else if (e.refs <= 0) {
                throw new IllegalStateException("cached block " + b + " released more often than acquired");
            } else if (--e.refs == 0) {
                evictable.add(b);
            }
        }
    }

    /** All cached blocks in eviction order (for tests and diagnostics). */
    public List<Integer> evictionOrder() {
        return new ArrayList<>(evictable);
    }
}
