package io.beamml.serving.store;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.transforms.features.FeatureSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

public class RedisOnlineStoreTest {

  private static LocalRedis redis;

  @BeforeClass
  public static void startRedis() {
    redis = LocalRedis.start();
  }

  @AfterClass
  public static void stopRedis() {
    redis.close();
  }

  private static final long DAY = 86_400_000L;
  private static final long T0 = 1_700_000_000_000L;

  private static OnlineStoreConfig config(String prefix) {
    return OnlineStoreConfig.forSpec(redis.uri(), FeatureSpec.defaultSpec(), Duration.ofDays(1))
        .withPrefix(prefix);
  }

  private static CustomerEvent event(String key, String id, long time, String type, Double amount) {
    return new CustomerEvent(id, key, type, time, amount, "web");
  }

  @Test
  public void keepsTheLongestWindowBeforeTheNewestEventWhateverTheOrderAndRepeats() {
    List<CustomerEvent> events = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      events.add(
          event(
              "k1",
              "e" + i,
              T0 + i * DAY / 3,
              i % 4 == 0 ? "order" : "view",
              i % 4 == 0 ? 10.0 + i : null));
    }
    long newest = T0 + 39 * DAY / 3;
    List<String> expectedIds =
        events.stream()
            .filter(e -> e.getEventTime() > newest - 7 * DAY)
            .map(CustomerEvent::getEventId)
            .collect(Collectors.toList());

    try (RedisOnlineStore inOrder = RedisOnlineStore.connect(config("a:"));
        RedisOnlineStore shuffled = RedisOnlineStore.connect(config("b:"))) {
      inOrder.writeEvents(events);
      List<CustomerEvent> twiceShuffled = new ArrayList<>(events);
      twiceShuffled.addAll(events);
      Collections.shuffle(twiceShuffled, new Random(7));
      for (int i = 0; i < twiceShuffled.size(); i += 9) {
        shuffled.writeEvents(twiceShuffled.subList(i, Math.min(i + 9, twiceShuffled.size())));
      }

      StoredCustomer a = inOrder.read("k1");
      assertThat(
          a.events().stream().map(CustomerEvent::getEventId).collect(Collectors.toList()),
          contains(expectedIds.toArray()));
      assertThat(a.events().get(0).getCustomerKey(), is("k1"));
      assertThat(a.specFingerprint(), is(FeatureSpec.defaultSpec().fingerprint()));
      assertThat(a.events(), equalTo(shuffled.read("k1").events()));
      assertThat(
          inOrder.snapshot().values().stream().collect(Collectors.toList()),
          equalTo(shuffled.snapshot().values().stream().collect(Collectors.toList())));
      assertThat(
          inOrder.ttlSeconds(inOrder.config().eventsKey("k1")),
          allOf(greaterThan(7 * 86_400L), lessThanOrEqualTo(8 * 86_400L)));
    }
  }

  @Test
  public void profilesReplaceAndUnknownCustomersReadAsUnknown() {
    try (RedisOnlineStore store = RedisOnlineStore.connect(config("p:"))) {
      store.writeProfiles(List.of(new CustomerProfile("k2", 30, "F", "DE", 19000)));
      store.writeProfiles(List.of(new CustomerProfile("k2", 31, "F", "DE", 19000)));
      StoredCustomer stored = store.read("k2");
      assertThat(stored.known(), is(true));
      assertThat(stored.profile().getAge(), is(31));
      assertThat(stored.events().size(), is(0));
      assertThat(store.read("nobody"), is(StoredCustomer.UNKNOWN));
      assertThat(store.read("nobody").profile(), nullValue());
      assertThat(store.ttlSeconds(store.config().customerKey("k2")), greaterThan(7 * 86_400L));
    }
  }
}
