package io.beamml.pipelines.progress;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;

import org.junit.Test;

public class LogProgressTest {

  @Test
  public void theLineCarriesEachCountAndTheElapsedTime() {
    LogProgress.newRun();
    for (int i = 0; i < 3; i++) {
      LogProgress.tick("clicks read");
    }
    LogProgress.tick("feature rows");
    assertThat(
        LogProgress.line(), matchesPattern("progress: \\d+ s, clicks read 3, feature rows 1"));
  }

  @Test
  public void anEndedRunLeavesNothingForTheNextRunsLines() {
    LogProgress.newRun();
    LogProgress.tick("sales read");
    LogProgress.endRun();
    assertThat(LogProgress.line(), not(containsString("sales read")));
    LogProgress.tick("clicks read");
    assertThat(LogProgress.line(), containsString("clicks read 1"));
  }
}
