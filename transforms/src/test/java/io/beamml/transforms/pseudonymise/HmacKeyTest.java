package io.beamml.transforms.pseudonymise;

import static io.beamml.transforms.pseudonymise.HmacTesting.KEY;
import static io.beamml.transforms.pseudonymise.HmacTesting.OTHER_KEY;
import static io.beamml.transforms.pseudonymise.HmacTesting.hmacHex;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class HmacKeyTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void missingKeyExplainsBothOptions() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HmacKey.resolve(null, Map.of()));
    assertEquals("no HMAC key: pass --hmacKeyFile=FILE or set PIPELINE_HMAC_KEY", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> HmacKey.resolve(" ", Map.of()));
  }

  @Test
  public void resolvePrefersTheFileOverTheEnvironment() throws Exception {
    Path file = keyFile(KEY);
    Map<String, String> env =
        Map.of(HmacKey.DEFAULT_ENV_VAR, new String(OTHER_KEY, StandardCharsets.US_ASCII));
    assertEquals(hmacHex(KEY, "c1"), pseudonym(HmacKey.resolve(file.toString(), env), "c1"));
    assertEquals(hmacHex(OTHER_KEY, "c1"), pseudonym(HmacKey.resolve(null, env), "c1"));
  }

  @Test
  public void fileKeyIsItsBytesWithoutTheTrailingNewline() throws Exception {
    Path file = tmp.newFile("key").toPath();
    Files.write(file, (new String(KEY, StandardCharsets.US_ASCII) + "\r\n").getBytes());
    assertEquals(hmacHex(KEY, "c1"), pseudonym(HmacKey.fromFile(file.toString()), "c1"));
  }

  @Test
  public void shortKeyFileIsRefusedWithoutRevealingIt() throws Exception {
    Path file = tmp.newFile("short").toPath();
    Files.write(file, "tooshortkey\n".getBytes(StandardCharsets.US_ASCII));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HmacKey.fromFile(file.toString()));
    assertThat(e.getMessage(), containsString(file.toString()));
    assertThat(e.getMessage(), containsString("11 bytes; at least 16 are required"));
    assertThat(e.getMessage(), not(containsString("tooshortkey")));
  }

  @Test
  public void shortEnvironmentKeyIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HmacKey.resolve(null, Map.of(HmacKey.DEFAULT_ENV_VAR, "short")));
    assertThat(e.getMessage(), containsString("environment variable PIPELINE_HMAC_KEY"));
  }

  @Test
  public void missingKeyFileIsAClearError() {
    String missing = tmp.getRoot().toPath().resolve("absent.key").toString();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> HmacKey.fromFile(missing));
    assertThat(e.getMessage(), containsString("cannot read HMAC key file " + missing));
  }

  @Test
  public void unsetEnvironmentVariableIsAClearError() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HmacKey.fromEnvironment("BEAMML_TEST_UNSET_HMAC_KEY_VARIABLE"));
    assertThat(e.getMessage(), containsString("BEAMML_TEST_UNSET_HMAC_KEY_VARIABLE is not set"));
  }

  @Test
  public void toStringRevealsNeitherTheKeyNorItsHex() {
    String text = HmacKey.ofBytes(KEY).toString();
    assertEquals("HmacKey(25 bytes)", text);
    assertThat(text, not(containsString(new String(KEY, StandardCharsets.US_ASCII))));
    assertThat(text, not(containsString(HexFormat.of().formatHex(KEY).substring(0, 8))));
  }

  @Test
  public void createLocalKeyWritesAnOwnerOnlyHexKeyAndReusesIt() throws Exception {
    Path path = tmp.getRoot().toPath().resolve("demo/hmac.key");
    HmacKey created = HmacKey.createLocalKey(path);
    String content = Files.readString(path).trim();
    assertTrue(content, content.matches("[0-9a-f]{64}"));
    if (Files.getFileStore(path).supportsFileAttributeView("posix")) {
      assertEquals(
          EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
          Files.getPosixFilePermissions(path));
    }

    HmacKey reused = HmacKey.createLocalKey(path);
    assertEquals(content, Files.readString(path).trim());
    assertEquals(pseudonym(created, "c1"), pseudonym(reused, "c1"));
    assertEquals(pseudonym(created, "c1"), pseudonym(HmacKey.fromFile(path.toString()), "c1"));
    assertEquals(
        hmacHex(content.getBytes(StandardCharsets.US_ASCII), "c1"), pseudonym(created, "c1"));
  }

  @Test
  public void createLocalKeyKeepsAKeyThatAlreadyExists() throws Exception {
    Path path = keyFile(OTHER_KEY);
    assertEquals(hmacHex(OTHER_KEY, "c1"), pseudonym(HmacKey.createLocalKey(path), "c1"));
  }

  private Path keyFile(byte[] key) throws Exception {
    Path file = tmp.newFile().toPath();
    Files.write(file, key);
    return file;
  }

  private static String pseudonym(HmacKey key, String id) {
    return new Pseudonymiser(key).pseudonym(id);
  }
}
