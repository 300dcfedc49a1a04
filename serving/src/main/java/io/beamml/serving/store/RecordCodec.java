package io.beamml.serving.store;

import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * Avro binary of the stored records. An event is stored without its customer key (the Redis key
 * already says whose it is), which makes it about half as long; the encoding is deterministic, so
 * writing the same event twice writes the same member and changes nothing.
 */
final class RecordCodec {

  /**
   * Avro's generated per-class coders instead of its schema-driven ones: reading a customer's
   * events was most of a 100-customer request's CPU before (a profile of benchmark-serve), and the
   * generated code reads the same bytes into the same records. Off by default in Avro 1.11 (a JVM
   * property); switched on here for this codec's own instance only.
   */
  private static final SpecificData DATA = customCoders();

  private static final SpecificDatumWriter<CustomerEvent> EVENT_WRITER =
      new SpecificDatumWriter<>(CustomerEvent.getClassSchema(), DATA);
  private static final SpecificDatumReader<CustomerEvent> EVENT_READER =
      new SpecificDatumReader<>(
          CustomerEvent.getClassSchema(), CustomerEvent.getClassSchema(), DATA);
  private static final SpecificDatumWriter<CustomerProfile> PROFILE_WRITER =
      new SpecificDatumWriter<>(CustomerProfile.getClassSchema(), DATA);
  private static final SpecificDatumReader<CustomerProfile> PROFILE_READER =
      new SpecificDatumReader<>(
          CustomerProfile.getClassSchema(), CustomerProfile.getClassSchema(), DATA);

  private static SpecificData customCoders() {
    SpecificData data = new SpecificData(RecordCodec.class.getClassLoader());
    data.setCustomCoders(true);
    return data;
  }

  private RecordCodec() {}

  static byte[] event(CustomerEvent event) {
    CustomerEvent compact = CustomerEvent.newBuilder(event).setCustomerKey("").build();
    return encode(EVENT_WRITER, compact);
  }

  static CustomerEvent event(byte[] bytes, String customerKey) {
    CustomerEvent event = decode(EVENT_READER, bytes);
    event.setCustomerKey(customerKey);
    return event;
  }

  static byte[] profile(CustomerProfile profile) {
    return encode(PROFILE_WRITER, profile);
  }

  static CustomerProfile profile(byte[] bytes) {
    return decode(PROFILE_READER, bytes);
  }

  private static <T> byte[] encode(SpecificDatumWriter<T> writer, T record) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    try {
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static <T> T decode(SpecificDatumReader<T> reader, byte[] bytes) {
    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
    try {
      return reader.read(null, decoder);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "a stored record does not decode as " + reader.getSpecificData(), e);
    }
  }
}
