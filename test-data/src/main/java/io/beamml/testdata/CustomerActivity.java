package io.beamml.testdata;

import java.util.Arrays;

/**
 * Each customer's valid clicks, add-to-carts and orders as sorted times, to count what a customer
 * did in a window {@code (t - w, t]} of event time: the same rule the feature pipeline uses.
 */
final class CustomerActivity {
  static final long DAY_MS = IsoTime.MS_PER_DAY;

  private final TimeIndex clicks;
  private final TimeIndex carts;
  private final TimeIndex orders;
  private final boolean[] hasEvents;

  private CustomerActivity(
      TimeIndex clicks, TimeIndex carts, TimeIndex orders, boolean[] hasEvents) {
    this.clicks = clicks;
    this.carts = carts;
    this.orders = orders;
    this.hasEvents = hasEvents;
  }

  static CustomerActivity of(int customers, ClickLog clickLog, OrderLog orderLog) {
    TimeIndex clicks = new TimeIndex(customers);
    TimeIndex carts = new TimeIndex(customers);
    TimeIndex orders = new TimeIndex(customers);
    boolean[] hasEvents = new boolean[customers];
    for (int i = 0; i < clickLog.size(); i++) {
      hasEvents[clickLog.customer(i)] = true;
      if (clickLog.type(i) == ClickLog.CLICK) {
        clicks.count(clickLog.customer(i));
      } else if (clickLog.type(i) == ClickLog.ADD_TO_CART) {
        carts.count(clickLog.customer(i));
      }
    }
    for (int i = 0; i < orderLog.size(); i++) {
      hasEvents[orderLog.customer(i)] = true;
      orders.count(orderLog.customer(i));
    }
    clicks.allocate();
    carts.allocate();
    orders.allocate();
    for (int i = 0; i < clickLog.size(); i++) {
      if (clickLog.type(i) == ClickLog.CLICK) {
        clicks.put(clickLog.customer(i), clickLog.time(i));
      } else if (clickLog.type(i) == ClickLog.ADD_TO_CART) {
        carts.put(clickLog.customer(i), clickLog.time(i));
      }
    }
    for (int i = 0; i < orderLog.size(); i++) {
      orders.put(orderLog.customer(i), orderLog.time(i));
    }
    clicks.sort();
    carts.sort();
    orders.sort();
    return new CustomerActivity(clicks, carts, orders, hasEvents);
  }

  boolean hasEvents(int customer) {
    return hasEvents[customer];
  }

  int clicks(int customer, long asOf, int days) {
    return clicks.countIn(customer, asOf - days * DAY_MS, asOf);
  }

  int carts(int customer, long asOf, int days) {
    return carts.countIn(customer, asOf - days * DAY_MS, asOf);
  }

  int orders(int customer, long asOf, int days) {
    return orders.countIn(customer, asOf - days * DAY_MS, asOf);
  }

  /** Times grouped by customer (compressed rows), sorted within each customer. */
  private static final class TimeIndex {
    private final int[] start;
    private int[] fill;
    private long[] times;

    TimeIndex(int customers) {
      start = new int[customers + 1];
    }

    void count(int customer) {
      start[customer + 1]++;
    }

    void allocate() {
      for (int c = 1; c < start.length; c++) {
        start[c] += start[c - 1];
      }
      fill = Arrays.copyOf(start, start.length - 1);
      times = new long[start[start.length - 1]];
    }

    void put(int customer, long time) {
      times[fill[customer]++] = time;
    }

    void sort() {
      for (int c = 0; c + 1 < start.length; c++) {
        Arrays.sort(times, start[c], start[c + 1]);
      }
      fill = null;
    }

    /** Number of times in {@code (fromExclusive, toInclusive]}. */
    int countIn(int customer, long fromExclusive, long toInclusive) {
      int from = start[customer];
      int to = start[customer + 1];
      return upperBound(from, to, toInclusive) - upperBound(from, to, fromExclusive);
    }

    /** First index in [from, to) whose time is greater than {@code value}. */
    private int upperBound(int from, int to, long value) {
      int lo = from;
      int hi = to;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (times[mid] <= value) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }
  }
}
