package io.beamml.testdata;

import java.util.SplittableRandom;

/**
 * The generator's only source of randomness. Every draw is derived from {@link
 * SplittableRandom#nextLong()} with arithmetic written here, so the output depends on the seed
 * alone and not on how a JDK implements bounded or Gaussian draws.
 */
final class Rng {
  private static final double UNIT = 0x1.0p-53;

  private final SplittableRandom random;

  Rng(long seed) {
    this(new SplittableRandom(seed));
  }

  private Rng(SplittableRandom random) {
    this.random = random;
  }

  /** An independent stream; the parent advances by one draw. */
  Rng split() {
    return new Rng(new SplittableRandom(random.nextLong()));
  }

  long nextLong() {
    return random.nextLong();
  }

  /** Uniform in [0, 1). */
  double nextDouble() {
    return (random.nextLong() >>> 11) * UNIT;
  }

  /** Uniform in [0, bound). */
  int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return (int) ((random.nextLong() >>> 33) * bound >>> 31);
  }

  /** Uniform in [0, bound). */
  long nextLong(long bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound must be positive: " + bound);
    }
    return (long) (nextDouble() * bound);
  }

  /** Uniform in [from, to]. */
  int between(int from, int to) {
    return from + nextInt(to - from + 1);
  }

  boolean chance(double probability) {
    return nextDouble() < probability;
  }

  /** Standard normal draw (Box-Muller, one value per call). */
  double gaussian() {
    double u = 1.0 - nextDouble();
    double v = nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
  }

  /** Poisson draw by inversion; the rates used here are small. */
  int poisson(double mean) {
    if (mean <= 0) {
      return 0;
    }
    double limit = Math.exp(-mean);
    double product = nextDouble();
    int count = 0;
    while (product > limit) {
      product *= nextDouble();
      count++;
    }
    return count;
  }

  /** Number of failures before the first success, capped. */
  int geometric(double success, int cap) {
    int count = 0;
    while (count < cap && !chance(success)) {
      count++;
    }
    return count;
  }

  /** Index drawn with the given (not necessarily normalised) weights. */
  int pick(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double x = nextDouble() * total;
    for (int i = 0; i < weights.length - 1; i++) {
      x -= weights[i];
      if (x < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** Fisher-Yates shuffle of {@code values[from, to)}. */
  void shuffle(int[] values, int from, int to) {
    for (int i = to - 1; i > from; i--) {
      int j = from + nextInt(i - from + 1);
      int tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
  }
}
