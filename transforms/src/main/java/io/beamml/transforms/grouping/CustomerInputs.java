package io.beamml.transforms.grouping;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.LabelledPromo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The per-customer inputs of the batch joins, all keyed by customer_key: cleaned events and
 * profiles, and for training sets the labelled promotions. Feature rows and point-in-time training
 * sets take this one input and group it with {@link GroupByCustomer}.
 *
 * <pre>{@code
 * CustomerInputs.of(events, profiles).apply("ComputeCustomerFeatures", CustomerFeatures.of(spec));
 * CustomerInputs.of(events, profiles).withPromos(promos).apply("Build", PointInTimeTrainingSet.of(spec));
 * }</pre>
 */
public final class CustomerInputs implements PInput {

  static final TupleTag<CustomerProfile> PROFILES = new TupleTag<>("profiles");
  static final TupleTag<LabelledPromo> PROMOS = new TupleTag<>("promos");

  private final List<PCollection<CustomerEvent>> events;
  private final PCollection<CustomerProfile> profiles;
  private final @Nullable PCollection<LabelledPromo> promos;

  private CustomerInputs(
      List<PCollection<CustomerEvent>> events,
      PCollection<CustomerProfile> profiles,
      @Nullable PCollection<LabelledPromo> promos) {
    this.events = events;
    this.profiles = profiles;
    this.promos = promos;
  }

  public static CustomerInputs of(
      PCollection<CustomerEvent> events, PCollection<CustomerProfile> profiles) {
    Objects.requireNonNull(events, "events");
    return of(PCollectionList.of(events), profiles);
  }

  /**
   * Events of several sources (clicks, sales), grouped as they are: the grouping tags each and
   * flattens all its inputs once. Flattening the events first would cost a second flatten, which on
   * Flink's batch runner is an encoded copy of every event.
   */
  public static CustomerInputs of(
      PCollectionList<CustomerEvent> events, PCollection<CustomerProfile> profiles) {
    Objects.requireNonNull(events, "events");
    Objects.requireNonNull(profiles, "profiles");
    if (events.size() == 0) {
      throw new IllegalArgumentException("give at least one collection of events");
    }
    for (PCollection<CustomerEvent> source : events.getAll()) {
      if (source.getPipeline() != profiles.getPipeline()) {
        throw new IllegalArgumentException("events and profiles belong to different pipelines");
      }
    }
    return new CustomerInputs(events.getAll(), profiles, null);
  }

  /** The same inputs with the labelled promotions a training set is built for. */
  public CustomerInputs withPromos(PCollection<LabelledPromo> value) {
    Objects.requireNonNull(value, "promos");
    if (value.getPipeline() != profiles.getPipeline()) {
      throw new IllegalArgumentException(
          "events, profiles and promos belong to different pipelines");
    }
    return new CustomerInputs(events, profiles, value);
  }

  /** The events, one collection per source. */
  public List<PCollection<CustomerEvent>> events() {
    return events;
  }

  public PCollection<CustomerProfile> profiles() {
    return profiles;
  }

  /** The promotions; fails for inputs made without {@link #withPromos}. */
  public PCollection<LabelledPromo> promos() {
    if (promos == null) {
      throw new IllegalArgumentException(
          "these customer inputs have no promotions: use withPromos(...)");
    }
    return promos;
  }

  public boolean hasPromos() {
    return promos != null;
  }

  public <OutputT extends POutput> OutputT apply(
      String name, PTransform<? super CustomerInputs, OutputT> transform) {
    return Pipeline.applyTransform(name, this, transform);
  }

  @Override
  public Pipeline getPipeline() {
    return profiles.getPipeline();
  }

  @Override
  public Map<TupleTag<?>, PValue> expand() {
    Map<TupleTag<?>, PValue> map = new LinkedHashMap<>();
    for (int i = 0; i < events.size(); i++) {
      map.put(new TupleTag<CustomerEvent>("events" + i), events.get(i));
    }
    map.put(PROFILES, profiles);
    if (promos != null) {
      map.put(PROMOS, promos);
    }
    return map;
  }
}
