package io.beamml.runners.commands;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.beamml.runners.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class CommandSupportTest {

  @Rule public final TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void anUnbalancedSummaryHasItsOwnExitCode() {
    assertEquals(
        ExitCode.UNBALANCED.code(), CommandSupport.balanced("backfill", "{\"balanced\": false}"));
    assertEquals(0, CommandSupport.balanced("backfill", "{\"balanced\": true}"));
  }

  @Test
  public void aKeyFileOthersCanReadIsWarnedAbout() throws Exception {
    Path key = tmp.getRoot().toPath().resolve("hmac.key");
    Files.writeString(key, "0123456789abcdef0123456789abcdef\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(
        CommandSupport.keyFileWarning(key.toString()).orElseThrow(),
        containsString("readable by everyone"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(
        CommandSupport.keyFileWarning(key.toString()).orElseThrow(),
        containsString("readable by its group"));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertTrue(CommandSupport.keyFileWarning(key.toString()).isEmpty());
    assertTrue("no file, no warning", CommandSupport.keyFileWarning(null).isEmpty());
  }
}
