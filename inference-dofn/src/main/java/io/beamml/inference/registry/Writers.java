package io.beamml.inference.registry;

import java.lang.management.ManagementFactory;

/** Who is writing, for claim and lock files a person may have to read: user, process and thread. */
final class Writers {

  private Writers() {}

  static String id() {
    return System.getProperty("user.name")
        + "@"
        + ManagementFactory.getRuntimeMXBean().getName()
        + "/"
        + Thread.currentThread().getName();
  }
}
