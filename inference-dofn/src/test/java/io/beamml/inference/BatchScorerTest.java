package io.beamml.inference;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.inference.testing.TestModels;
import io.beamml.schemas.DeadLetter;
import io.beamml.schemas.FeatureRow;
import io.beamml.schemas.Prediction;
import java.util.ArrayList;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class BatchScorerTest {

  @ClassRule public static TemporaryFolder folder = new TemporaryFolder();

  /** Collects what a flush emits, with the timestamp and window each result carries. */
  private static final class Collected implements BatchScorer.Emitter {
    final List<Prediction> predictions = new ArrayList<>();
    final List<Instant> timestamps = new ArrayList<>();
    final List<BoundedWindow> windows = new ArrayList<>();

    @Override
    public void prediction(Prediction p, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      predictions.add(p);
      timestamps.add(timestamp);
      windows.add(window);
    }

    @Override
    public void failure(DeadLetter d, Instant timestamp, BoundedWindow window, PaneInfo pane) {
      throw new AssertionError("unexpected failure " + d);
    }
  }

  @Test
  public void fillsUpFlushesInOrderAndReusesItsBuffer() throws Exception {
    List<FeatureRow> rows = TestModels.rows(10, 61);
    Booster booster = TestModels.train(rows, 5, 3);
    String root = folder.newFolder().getAbsolutePath();
    String version = TestModels.register(root, "unit", booster, "json");
    float[] reference = TestModels.reference(booster, rows);
    booster.dispose();
    ModelKey key = new ModelKey(root, "unit", version);
    try (LoadedModel model = LoadedModel.load(key, null)) {
      BatchScorer scorer =
          new BatchScorer(model, new DeployedModel(key, DeployedModel.CHALLENGER), 4, 0);
      Collected out = new Collected();
      for (int i = 0; i < rows.size(); i++) {
        BoundedWindow window =
            i % 2 == 0 ? GlobalWindow.INSTANCE : new IntervalWindow(new Instant(0), new Instant(i));
        assertNull(scorer.add(rows.get(i), new Instant(i), window, PaneInfo.NO_FIRING));
        if (scorer.isFull()) {
          assertThrows(
              IllegalStateException.class,
              () ->
                  scorer.add(
                      rows.get(0), new Instant(0), GlobalWindow.INSTANCE, PaneInfo.NO_FIRING));
          scorer.flush(out);
          assertEquals(0, scorer.size());
        }
      }
      assertEquals(2, scorer.size());
      scorer.flush(out);
      scorer.flush(out);
      assertEquals(10, out.predictions.size());
      for (int i = 0; i < 10; i++) {
        Prediction p = out.predictions.get(i);
        assertEquals(rows.get(i).getEventId(), p.getEventId());
        assertEquals(reference[i], p.getScore(), 1e-6);
        assertEquals(DeployedModel.CHALLENGER, p.getVariant());
        assertEquals(i, out.timestamps.get(i).getMillis());
        assertTrue(
            i % 2 == 0
                ? out.windows.get(i) == GlobalWindow.INSTANCE
                : out.windows.get(i) instanceof IntervalWindow);
      }
    }
  }
}
