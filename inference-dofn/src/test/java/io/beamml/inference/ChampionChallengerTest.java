package io.beamml.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.FeatureRow;
import java.util.List;
import org.junit.Test;

public class ChampionChallengerTest {

  private static final ModelKey CHAMPION = new ModelKey("/r", "promo", "1");
  private static final ModelKey CHALLENGER = new ModelKey("/r", "promo", "2");

  @Test
  public void bucketIsTheFirstEightHexDigits() {
    assertEquals(0.0, ChampionChallenger.bucket("00000000ffff"), 0.0);
    assertEquals(0.5, ChampionChallenger.bucket("80000000"), 0.0);
    assertEquals(0xffffffffL / 4294967296.0, ChampionChallenger.bucket("FFFFFFFF0000"), 0.0);
  }

  @Test
  public void nonHexKeysStillGetAStableBucket() {
    double b = ChampionChallenger.bucket("customer-42");
    assertEquals(b, ChampionChallenger.bucket("customer-42"), 0.0);
    assertTrue(b >= 0.0 && b < 1.0);
    assertTrue(ChampionChallenger.bucket("abc") != ChampionChallenger.bucket("abd"));
  }

  @Test
  public void shareOfCustomersGoesToTheChallengerStably() {
    ChampionChallenger selector = ChampionChallenger.split(CHAMPION, CHALLENGER, 0.2);
    List<FeatureRow> rows = TestModels.rows(5_000, 3);
    int challengers = 0;
    for (FeatureRow row : rows) {
      int slot = selector.select(row.getCustomerKey());
      assertEquals(slot, selector.select(row.getCustomerKey()));
      challengers += slot;
    }
    assertEquals(0.2, challengers / 5_000.0, 0.02);
    assertEquals(DeployedModel.CHALLENGER, selector.models().get(1).variant());
  }

  @Test
  public void edgesOfTheShare() {
    assertEquals(0, ChampionChallenger.split(CHAMPION, CHALLENGER, 0.0).select("00000000"));
    assertEquals(1, ChampionChallenger.split(CHAMPION, CHALLENGER, 1.0).select("ffffffff"));
    assertEquals(0, ChampionChallenger.split(CHAMPION, null, 1.0).select("00000000"));
    assertEquals(1, ChampionChallenger.championOnly(CHAMPION).models().size());
    assertThrows(
        IllegalArgumentException.class, () -> ChampionChallenger.split(CHAMPION, CHALLENGER, 1.5));
    assertThrows(
        IllegalArgumentException.class,
        () -> ChampionChallenger.split(CHAMPION, CHALLENGER, Double.NaN));
  }
}
