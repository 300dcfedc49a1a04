package io.beamml.inference;

import io.beamml.inference.registry.ModelRef;
import io.beamml.inference.registry.ModelRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The version one {@code name@alias} points at, re-read from the registry at most once per interval
 * and shared by every scoring thread of a JVM, so a streaming job follows alias moves without a
 * restart and without each DoFn instance polling the registry.
 *
 * <p>Callers pass the time and the interval, which keeps the check a volatile read and a compare
 * (and lets tests drive the clock). When a check is due, one caller re-reads {@code aliases.json}
 * while the others carry on with the version already known; a failed re-read (unreadable file,
 * alias removed) keeps that version and is tried again after another interval. A re-read that
 * starts after a move sees it, and one starts at the first check at least an interval after the
 * previous one: the follower therefore knows a move at most one interval (plus one re-read) after
 * it happened, provided something is being scored.
 *
 * <p>Followers are never dropped: each holds only a few strings, one per alias a JVM has followed.
 */
public final class AliasFollower {

  private static final Logger LOG = LoggerFactory.getLogger(AliasFollower.class);
  private static final ConcurrentHashMap<Key, AliasFollower> SHARED = new ConcurrentHashMap<>();
  private static final long NEVER = Long.MIN_VALUE;

  /** What one {@link #refreshIfDue} call did. */
  public enum Refresh {
    /** The last re-read is less than an interval old. */
    NOT_DUE,
    /** Another thread is re-reading now; the current version stands meanwhile. */
    BUSY,
    /** Re-read: the alias still points at the same version. */
    UNCHANGED,
    /** Re-read: the alias points at another version now. */
    MOVED,
    /** The re-read failed; the current version stands until the next attempt. */
    FAILED
  }

  private final ModelRef ref;
  private final String where;
  private final Supplier<String> read;
  private final AtomicBoolean reading = new AtomicBoolean();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicReference<String> announced;
  private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();

  private volatile String version;

  /** When the last re-read began, on the callers' clock; NEVER before the first. */
  private volatile long lastAttemptMillis = NEVER;

  /** Whether the last re-read failed; only touched by the thread holding {@link #reading}. */
  private boolean failing;

  AliasFollower(ModelRef ref, String where, String initialVersion, Supplier<String> read) {
    if (!ref.isAlias()) {
      throw new IllegalArgumentException("only an alias can be followed, got " + ref);
    }
    if (initialVersion == null) {
      throw new IllegalArgumentException("an initial version of " + ref + " is required");
    }
    this.ref = ref;
    this.where = where;
    this.read = read;
    this.version = initialVersion;
    this.announced = new AtomicReference<>(initialVersion);
  }

  /**
   * The JVM's follower of {@code name@alias} in the registry at {@code registryRoot}, created on
   * first use with {@code initialVersion} (the version resolved when the pipeline was built) as the
   * version to use until the first re-read; later calls ignore {@code initialVersion}.
   */
  public static AliasFollower shared(
      String registryRoot, String name, String alias, String initialVersion) {
    return SHARED.computeIfAbsent(
        new Key(registryRoot, name, alias),
        k -> {
          ModelRef ref = ModelRef.alias(name, alias);
          ModelRegistry registry = ModelRegistry.at(registryRoot);
          return new AliasFollower(ref, registryRoot, initialVersion, () -> registry.resolve(ref));
        });
  }

  public ModelRef ref() {
    return ref;
  }

  /** The version to score with now: the last one read, or the initial one before any read. */
  public String version() {
    return version;
  }

  /**
   * Re-reads the alias if the last attempt began at least {@code intervalMillis} before {@code
   * nowMillis} (or there was none) and no other thread is re-reading; never blocks on another
   * caller.
   */
  public Refresh refreshIfDue(long nowMillis, long intervalMillis) {
    if (!isDue(nowMillis, intervalMillis)) {
      return Refresh.NOT_DUE;
    }
    if (!reading.compareAndSet(false, true)) {
      return Refresh.BUSY;
    }
    try {
      // Someone may have finished a re-read between the check above and the lock.
      if (!isDue(nowMillis, intervalMillis)) {
        return Refresh.NOT_DUE;
      }
      lastAttemptMillis = nowMillis;
      return reread();
    } finally {
      reading.set(false);
    }
  }

  private boolean isDue(long nowMillis, long intervalMillis) {
    long last = lastAttemptMillis;
    return last == NEVER || nowMillis - last >= intervalMillis;
  }

  private Refresh reread() {
    String current = version;
    String found;
    try {
      found = read.get();
      if (found == null) {
        throw new IllegalStateException("alias " + ref + " resolved to no version");
      }
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      if (!failing) {
        failing = true;
        // The exception's own message names files and aliases, never rows; its cause is left out.
        LOG.warn(
            "Cannot re-read alias {} in {}; keeps scoring with version {} and tries again each interval: {}",
            ref,
            where,
            current,
            e.toString());
      }
      return Refresh.FAILED;
    }
    reads.incrementAndGet();
    if (failing) {
      failing = false;
      LOG.info("Alias {} in {} is readable again: version {}", ref, where, found);
    }
    if (found.equals(current)) {
      return Refresh.UNCHANGED;
    }
    version = found;
    return Refresh.MOVED;
  }

  /**
   * Records that this JVM now scores {@code to}; true for the first caller per move, so a switch is
   * counted and logged once per JVM however many DoFn instances make it.
   */
  boolean announceSwitch(String to) {
    String previous = announced.get();
    return !to.equals(previous) && announced.compareAndSet(previous, to);
  }

  /** True the first time a version is refused in this JVM, so the refusal is logged once. */
  boolean firstRefusal(String refusedVersion) {
    return refusalsLogged.add(refusedVersion);
  }

  /** Successful re-reads so far: for monitoring and tests. */
  public long reads() {
    return reads.get();
  }

  /** Failed re-reads so far. */
  public long failures() {
    return failures.get();
  }

  private record Key(String registryRoot, String name, String alias) {}
}
