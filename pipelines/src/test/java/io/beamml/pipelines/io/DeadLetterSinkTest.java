package io.beamml.pipelines.io;

import static org.junit.Assert.assertEquals;

import io.beamml.schemas.DeadLetter;
import io.beamml.transforms.deadletter.DeadLetters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Dead letters keep raw input: their directory is the owner's alone from before the first file. */
public class DeadLetterSinkTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();
  @Rule public final transient TestPipeline p = TestPipeline.create();

  @Test
  public void theDirectoryIsOwnerOnly() throws Exception {
    Path dir = tmp.getRoot().toPath().resolve("out/dead-letters");
    DeadLetter letter =
        DeadLetters.of(
            "clicks", "parse", "malformed_json", "not JSON", "{\"customer_id\": \"C1\"", null);
    p.apply(Create.of(letter).withCoder(AvroCoder.specific(DeadLetter.class)))
        .apply(DeadLetterSink.to(dir.toString()));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    p.run().waitUntilFinish();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.filter(f -> f.getFileName().toString().startsWith("part-")).count());
    }
  }
}
