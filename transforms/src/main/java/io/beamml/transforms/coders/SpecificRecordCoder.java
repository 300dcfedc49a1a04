package io.beamml.transforms.coders;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The Avro binary encoding of a generated record, written and read by the record's own generated
 * code ({@code customEncode} / {@code customDecode}) instead of Avro's schema-walking datum writer
 * and reader. The bytes are exactly {@code AvroCoder.specific(type)}'s; what differs is the cost:
 * on Flink's batch translation every shuffle and every step with two consumers encodes and decodes
 * each record, and there {@code AvroCoder} spent most of a backfill's CPU looking up fields, unions
 * and string classes per value. Use it for the records that cross those steps.
 *
 * <p>Not deterministic (like {@code AvroCoder}): never a grouping key.
 */
public final class SpecificRecordCoder<T extends SpecificRecordBase> extends CustomCoder<T> {

  private static final long serialVersionUID = 1L;

  private final Class<T> type;

  private SpecificRecordCoder(Class<T> type) {
    this.type = type;
  }

  /**
   * The coder of a generated record class (one with generated custom coders, as Avro 1.9+ writes).
   */
  public static <T extends SpecificRecordBase> SpecificRecordCoder<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    // Fails here, not at the first record, for a class without a schema or a constructor.
    CODECS.get(type);
    CONSTRUCTORS.get(type);
    return new SpecificRecordCoder<>(type);
  }

  /**
   * {@link #of} for a class known only as a type variable; fails unless it is a generated record.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> org.apache.beam.sdk.coders.Coder<T> ofRecordClass(Class<T> type) {
    if (!SpecificRecordBase.class.isAssignableFrom(type)) {
      throw new IllegalArgumentException(type.getName() + " is not a generated Avro record");
    }
    return (org.apache.beam.sdk.coders.Coder<T>)
        (org.apache.beam.sdk.coders.Coder) of((Class) type);
  }

  public Class<T> getType() {
    return type;
  }

  /**
   * One thread's reusable encoder and decoders per record class (Avro's are not thread-safe). Kept
   * per class, not per coder: runners copy and deserialize coders per operator and per serializer
   * duplicate, and a per-instance thread-local would start cold in each copy.
   */
  private static final ClassValue<ThreadLocal<Codec>> CODECS =
      new ClassValue<ThreadLocal<Codec>>() {
        @Override
        protected ThreadLocal<Codec> computeValue(Class<?> type) {
          Schema schema = SpecificData.get().getSchema(type);
          return ThreadLocal.withInitial(() -> new Codec(type, schema));
        }
      };

  private static final class Codec {
    private @Nullable BinaryEncoder encoder;
    private @Nullable BinaryDecoder decoder;
    private final ResolvingDecoder resolver;

    Codec(Class<?> type, Schema schema) {
      try {
        this.resolver = DecoderFactory.get().resolvingDecoder(schema, schema, null);
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot read " + type.getName() + " with its own schema", e);
      }
    }
  }

  /**
   * The last thread's codec, checked before the thread-local: a runner's serializer copy is used by
   * one thread, and a thread-local lookup in a task thread crowded with them cost more than the
   * decoding of a small record. One immutable pair, so a coder shared by threads never hands one
   * thread another's codec.
   */
  private transient @Nullable OwnedCodec lastCodec;

  private static final class OwnedCodec {
    final Thread thread;
    final Codec codec;

    OwnedCodec(Thread thread, Codec codec) {
      this.thread = thread;
      this.codec = codec;
    }
  }

  private Codec codec() {
    Thread current = Thread.currentThread();
    OwnedCodec last = lastCodec;
    if (last != null && last.thread == current) {
      return last.codec;
    }
    Codec codec = CODECS.get(type).get();
    lastCodec = new OwnedCodec(current, codec);
    return codec;
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    Codec codec = codec();
    // Buffered, then one write per record: runners' streams (Flink's DataOutputView wrapper) pay
    // a virtual call and a bounds check per write, and a direct encoder writes byte by byte.
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, codec.encoder);
    codec.encoder = encoder;
    value.customEncode(encoder);
    encoder.flush();
  }

  @Override
  public T decode(InputStream in) throws IOException {
    Codec codec = codec();
    // Direct, never buffered: a buffered decoder would read ahead into the next element's bytes.
    BinaryDecoder decoder = DecoderFactory.get().directBinaryDecoder(in, codec.decoder);
    codec.decoder = decoder;
    T value = newRecord();
    codec.resolver.configure(decoder);
    value.customDecode(codec.resolver);
    codec.resolver.drain();
    return value;
  }

  @SuppressWarnings("unchecked")
  private T newRecord() {
    return (T) CONSTRUCTORS.get(type).get();
  }

  /**
   * Each generated class's no-argument constructor as a plain {@link Supplier}, bound once per
   * class: Avro's {@code SpecificData.newInstance} looks the constructor up and calls it
   * reflectively for every record, a twentieth of a backfill's CPU when every shuffle decodes every
   * record.
   */
  private static final ClassValue<Supplier<?>> CONSTRUCTORS =
      new ClassValue<Supplier<?>>() {
        @Override
        protected Supplier<?> computeValue(Class<?> type) {
          try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            MethodHandle constructor =
                lookup.findConstructor(type, MethodType.methodType(void.class));
            return (Supplier<?>)
                LambdaMetafactory.metafactory(
                        lookup,
                        "get",
                        MethodType.methodType(Supplier.class),
                        MethodType.methodType(Object.class),
                        constructor,
                        MethodType.methodType(type))
                    .getTarget()
                    .invokeExact();
          } catch (Throwable e) {
            throw new IllegalStateException(
                type.getName() + " has no public no-argument constructor to decode into", e);
          }
        }
      };

  @Override
  public void verifyDeterministic() throws NonDeterministicException {
    throw new NonDeterministicException(
        this, "Avro records are not encoded deterministically (maps, floats)");
  }

  @Override
  public TypeDescriptor<T> getEncodedTypeDescriptor() {
    return TypeDescriptor.of(type);
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof SpecificRecordCoder
        && ((SpecificRecordCoder<?>) other).type.equals(type);
  }

  @Override
  public int hashCode() {
    return type.hashCode();
  }

  @Override
  public String toString() {
    return "SpecificRecordCoder(" + type.getSimpleName() + ")";
  }
}
