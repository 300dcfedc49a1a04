package io.beamml.testdata;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a complete, deterministic data set in the contract's formats: clicks (JSON Lines), nightly
 * sales dumps (CSV, one per day), profiles and promotion responses (CSV), the true response
 * probabilities, and a manifest with exact counts. Everything is derived from the seed; nothing
 * reads the clock.
 *
 * <p>Layout under the output directory: {@code clicks/clicks-0000.jsonl}..., {@code
 * sales/sales-YYYY-MM-DD.csv}, {@code profiles/profiles.csv}, {@code responses/responses.csv},
 * {@code truth/response_probabilities.csv}, {@code manifest.json}.
 */
public final class DataGenerator {
  public static final String CLICKS_DIR = "clicks";
  public static final String SALES_DIR = "sales";
  public static final String PROFILES_FILE = "profiles/profiles.csv";
  public static final String RESPONSES_FILE = "responses/responses.csv";
  public static final String TRUTH_FILE = "truth/response_probabilities.csv";
  public static final String MANIFEST_FILE = "manifest.json";

  public static final String SALES_HEADER =
      "order_id,customer_id,product_id,quantity,amount,currency,order_time";
  public static final String PROFILES_HEADER = "customer_id,age,gender,country,signup_date";
  public static final String RESPONSES_HEADER = "promo_id,customer_id,sent_time,responded";
  public static final String TRUTH_HEADER = "promo_id,customer_id,probability";

  /** Roughly how many lines go into one clicks file. */
  static final int CLICK_LINES_PER_FILE = 250_000;

  private DataGenerator() {}

  /** The file name of clicks part {@code part}, relative to the output directory. */
  public static String clicksFile(int part) {
    StringBuilder sb = new StringBuilder(CLICKS_DIR).append("/clicks-");
    Text.appendPadded(sb, part, 4);
    return sb.append(".jsonl").toString();
  }

  /** The file name of the sales dump of {@code epochDay}, relative to the output directory. */
  public static String salesFile(long epochDay) {
    StringBuilder sb = new StringBuilder(SALES_DIR).append("/sales-");
    IsoTime.appendDate(sb, epochDay);
    return sb.append(".csv").toString();
  }

  /**
   * Generates the data set described by {@code config} into {@code outDir} (created if needed).
   * Earlier clicks and sales parts in {@code outDir} are removed first so a smaller run never
   * leaves stale files behind; nothing else there is touched.
   */
  public static GenerationManifest generate(GeneratorConfig config, Path outDir)
      throws IOException {
    Files.createDirectories(outDir);
    removeStaleParts(outDir.resolve(CLICKS_DIR), "clicks-*.jsonl");
    removeStaleParts(outDir.resolve(SALES_DIR), "sales-*.csv");

    Rng root = new Rng(config.seed());
    Rng populationRng = root.split();
    Rng catalogRng = root.split();
    Rng behaviourRng = root.split();
    Rng promoRng = root.split();
    Rng badRng = root.split();
    Rng duplicateRng = root.split();
    Rng layoutRng = root.split();

    Catalog catalog = Catalog.generate(catalogRng);
    Population population = Population.generate(config, populationRng);
    ClickLog clicks = new ClickLog();
    OrderLog orders = new OrderLog();
    ShoppingSimulator.simulate(config, population, catalog, behaviourRng, clicks, orders);
    CustomerActivity activity = CustomerActivity.of(population.size, clicks, orders);
    Promotions promos = Promotions.generate(config, population, activity, promoRng);

    BadRowFactory badRows = new BadRowFactory(config, population, catalog, badRng);
    Map<String, SourceCounts> sources = new LinkedHashMap<>();
    sources.put(
        GenerationManifest.CLICKS,
        writeClicks(config, outDir, clicks, badRows, duplicateRng.split(), layoutRng.split()));
    sources.put(
        GenerationManifest.SALES,
        writeSales(config, outDir, orders, badRows, duplicateRng.split(), layoutRng.split()));
    sources.put(
        GenerationManifest.PROFILES,
        writeProfiles(
            config, outDir, population, badRows, duplicateRng.split(), layoutRng.split()));
    sources.put(
        GenerationManifest.RESPONSES,
        writeResponses(config, outDir, promos, badRows, duplicateRng.split(), layoutRng.split()));
    writeTruth(outDir, promos);

    GenerationManifest manifest =
        manifest(config, sources, population, clicks, orders, activity, promos);
    Files.write(outDir.resolve(MANIFEST_FILE), manifest.toJson().getBytes(StandardCharsets.UTF_8));
    return manifest;
  }

  private static SourceCounts writeClicks(
      GeneratorConfig config,
      Path outDir,
      ClickLog clicks,
      BadRowFactory badRows,
      Rng duplicateRng,
      Rng layoutRng)
      throws IOException {
    int valid = clicks.size();
    int[] duplicates = Duplicates.pick(valid, config.duplicateRate(), duplicateRng);
    BadRows bad = badRows.clicks(valid, clicks.sessions());
    int[] entries = entries(valid, duplicates, bad);
    layoutRng.shuffle(entries, 0, entries.length);
    int parts =
        entries.length < 2
            ? 1
            : Math.max(2, Math.min(16, ceilDiv(entries.length, CLICK_LINES_PER_FILE)));
    SourceWriter writer =
        new SourceWriter(outDir, GenerationManifest.CLICKS, clicks::appendJson, bad, layoutRng);
    for (int part = 0; part < parts; part++) {
      int from = (int) ((long) part * entries.length / parts);
      int to = (int) ((long) (part + 1) * entries.length / parts);
      writer.writeFile(clicksFile(part), null, entries, from, to);
    }
    return writer.counts(valid, duplicates.length);
  }

  private static SourceCounts writeSales(
      GeneratorConfig config,
      Path outDir,
      OrderLog orders,
      BadRowFactory badRows,
      Rng duplicateRng,
      Rng layoutRng)
      throws IOException {
    int valid = orders.size();
    long startDay = config.startDate().toEpochDay();
    int[] orderDay = new int[valid];
    for (int i = 0; i < valid; i++) {
      long day = Math.floorDiv(orders.time(i), IsoTime.MS_PER_DAY) - startDay;
      if (day < 0 || day >= config.days()) {
        throw new IllegalStateException("order outside the period: " + orders.time(i));
      }
      orderDay[i] = (int) day;
    }
    int[] duplicates = Duplicates.pick(valid, config.duplicateRate(), duplicateRng);
    BadRows bad = badRows.sales(valid, orderDay);

    int[] start = new int[config.days() + 1];
    for (int i = 0; i < valid; i++) {
      start[orderDay[i] + 1]++;
    }
    for (int original : duplicates) {
      start[orderDay[original] + 1]++;
    }
    for (int k = 0; k < bad.size(); k++) {
      start[bad.day(k) + 1]++;
    }
    for (int d = 1; d <= config.days(); d++) {
      start[d] += start[d - 1];
    }
    int[] fill = start.clone();
    int[] entries = new int[start[config.days()]];
    for (int i = 0; i < valid; i++) {
      entries[fill[orderDay[i]]++] = i;
    }
    for (int original : duplicates) {
      entries[fill[orderDay[original]]++] = original;
    }
    for (int k = 0; k < bad.size(); k++) {
      entries[fill[bad.day(k)]++] = -k - 1;
    }
    SourceWriter writer =
        new SourceWriter(outDir, GenerationManifest.SALES, orders::appendCsv, bad, layoutRng);
    for (int d = 0; d < config.days(); d++) {
      writer.writeFile(salesFile(startDay + d), SALES_HEADER, entries, start[d], start[d + 1]);
    }
    return writer.counts(valid, duplicates.length);
  }

  private static SourceCounts writeProfiles(
      GeneratorConfig config,
      Path outDir,
      Population population,
      BadRowFactory badRows,
      Rng duplicateRng,
      Rng layoutRng)
      throws IOException {
    int[] withProfile = new int[population.size];
    int valid = 0;
    for (int c = 0; c < population.size; c++) {
      if (population.hasProfile[c]) {
        withProfile[valid++] = c;
      }
    }
    int[] duplicates = Duplicates.pick(valid, config.duplicateRate(), duplicateRng);
    BadRows bad = badRows.profiles(valid);
    int[] entries = new int[valid + duplicates.length + bad.size()];
    System.arraycopy(withProfile, 0, entries, 0, valid);
    for (int i = 0; i < duplicates.length; i++) {
      entries[valid + i] = withProfile[duplicates[i]];
    }
    for (int k = 0; k < bad.size(); k++) {
      entries[valid + duplicates.length + k] = -k - 1;
    }
    SourceWriter writer =
        new SourceWriter(
            outDir, GenerationManifest.PROFILES, population::appendProfileCsv, bad, layoutRng);
    writer.writeFile(PROFILES_FILE, PROFILES_HEADER, entries, 0, entries.length);
    return writer.counts(valid, duplicates.length);
  }

  private static SourceCounts writeResponses(
      GeneratorConfig config,
      Path outDir,
      Promotions promos,
      BadRowFactory badRows,
      Rng duplicateRng,
      Rng layoutRng)
      throws IOException {
    int valid = promos.size();
    int[] duplicates = Duplicates.pick(valid, config.duplicateRate(), duplicateRng);
    BadRows bad = badRows.responses(promos);
    int[] entries = entries(valid, duplicates, bad);
    SourceWriter writer =
        new SourceWriter(outDir, GenerationManifest.RESPONSES, promos::appendCsv, bad, layoutRng);
    writer.writeFile(RESPONSES_FILE, RESPONSES_HEADER, entries, 0, entries.length);
    return writer.counts(valid, duplicates.length);
  }

  /** The truth file is for evaluation, not input: ordered by promo id, {@code \n} endings. */
  private static void writeTruth(Path outDir, Promotions promos) throws IOException {
    Path file = outDir.resolve(TRUTH_FILE);
    Files.createDirectories(file.getParent());
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write(TRUTH_HEADER);
      out.write('\n');
      StringBuilder sb = new StringBuilder(64);
      for (int i = 0; i < promos.size(); i++) {
        sb.setLength(0);
        promos.appendTruth(i, sb);
        out.append(sb).append('\n');
      }
    }
  }

  private static GenerationManifest manifest(
      GeneratorConfig config,
      Map<String, SourceCounts> sources,
      Population population,
      ClickLog clicks,
      OrderLog orders,
      CustomerActivity activity,
      Promotions promos) {
    long[] byType = new long[ClickLog.TYPES.length];
    for (int i = 0; i < clicks.size(); i++) {
      byType[clicks.type(i)]++;
    }
    Map<String, Long> events = new LinkedHashMap<>();
    for (int t = 0; t < byType.length; t++) {
      events.put(ClickLog.TYPES[t], byType[t]);
    }
    events.put("order", (long) orders.size());
    long withEvents = 0;
    long withProfile = 0;
    long profileNoEvents = 0;
    for (int c = 0; c < population.size; c++) {
      withEvents += activity.hasEvents(c) ? 1 : 0;
      withProfile += population.hasProfile[c] ? 1 : 0;
      profileNoEvents += population.hasProfile[c] && !activity.hasEvents(c) ? 1 : 0;
    }
    long responded = 0;
    long toNoEvents = 0;
    double sumP = 0;
    for (int i = 0; i < promos.size(); i++) {
      responded += promos.responded(i) ? 1 : 0;
      toNoEvents += activity.hasEvents(promos.customer(i)) ? 0 : 1;
      sumP += promos.probability(i);
    }
    return new GenerationManifest(
        config,
        sources,
        events,
        withEvents,
        withProfile,
        profileNoEvents,
        promos.size(),
        responded,
        toNoEvents,
        promos.size() == 0 ? 0.0 : sumP / promos.size());
  }

  private static int[] entries(int valid, int[] duplicates, BadRows bad) {
    int[] entries = new int[valid + duplicates.length + bad.size()];
    for (int i = 0; i < valid; i++) {
      entries[i] = i;
    }
    System.arraycopy(duplicates, 0, entries, valid, duplicates.length);
    for (int k = 0; k < bad.size(); k++) {
      entries[valid + duplicates.length + k] = -k - 1;
    }
    return entries;
  }

  private static void removeStaleParts(Path dir, String glob) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, glob)) {
      for (Path p : stale) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
