package io.beamml.training.data;

import io.beamml.schemas.TrainingExample;
import io.beamml.transforms.features.FeatureSpec;
import io.beamml.transforms.features.FeatureVectorizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.file.DataFileStream;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Reads a training-set directory ({@code DIR/examples/*.avro} of {@link TrainingExample}, and
 * optionally {@code DIR/spec.json}) through Beam's FileSystems, so a {@code gs://} set reads the
 * same as a local one. Training runs in one JVM, so the whole set is held in memory.
 *
 * <p>Every example must carry the fingerprint of the spec it is read under: a set that mixes specs,
 * or was built under another spec, is refused rather than vectorized into wrong columns.
 */
public final class TrainingSetReader {

  public static final String EXAMPLES_GLOB = "examples/*.avro";
  public static final String SPEC_FILE = "spec.json";

  private final String directory;
  private final @Nullable FeatureSpec spec;

  private TrainingSetReader(String directory, @Nullable FeatureSpec spec) {
    this.directory = directory;
    this.spec = spec;
  }

  public static TrainingSetReader of(String directory) {
    if (directory == null || directory.isBlank()) {
      throw new IllegalArgumentException("a training-set directory is required");
    }
    return new TrainingSetReader(trimSlash(directory), null);
  }

  /** Reads under this spec instead of DIR/spec.json or the default spec. */
  public TrainingSetReader withSpec(FeatureSpec spec) {
    return new TrainingSetReader(directory, spec);
  }

  public TrainingSet read() {
    PublishedRun.requireCompleteIfRunOutput(directory, "training set");
    FeatureSpec readSpec = resolveSpec();
    FeatureVectorizer vectorizer = new FeatureVectorizer(readSpec);
    List<MatchResult.Metadata> files = match(directory + "/" + EXAMPLES_GLOB);
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "no training examples under " + directory + "/" + EXAMPLES_GLOB);
    }
    EnumMap<Split, List<Row>> bySplit = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      bySplit.put(s, new ArrayList<>());
    }
    Map<String, Long> fingerprints = new TreeMap<>();
    Digests digests = new Digests();
    for (MatchResult.Metadata file : files) {
      readFile(file, vectorizer, bySplit, fingerprints, digests);
    }
    checkFingerprints(readSpec, fingerprints);

    List<byte[]> all = new ArrayList<>();
    EnumMap<Split, SplitRows> splits = new EnumMap<>(Split.class);
    for (Split s : Split.values()) {
      List<Row> rows = bySplit.get(s);
      rows.sort(CANONICAL);
      for (Row r : rows) {
        all.add(r.digest);
      }
      splits.put(s, toSplitRows(s, rows, vectorizer.width()));
    }
    return new TrainingSet(directory, readSpec, splits, combine(all));
  }

  private FeatureSpec resolveSpec() {
    if (spec != null) {
      return spec;
    }
    String specPath = directory + "/" + SPEC_FILE;
    return match(specPath).isEmpty() ? FeatureSpec.defaultSpec() : FeatureSpec.load(specPath);
  }

  private String specSource() {
    if (spec != null) {
      return "the given spec";
    }
    return match(directory + "/" + SPEC_FILE).isEmpty()
        ? "the default spec (no " + SPEC_FILE + " in " + directory + ")"
        : directory + "/" + SPEC_FILE;
  }

  private void readFile(
      MatchResult.Metadata file,
      FeatureVectorizer vectorizer,
      EnumMap<Split, List<Row>> bySplit,
      Map<String, Long> fingerprints,
      Digests digests) {
    String where = file.resourceId().toString();
    try (InputStream in = Channels.newInputStream(FileSystems.open(file.resourceId()));
        DataFileStream<TrainingExample> stream =
            new DataFileStream<>(in, new SpecificDatumReader<>(TrainingExample.class))) {
      long index = 0;
      for (TrainingExample e : stream) {
        String at = where + " record " + index++;
        fingerprints.merge(e.getSpecFingerprint(), 1L, Long::sum);
        if (e.getLabel() != 0 && e.getLabel() != 1) {
          throw new IllegalArgumentException(
              "label must be 0 or 1, got " + e.getLabel() + " in " + at);
        }
        Split split = Split.parse(e.getSplit(), at);
        float[] vector;
        try {
          vector = vectorizer.toVector(e.getFeatures());
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(bad.getMessage() + " in " + at, bad);
        }
        bySplit
            .get(split)
            .add(
                new Row(
                    e.getPromoId(),
                    e.getCustomerKey(),
                    e.getSentTime(),
                    e.getLabel(),
                    vector,
                    digests.of(e)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read training examples from " + where, e);
    }
  }

  private void checkFingerprints(FeatureSpec readSpec, Map<String, Long> fingerprints) {
    if (fingerprints.size() > 1) {
      throw new IllegalArgumentException(
          "training set "
              + directory
              + " mixes feature spec fingerprints "
              + fingerprints
              + " (fingerprint -> examples): rebuild it under one spec");
    }
    String found = fingerprints.keySet().iterator().next();
    if (!found.equals(readSpec.fingerprint())) {
      throw new IllegalArgumentException(
          "training set "
              + directory
              + " was built under feature spec "
              + found
              + " but "
              + specSource()
              + " has fingerprint "
              + readSpec.fingerprint()
              + ": store the spec the set was built with as "
              + SPEC_FILE);
    }
  }

  private static SplitRows toSplitRows(Split split, List<Row> rows, int width) {
    int n = rows.size();
    float[] features = new float[n * width];
    float[] labels = new float[n];
    String[] promoIds = new String[n];
    String[] customerKeys = new String[n];
    long[] sentTimes = new long[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      System.arraycopy(r.vector, 0, features, i * width, width);
      labels[i] = r.label;
      promoIds[i] = r.promoId;
      customerKeys[i] = r.customerKey;
      sentTimes[i] = r.sentTime;
    }
    return new SplitRows(split, width, features, labels, promoIds, customerKeys, sentTimes);
  }

  /** SHA-256 over the sorted per-example digests: a multiset hash, blind to file order. */
  private static String combine(List<byte[]> digests) {
    digests.sort(Arrays::compareUnsigned);
    MessageDigest sha = sha256();
    for (byte[] d : digests) {
      sha.update(d);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static List<MatchResult.Metadata> match(String glob) {
    try {
      MatchResult result = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      if (result.status() != MatchResult.Status.OK) {
        return List.of();
      }
      List<MatchResult.Metadata> files = new ArrayList<>(result.metadata());
      files.sort(Comparator.comparing(m -> m.resourceId().toString()));
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + glob, e);
    }
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Comparator<Row> CANONICAL =
      Comparator.<Row>comparingLong(r -> r.sentTime)
          .thenComparing(r -> r.promoId)
          .thenComparing(r -> r.customerKey)
          .thenComparing((a, b) -> Arrays.compareUnsigned(a.digest, b.digest));

  /** One example, vectorized, with the digest of its Avro binary encoding. */
  private static final class Row {
    final String promoId;
    final String customerKey;
    final long sentTime;
    final int label;
    final float[] vector;
    final byte[] digest;

    Row(
        String promoId,
        String customerKey,
        long sentTime,
        int label,
        float[] vector,
        byte[] digest) {
      this.promoId = promoId;
      this.customerKey = customerKey;
      this.sentTime = sentTime;
      this.label = label;
      this.vector = vector;
      this.digest = digest;
    }
  }

  /** Avro's binary encoding of a record is deterministic, so its hash identifies the example. */
  private static final class Digests {
    private final SpecificDatumWriter<TrainingExample> writer =
        new SpecificDatumWriter<>(TrainingExample.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final MessageDigest sha = sha256();
    private BinaryEncoder encoder;

    byte[] of(TrainingExample example) throws IOException {
      buffer.reset();
      encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
      writer.write(example, encoder);
      encoder.flush();
      return sha.digest(buffer.toByteArray());
    }
  }
}
