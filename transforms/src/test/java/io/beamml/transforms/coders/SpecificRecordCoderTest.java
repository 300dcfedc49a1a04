package io.beamml.transforms.coders;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.beamml.schemas.ClickEvent;
import io.beamml.schemas.CustomerEvent;
import io.beamml.schemas.CustomerProfile;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.LabelledPromo;
import io.beamml.schemas.Order;
import io.beamml.schemas.Prediction;
import io.beamml.schemas.Profile;
import io.beamml.schemas.PromoResponse;
import io.beamml.schemas.TrainingExample;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.avro.util.RandomData;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.junit.Test;

/**
 * The fast coder writes exactly AvroCoder's bytes and reads them back, for every record it carries.
 */
public class SpecificRecordCoderTest {

  private static final List<Class<? extends SpecificRecordBase>> RECORDS =
      List.of(
          ClickEvent.class,
          Order.class,
          Profile.class,
          PromoResponse.class,
          CustomerEvent.class,
          CustomerProfile.class,
          LabelledPromo.class,
          DeadLetter.class,
          FeatureRow.class,
          TrainingExample.class,
          Prediction.class);

  @Test
  public void writesAvroCodersBytesAndReadsThemBack() throws Exception {
    for (Class<? extends SpecificRecordBase> type : RECORDS) {
      check(type);
    }
  }

  private static <T extends SpecificRecordBase> void check(Class<T> type) throws Exception {
    AvroCoder<T> avro = AvroCoder.specific(type);
    SpecificRecordCoder<T> fast = SpecificRecordCoder.of(type);
    @SuppressWarnings("unchecked")
    Coder<T> shipped = (Coder<T>) SerializableUtils.ensureSerializable((Coder<?>) fast);
    Schema schema = SpecificData.get().getSchema(type);
    // Random records (nulls and non-nulls in every union, empty and long arrays), made specific
    // through their Avro bytes.
    for (Object generic : new RandomData(schema, 40, 7L)) {
      T record = CoderUtils.decodeFromByteArray(avro, genericBytes(schema, generic));
      byte[] expected = CoderUtils.encodeToByteArray(avro, record);
      assertArrayEquals(type.getSimpleName(), expected, CoderUtils.encodeToByteArray(fast, record));
      assertEquals(type.getSimpleName(), record, CoderUtils.decodeFromByteArray(shipped, expected));
      CoderProperties.coderDecodeEncodeEqual(fast, record);
    }
  }

  private static byte[] genericBytes(Schema schema, Object generic) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
    new GenericDatumWriter<Object>(schema).write(generic, encoder);
    encoder.flush();
    return out.toByteArray();
  }

  @Test
  public void isNeverAGroupingKey() {
    assertThrows(
        Coder.NonDeterministicException.class,
        () -> SpecificRecordCoder.of(ClickEvent.class).verifyDeterministic());
  }

  @Test
  public void refusesAClassThatIsNotAGeneratedRecord() {
    assertThrows(
        IllegalArgumentException.class, () -> SpecificRecordCoder.ofRecordClass(String.class));
  }
}
