package io.beamml.training;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.beamml.training.data.TrainingSet;
import io.beamml.training.data.TrainingSetReader;
import io.beamml.training.evaluation.BoosterScorer;
import io.beamml.training.evaluation.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class TrainerTest {

  @ClassRule public static TemporaryFolder tmp = new TemporaryFolder();

  private static TrainingSet set;

  @BeforeClass
  public static void writeSet() throws Exception {
    Path dir = SyntheticData.generate(3000, 1.0, 17).write(tmp.newFolder("set").toPath(), 2);
    set = TrainingSetReader.of(dir.toString()).read();
  }

  @Test
  public void stopsEarlyOnValidationAndKeepsExactlyTheBestRounds() {
    TrainingParams params = TrainingParams.of(Map.of("eta", 0.3, "max_depth", 6));
    try (TrainedModel model = Trainer.with(params).train(set)) {
      assertTrue(
          "early stopping should end well before 300 rounds, ran " + model.roundsRun(),
          model.stoppedEarly());
      assertEquals(model.bestIteration() + 1 + params.earlyStoppingRounds(), model.roundsRun());
      assertEquals(model.bestIteration() + 1, model.booster().getNumBoostedRound());

      float[] curve = model.validationCurve();
      assertEquals(model.roundsRun(), curve.length);
      int argmin = 0;
      for (int i = 1; i < curve.length; i++) {
        argmin = curve[i] < curve[argmin] ? i : argmin;
      }
      assertEquals(argmin, model.bestIteration());

      // The kept model is the best iteration's: its validation log loss is the curve's minimum.
      float[] scores =
          BoosterScorer.of(model.booster())
              .score(
                  set.validation().features(), set.validation().rows(), set.validation().columns());
      assertEquals(
          curve[model.bestIteration()],
          Evaluation.of(scores, set.validation().labels()).logLoss(),
          1e-5);
    } catch (ml.dmlc.xgboost4j.java.XGBoostError e) {
      throw new AssertionError(e);
    }
  }

  @Test
  public void trainingIsDeterministic() {
    float[] first;
    float[] second;
    try (TrainedModel a = Trainer.with(TrainingParams.defaultParams()).train(set);
        TrainedModel b = Trainer.with(TrainingParams.defaultParams()).train(set)) {
      first =
          BoosterScorer.of(a.booster())
              .score(set.test().features(), set.test().rows(), set.test().columns());
      second =
          BoosterScorer.of(b.booster())
              .score(set.test().features(), set.test().rows(), set.test().columns());
      assertEquals(a.bestIteration(), b.bestIteration());
    }
    assertArrayEquals(first, second, 0f);
  }

  @Test
  public void paramsLayerDefaultsFileAndFlags() throws Exception {
    Path json = tmp.newFile("params.json").toPath();
    Files.writeString(
        json, "{\"eta\": 0.05, \"max_depth\": 6, \"tree_method\": \"hist\", \"num_round\": 50}");
    TrainingParams p =
        TrainingParams.resolve(json.toString(), List.of("max_depth=3", "lambda=2.5"));
    assertEquals(0.05, p.all().get("eta"));
    assertEquals(3L, p.all().get("max_depth"));
    assertEquals(2.5, p.all().get("lambda"));
    assertEquals(50, p.numRound());
    assertEquals(20, p.earlyStoppingRounds());
    assertEquals("binary:logistic", p.all().get("objective"));
    assertTrue(!p.boosterParams().containsKey("num_round"));
    assertTrue(!p.boosterParams().containsKey("early_stopping_rounds"));

    Path props = tmp.newFile("params.properties").toPath();
    Files.writeString(props, "eta=0.2\nsubsample=0.7\n");
    TrainingParams q = TrainingParams.resolve(props.toString(), null);
    assertEquals(0.2, q.all().get("eta"));
    assertEquals(0.7, q.all().get("subsample"));
    assertEquals(4, q.all().get("max_depth"));
  }

  @Test
  public void paramsRefuseWhatTrainingCannotHonour() {
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingParams.resolve(null, List.of("objective=reg:squarederror")))
            .getMessage(),
        containsString("binary:logistic"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> TrainingParams.resolve(null, List.of("eval_metric=logloss,auc")))
            .getMessage(),
        containsString("single metric"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class, () -> TrainingParams.resolve(null, List.of("eta")))
            .getMessage(),
        containsString("key=value"));
  }

  @Test
  public void earlyStoppingCanWatchAuc() {
    TrainingParams params = TrainingParams.resolve(null, List.of("eval_metric=auc", "eta=0.3"));
    try (TrainedModel model = Trainer.with(params).train(set)) {
      assertEquals("auc", model.metric());
      float[] curve = model.validationCurve();
      for (float v : curve) {
        assertTrue(v <= curve[model.bestIteration()]);
      }
    }
  }
}
