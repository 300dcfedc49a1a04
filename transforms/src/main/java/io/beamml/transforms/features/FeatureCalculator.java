package io.beamml.transforms.features;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.FeatureValue;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.TreeSet;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The one place that decides which events fall in a feature's window and what the window adds up
 * to. Batch feature rows, streaming feature rows and training examples all call it, so a feature
 * means the same thing wherever it is computed.
 *
 * <p>A feature as of time t aggregates the customer's events with event time in (t - window, t]: an
 * event exactly one window before t is out, an event at t is in, and events sharing a timestamp
 * count in each other's rows. An event whose amount is null, NaN or infinite still counts for
 * {@code count} but does not contribute to {@code sum}, {@code mean}, {@code min} or {@code max}; a
 * window without a contributing event is "empty" and takes the feature's {@code when_empty}. Sums
 * are kept with a compensated (two-sum) accumulator, so the sliding computation in {@link
 * #rowsForEachEvent} and the direct one in {@link #asOf} agree to within rounding of the last bit.
 *
 * <p>Profile features: {@code age}, {@code signup_date} and {@code tenure_days} are numbers, {@code
 * gender} and {@code country} text; {@code tenure_days} is the UTC date of t in days since the
 * epoch minus {@code signup_date}, and missing when signup is after t's date: the profile
 * contradicts the event, but neither is unusable, so the row keeps its other features and the model
 * sees an unknown tenure rather than a negative one. Without a profile every profile feature is
 * missing.
 */
public final class FeatureCalculator implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Deterministic event order: event time, then event id, then the remaining fields. */
  public static final Comparator<CustomerEvent> EVENT_ORDER = new EventOrder();

  private final FeatureSpec spec;
  private final String fingerprint;
  private final String[] names;

  /** Per column: the index into eventFeatures; unused for a profile column. */
  private final int[] eventColumns;

  /** Per column: the profile field it reads, or null for an event column. */
  private final @Nullable ProfileField[] profileColumns;

  private final EventFeature[] eventFeatures;

  /** Distinct window lengths, ascending. */
  private final long[] windows;

  /** For each distinct window, the indices into eventFeatures that use it. */
  private final int[][] featuresByWindow;

  public FeatureCalculator(FeatureSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.fingerprint = spec.fingerprint();
    List<FeatureDefinition> defs = spec.features();
    this.names = new String[defs.size()];
    this.eventColumns = new int[defs.size()];
    this.profileColumns = new ProfileField[defs.size()];
    List<EventFeature> events = new ArrayList<>();
    TreeSet<Long> windowSet = new TreeSet<>();
    for (int column = 0; column < defs.size(); column++) {
      FeatureDefinition def = defs.get(column);
      names[column] = def.name();
      if (def.kind() == FeatureDefinition.Kind.event) {
        eventColumns[column] = events.size();
        events.add(new EventFeature(def));
        windowSet.add(def.windowMillis());
      } else {
        profileColumns[column] = def.profileField();
      }
    }
    this.eventFeatures = events.toArray(new EventFeature[0]);
    this.windows = windowSet.stream().mapToLong(Long::longValue).toArray();
    this.featuresByWindow = new int[windows.length][];
    for (int w = 0; w < windows.length; w++) {
      List<Integer> members = new ArrayList<>();
      for (int f = 0; f < eventFeatures.length; f++) {
        if (eventFeatures[f].windowMillis == windows[w]) {
          members.add(f);
        }
      }
      featuresByWindow[w] = members.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  public static FeatureCalculator of(FeatureSpec spec) {
    return new FeatureCalculator(spec);
  }

  public FeatureSpec spec() {
    return spec;
  }

  public String fingerprint() {
    return fingerprint;
  }

  /**
   * The longest window of any event feature (0 if there is none): events older than the earliest
   * pending as-of time minus this can never count again, so incremental callers may drop them.
   */
  public long maxWindowMillis() {
    return windows.length == 0 ? 0 : windows[windows.length - 1];
  }

  /** A sorted copy of {@code events} in {@link #EVENT_ORDER}; the input is left as it is. */
  public static List<CustomerEvent> sortedByTime(Iterable<? extends CustomerEvent> events) {
    List<CustomerEvent> sorted = new ArrayList<>();
    for (CustomerEvent e : events) {
      sorted.add(e);
    }
    sorted.sort(EVENT_ORDER);
    return sorted;
  }

  /**
   * The profile to use when a customer has several (which deduplication should prevent): the one
   * with the latest signup_date, ties broken by the smallest JSON form, so every run and runner
   * picks the same. Null when there is none.
   */
  public static @Nullable CustomerProfile chooseProfile(Iterable<CustomerProfile> profiles) {
    CustomerProfile chosen = null;
    String chosenJson = null;
    for (CustomerProfile p : profiles) {
      if (chosen == null || p.getSignupDate() > chosen.getSignupDate()) {
        chosen = p;
        chosenJson = null;
      } else if (p.getSignupDate() == chosen.getSignupDate()) {
        if (chosenJson == null) {
          chosenJson = chosen.toString();
        }
        String json = p.toString();
        if (json.compareTo(chosenJson) < 0) {
          chosen = p;
          chosenJson = json;
        }
      }
    }
    return chosen;
  }

  /**
   * The features (in spec order) as of {@code asOfMillis}: only events with event time in (t -
   * window, t] count, so events after t may be passed and are ignored. The events must be sorted by
   * event time (as {@link #sortedByTime} does); the part that is read is checked.
   */
  public List<FeatureValue> asOf(
      List<CustomerEvent> eventsSortedByTime, @Nullable CustomerProfile profile, long asOfMillis) {
    List<CustomerEvent> events = randomAccess(eventsSortedByTime);
    int end = firstAfter(events, asOfMillis, 0, events.size());
    Double[] eventValues = new Double[eventFeatures.length];
    Accumulator acc = new Accumulator();
    for (int w = 0; w < windows.length; w++) {
      int start = firstAfter(events, windowStart(asOfMillis, windows[w]), 0, end);
      checkSorted(events, start, end);
      for (int f : featuresByWindow[w]) {
        EventFeature feature = eventFeatures[f];
        acc.reset(feature, end - start);
        for (int i = start; i < end; i++) {
          CustomerEvent e = events.get(i);
          if (feature.matches(e)) {
            acc.add(i - start, contribution(e));
          }
        }
        eventValues[f] = acc.value();
      }
    }
    return buildValues(eventValues, profile, asOfMillis);
  }

  /**
   * One row per event, as of that event's own time, ordered by {@link #EVENT_ORDER}. Sorts once,
   * then slides one pair of pointers per distinct window length: linear in the number of events
   * after the sort.
   */
  public List<FeatureRow> rowsForEachEvent(
      String customerKey, Collection<CustomerEvent> events, @Nullable CustomerProfile profile) {
    List<CustomerEvent> sorted = sortedByTime(events);
    return rowsForSortedEvents(customerKey, sorted, 0, sorted.size(), profile);
  }

  /**
   * Rows for {@code sorted[from, to)}, each as of its own event time, with every event in {@code
   * sorted} (before, inside or after the range) available as context. This is the incremental entry
   * point: a streaming caller keeps a buffer sorted by {@link #EVENT_ORDER}, asks for the rows of
   * the events the watermark has passed, and may drop events older than the earliest remaining
   * event time minus {@link #maxWindowMillis()}. Events at the same time as {@code sorted[to - 1]}
   * must all be present, since they count in its row.
   */
  public List<FeatureRow> rowsForSortedEvents(
      String customerKey,
      List<CustomerEvent> sorted,
      int from,
      int to,
      @Nullable CustomerProfile profile) {
    Objects.requireNonNull(customerKey, "customerKey");
    sorted = randomAccess(sorted);
    int n = sorted.size();
    if (from < 0 || to > n || from > to) {
      throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + n + " events");
    }
    List<FeatureRow> rows = new ArrayList<>(to - from);
    if (from == to) {
      return rows;
    }
    long firstTime = sorted.get(from).getEventTime();
    long lastTime = sorted.get(to - 1).getEventTime();
    // Only events in (firstTime - maxWindow, lastTime] can count in any requested row.
    int base = firstAfter(sorted, windowStart(firstTime, maxWindowMillis()), 0, from);
    int limit = firstAfter(sorted, lastTime, to - 1, n);
    checkSorted(sorted, base, limit);
    int span = limit - base;

    double[] amounts = new double[span];
    for (int i = 0; i < span; i++) {
      amounts[i] = contribution(sorted.get(base + i));
    }
    Accumulator[] accs = new Accumulator[eventFeatures.length];
    for (int f = 0; f < accs.length; f++) {
      accs[f] = new Accumulator();
      accs[f].reset(eventFeatures[f], span);
    }
    int[] low = new int[windows.length];
    int high = 0;
    Double[] eventValues = new Double[eventFeatures.length];

    int i = from;
    while (i < to) {
      long t = sorted.get(i).getEventTime();
      while (high < span && sorted.get(base + high).getEventTime() <= t) {
        CustomerEvent e = sorted.get(base + high);
        for (int f = 0; f < eventFeatures.length; f++) {
          if (eventFeatures[f].matches(e)) {
            accs[f].add(high, amounts[high]);
          }
        }
        high++;
      }
      for (int w = 0; w < windows.length; w++) {
        long start = windowStart(t, windows[w]);
        int[] members = featuresByWindow[w];
        while (low[w] < high && sorted.get(base + low[w]).getEventTime() <= start) {
          CustomerEvent e = sorted.get(base + low[w]);
          for (int f : members) {
            if (eventFeatures[f].matches(e)) {
              accs[f].remove(low[w], amounts[low[w]]);
            }
          }
          low[w]++;
        }
      }
      for (int f = 0; f < eventFeatures.length; f++) {
        eventValues[f] = accs[f].value();
      }
      // Every event sharing this timestamp gets the same window contents.
      while (i < to && sorted.get(i).getEventTime() == t) {
        CustomerEvent e = sorted.get(i);
        rows.add(
            new FeatureRow(
                e.getEventId(),
                customerKey,
                t,
                e.getEventType(),
                fingerprint,
                buildValues(eventValues, profile, t)));
        i++;
      }
    }
    return rows;
  }

  /**
   * {@code row} with its profile columns computed from {@code profile} (missing when null) as of
   * the row's event time, and its event columns kept. A streaming job can then compute event
   * features in keyed state and join the profile afterwards, and still get exactly the row that
   * {@link #rowsForSortedEvents} gives with the profile in hand.
   */
  public FeatureRow withProfile(FeatureRow row, @Nullable CustomerProfile profile) {
    Objects.requireNonNull(row, "row");
    if (!fingerprint.equals(row.getSpecFingerprint())) {
      throw new IllegalArgumentException(
          "row "
              + row.getEventId()
              + " was computed under spec "
              + row.getSpecFingerprint()
              + ", not "
              + fingerprint);
    }
    List<FeatureValue> values = row.getFeatures();
    if (values.size() != names.length) {
      throw new IllegalArgumentException(
          "row "
              + row.getEventId()
              + " has "
              + values.size()
              + " features, the spec "
              + names.length);
    }
    List<FeatureValue> joined = new ArrayList<>(values);
    for (int column = 0; column < names.length; column++) {
      if (!names[column].equals(values.get(column).getName())) {
        throw new IllegalArgumentException(
            "feature "
                + column
                + " of row "
                + row.getEventId()
                + " should be "
                + names[column]
                + " but is "
                + values.get(column).getName());
      }
      ProfileField field = profileColumns[column];
      if (field != null) {
        joined.set(column, field.value(profile, names[column], row.getEventTime()));
      }
    }
    return new FeatureRow(
        row.getEventId(),
        row.getCustomerKey(),
        row.getEventTime(),
        row.getEventType(),
        row.getSpecFingerprint(),
        joined);
  }

  private List<FeatureValue> buildValues(
      Double[] eventValues, @Nullable CustomerProfile profile, long asOfMillis) {
    List<FeatureValue> values = new ArrayList<>(names.length);
    for (int column = 0; column < names.length; column++) {
      ProfileField field = profileColumns[column];
      values.add(
          field == null
              ? new FeatureValue(names[column], eventValues[eventColumns[column]], null)
              : field.value(profile, names[column], asOfMillis));
    }
    return values;
  }

  private static List<CustomerEvent> randomAccess(List<CustomerEvent> events) {
    return events instanceof RandomAccess ? events : new ArrayList<>(events);
  }

  /** The amount an event adds to sum/mean/min/max, or NaN if it adds nothing. */
  private static double contribution(CustomerEvent e) {
    Double amount = e.getAmount();
    return amount == null || !Double.isFinite(amount) ? Double.NaN : amount;
  }

  /** The exclusive lower bound t - window, saturating instead of overflowing. */
  private static long windowStart(long t, long window) {
    return t < Long.MIN_VALUE + window ? Long.MIN_VALUE : t - window;
  }

  /**
   * The index of the first event in {@code sorted} after {@code time} (its size if none): events
   * before it are at or before {@code time}.
   */
  static int firstAfter(List<CustomerEvent> sorted, long time) {
    return firstAfter(sorted, time, 0, sorted.size());
  }

  /** The first index in [lo, hi) whose event time is after {@code time}, or hi. */
  private static int firstAfter(List<CustomerEvent> sorted, long time, int lo, int hi) {
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted.get(mid).getEventTime() <= time) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static void checkSorted(List<CustomerEvent> events, int from, int to) {
    for (int i = from + 1; i < to; i++) {
      if (events.get(i - 1).getEventTime() > events.get(i).getEventTime()) {
        throw new IllegalArgumentException(
            "events must be sorted by event time (see FeatureCalculator.sortedByTime);"
                + " event "
                + i
                + " is earlier than event "
                + (i - 1));
      }
    }
  }

  /** A compiled event feature: its filter, aggregation and window. */
  private static final class EventFeature implements Serializable {
    private static final long serialVersionUID = 1L;

    final FeatureDefinition def;
    final FeatureDefinition.Aggregation aggregation;
    final boolean zeroWhenEmpty;
    final long windowMillis;

    EventFeature(FeatureDefinition def) {
      this.def = def;
      this.aggregation = Objects.requireNonNull(def.aggregation());
      this.zeroWhenEmpty = def.whenEmpty() == FeatureDefinition.WhenEmpty.zero;
      this.windowMillis = def.windowMillis();
    }

    boolean matches(CustomerEvent e) {
      return def.matches(e.getEventType(), e.getChannel());
    }
  }

  /** A compiled profile feature. */
  /**
   * The running aggregate of one event feature over a window that gains events at its end and loses
   * them at its start, in index order. Min and max keep a monotonic deque of indices.
   */
  private static final class Accumulator {
    private EventFeature feature;
    private long matched;
    private long contributing;
    private double sum;
    private double compensation;
    private int @Nullable [] deque;
    private double @Nullable [] dequeValues;
    private int head;
    private int tail;

    void reset(EventFeature feature, int capacity) {
      this.feature = feature;
      matched = 0;
      contributing = 0;
      sum = 0;
      compensation = 0;
      head = 0;
      tail = 0;
      boolean extreme =
          feature.aggregation == FeatureDefinition.Aggregation.min
              || feature.aggregation == FeatureDefinition.Aggregation.max;
      if (extreme && (deque == null || deque.length < capacity)) {
        deque = new int[capacity];
        dequeValues = new double[capacity];
      }
    }

    /** Adds the event at {@code index}; indices must be added in increasing order. */
    void add(int index, double amount) {
      matched++;
      if (Double.isNaN(amount)) {
        return;
      }
      contributing++;
      addToSum(amount);
      if (deque != null && isExtreme()) {
        boolean min = feature.aggregation == FeatureDefinition.Aggregation.min;
        while (tail > head
            && (min ? dequeValues[tail - 1] >= amount : dequeValues[tail - 1] <= amount)) {
          tail--;
        }
        deque[tail] = index;
        dequeValues[tail] = amount;
        tail++;
      }
    }

    /** Removes the event at {@code index}, the oldest still in the window. */
    void remove(int index, double amount) {
      matched--;
      if (Double.isNaN(amount)) {
        return;
      }
      contributing--;
      if (contributing == 0) {
        sum = 0;
        compensation = 0;
      } else {
        addToSum(-amount);
      }
      if (deque != null && isExtreme() && head < tail && deque[head] == index) {
        head++;
      }
    }

    @Nullable Double value() {
      boolean empty =
          feature.aggregation == FeatureDefinition.Aggregation.count
              ? matched == 0
              : contributing == 0;
      if (empty) {
        return feature.zeroWhenEmpty ? 0.0 : null;
      }
      switch (feature.aggregation) {
        case count:
          return (double) matched;
        case sum:
          return sum + compensation;
        case mean:
          return (sum + compensation) / contributing;
        case min:
        case max:
          return dequeValues[head];
        default:
          throw new IllegalStateException("unknown aggregation " + feature.aggregation);
      }
    }

    private boolean isExtreme() {
      return feature.aggregation == FeatureDefinition.Aggregation.min
          || feature.aggregation == FeatureDefinition.Aggregation.max;
    }

    /** Neumaier's compensated addition: the rounding error of each step goes to compensation. */
    private void addToSum(double x) {
      double s = sum + x;
      if (Math.abs(sum) >= Math.abs(x)) {
        compensation += (sum - s) + x;
      } else {
        compensation += (x - s) + sum;
      }
      sum = s;
    }
  }

  /** Total, deterministic order of events; a named class so it stays serializable. */
  private static final class EventOrder implements Comparator<CustomerEvent>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(CustomerEvent a, CustomerEvent b) {
      int c = Long.compare(a.getEventTime(), b.getEventTime());
      if (c == 0) {
        c = a.getEventId().compareTo(b.getEventId());
      }
      if (c == 0) {
        c = a.getEventType().compareTo(b.getEventType());
      }
      if (c == 0) {
        c = compareNullable(a.getChannel(), b.getChannel());
      }
      if (c == 0) {
        c = compareNullable(a.getAmount(), b.getAmount());
      }
      if (c == 0) {
        c = a.getCustomerKey().compareTo(b.getCustomerKey());
      }
      return c;
    }

    private static <T extends Comparable<T>> int compareNullable(@Nullable T a, @Nullable T b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : -1) : 1;
      }
      return a.compareTo(b);
    }
  }
}
