package io.beamml.serving;

import io.beamml.inference.LoadedModel;
import io.beamml.inference.TopContributions;
import io.beamml.schemas.Contribution;
import io.beamml.schemas.FeatureValue;
import io.beamml.serving.store.RedisOnlineStore;
import io.beamml.serving.store.StoredCustomer;
import io.beamml.transforms.features.FeatureCalculator;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Scores customers as of the times asked: one round trip to the online store for all of them,
 * features from the stored events and profile by the same {@link FeatureCalculator#asOf} that
 * builds training examples (events with event time in (t - window, t], the model's own spec), then
 * one batched predict per model. This is what makes serving agree with training: the same
 * definition over the same events.
 */
public final class OnlineScorer {

  /** Hooks for timing the two costly steps (metrics and traces). */
  public interface Timing {
    Timing NONE = new Timing() {};

    default void redisRead(long nanos, int customers) {}

    default void predicted(ServingModels.Active model, int rows) {}
  }

  private final RedisOnlineStore store;
  private final ServingModels models;
  private final Map<String, FeatureCalculator> calculators = new ConcurrentHashMap<>();

  public OnlineScorer(RedisOnlineStore store, ServingModels models) {
    this.store = store;
    this.models = models;
  }

  public ServingModels models() {
    return models;
  }

  public RedisOnlineStore store() {
    return store;
  }

  public List<ScoreResult> score(List<ScoreRequest> requests, Timing timing) {
    List<String> keys = new ArrayList<>(requests.size());
    for (ScoreRequest r : requests) {
      keys.add(r.customerKey());
    }
    long start = System.nanoTime();
    List<StoredCustomer> stored;
    try {
      stored = store.readAll(keys);
    } catch (JedisException e) {
      throw new ServingException(
          503, "the online store does not answer: " + e.getClass().getSimpleName(), e);
    }
    timing.redisRead(System.nanoTime() - start, keys.size());

    // Group rows by the model that scores them, keeping each row's place in the answer.
    Map<ServingModels.Active, List<Integer>> byModel = new IdentityHashMap<>();
    ServingModels.Active[] chosen = new ServingModels.Active[requests.size()];
    for (int i = 0; i < requests.size(); i++) {
      chosen[i] = models.forCustomer(keys.get(i));
      byModel.computeIfAbsent(chosen[i], m -> new ArrayList<>()).add(i);
    }
    ScoreResult[] results = new ScoreResult[requests.size()];
    for (Map.Entry<ServingModels.Active, List<Integer>> group : byModel.entrySet()) {
      scoreGroup(group.getKey(), group.getValue(), requests, stored, results, timing);
    }
    return List.of(results);
  }

  private void scoreGroup(
      ServingModels.Active active,
      List<Integer> rows,
      List<ScoreRequest> requests,
      List<StoredCustomer> stored,
      ScoreResult[] results,
      Timing timing) {
    LoadedModel model = active.model();
    FeatureCalculator calculator =
        calculators.computeIfAbsent(
            model.specFingerprint(), f -> FeatureCalculator.of(model.spec()));
    int width = model.width();
    float[] matrix = new float[rows.size() * width];
    List<List<FeatureValue>> features = new ArrayList<>(rows.size());
    int explained = 0;
    for (int r = 0; r < rows.size(); r++) {
      int i = rows.get(r);
      StoredCustomer customer = stored.get(i);
      if (customer.specFingerprint() != null
          && !customer.specFingerprint().equals(model.specFingerprint())) {
        throw new ServingException(
            409,
            "the online store keeps history for feature spec "
                + customer.specFingerprint()
                + ", but model "
                + active.name()
                + ":"
                + active.version()
                + " expects "
                + model.specFingerprint()
                + "; rebuild the store (materialize) for the model's spec");
      }
      List<FeatureValue> values =
          calculator.asOf(customer.events(), customer.profile(), requests.get(i).asOfMillis());
      model.vectorizer().fill(values, matrix, r * width);
      features.add(values);
      if (requests.get(i).explain() > 0) {
        explained++;
      }
    }
    float[] scores = model.predict(matrix, rows.size());
    float[][] contributions = explained > 0 ? model.contributions(matrix, rows.size()) : null;
    timing.predicted(active, rows.size());
    List<String> names = model.vectorizer().featureNames();
    for (int r = 0; r < rows.size(); r++) {
      int i = rows.get(r);
      ScoreRequest request = requests.get(i);
      List<Contribution> top =
          request.explain() > 0
              ? TopContributions.of(contributions[r], names, request.explain())
              : null;
      StoredCustomer customer = stored.get(i);
      results[i] =
          new ScoreResult(
              request,
              active,
              scores[r],
              features.get(r),
              customer.known(),
              customer.profile() != null,
              top);
    }
  }
}
